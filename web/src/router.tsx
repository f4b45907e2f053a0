import { type MouseEvent, type ReactNode, useEffect, useState } from 'react';

/** The app lives under /app/; its own paths are written without that prefix. */
export const BASE = '/app';

export function navigate(path: string): void {
  window.history.pushState(null, '', `${BASE}${path}`);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

const read = () => ({
  path: window.location.pathname.slice(BASE.length) || '/',
  query: new URLSearchParams(window.location.search),
});

/** The current path within the app and its query, following the browser's history. */
export function useLocation(): { path: string; query: URLSearchParams } {
  const [location, setLocation] = useState(read);
  useEffect(() => {
    const update = () => setLocation(read());
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return location;
}

/** A link within the app: a real link (keyboard, new tab), followed without reloading the page. */
export function Link(props: { to: string; children: ReactNode; className?: string; current?: boolean }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    navigate(props.to);
  };
  return (
    <a
      href={`${BASE}${props.to}`}
      onClick={follow}
      className={props.className}
      {...(props.current ? { 'aria-current': 'page' as const } : {})}
    >
      {props.children}
    </a>
  );
}

/** Matches a path against a pattern with :name segments. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of want.entries()) {
    if (segment.startsWith(':')) params[segment.slice(1)] = decodeURIComponent(got[i]!);
    else if (segment !== got[i]) return undefined;
  }
  return params;
}
