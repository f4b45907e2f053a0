import { useEffect } from 'react';
import { apiPath } from './api';
import { signOut, useSession } from './hooks';
import { Problem } from './pages/Problem';
import { BASE, Link, match, useLocation } from './router';
import { APP_ROUTES } from './routes';

/** The NHS header, the page for the current route, and sign-in when there is no session. */
export function App() {
  const { path, query } = useLocation();
  const { data: session, error, loading } = useSession();
  const found = APP_ROUTES.map((route) => ({ route, params: match(route.path, path) })).find((r) => r.params);
  useEffect(() => {
    document.title = `${found?.route.title ?? 'Page not found'} - PCN Referral Hub`;
  }, [found]);
  const signIn = apiPath('GET /auth/login', { return_to: `${BASE}${path}${query.size ? `?${query}` : ''}` });
  const failure = error?.status === 401 ? undefined : error;
  // Signed out at the hub, then at the identity provider too (where it offers it), which sends the browser back here.
  const leave = () => signOut().then(({ signOutAt }) => window.location.assign(signOutAt ?? `${BASE}/`));
  return (
    <>
      <a className="nhsuk-skip-link" href="#main-content">
        Skip to main content
      </a>
      <header className="nhsuk-header">
        <div className="nhsuk-header__container nhsuk-width-container">
          <div className="nhsuk-header__service">
            <Link to="/" className="nhsuk-header__service-logo">
              <span className="nhsuk-header__service-name">PCN Referral Hub</span>
            </Link>
          </div>
          {session && (
            <nav className="nhsuk-header__navigation" aria-label="Menu">
              <ul className="nhsuk-header__navigation-list">
                {APP_ROUTES.filter((r) => r.nav && r.roles.some((role) => session.roles.includes(role))).map((r) => (
                  <li className="nhsuk-header__navigation-item" key={r.path}>
                    <Link
                      to={r.path}
                      className="nhsuk-header__navigation-link"
                      current={found?.route === r || (r.path !== '/' && path.startsWith(`${r.path}/`))}
                    >
                      {r.title}
                    </Link>
                  </li>
                ))}
                <li className="nhsuk-header__navigation-item">
                  <button type="button" className="nhsuk-header__navigation-link" onClick={leave}>
                    Sign out
                  </button>
                </li>
              </ul>
            </nav>
          )}
        </div>
      </header>
      <div className="nhsuk-width-container">
        <main className="nhsuk-main-wrapper" id="main-content">
          {loading && <p className="nhsuk-body">Loading…</p>}
          {error?.status === 401 && (
            <>
              <h1>Sign in</h1>
              <p className="nhsuk-body">Sign in with your organisation's account to see your referrals.</p>
              <a className="nhsuk-button" href={signIn}>
                Sign in
              </a>
            </>
          )}
          {failure && <Problem error={failure} />}
          {session && found?.params && found.route.page({ params: found.params, query, session })}
          {session && !found && (
            <>
              <h1>Page not found</h1>
              <p className="nhsuk-body">
                <Link to="/">Go to the start</Link>
              </p>
            </>
          )}
        </main>
      </div>
      <footer className="nhsuk-footer" role="contentinfo">
        <div className="nhsuk-width-container">
          <h2 className="nhsuk-u-visually-hidden">Support links</h2>
          <div className="nhsuk-footer__meta">
            <p className="nhsuk-body-s">
              PCN Referral Hub: the Primary Care Network's referrals and shared work between its practices and services.
              For help, contact your network's hub team.
            </p>
          </div>
        </div>
      </footer>
    </>
  );
}
