import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { WEB_APP_PATH, WEB_SECURITY_HEADERS } from '../functions/lib/web-security.js';
import type { Mount } from './http-server.js';

const ROOT = resolve(import.meta.dirname, '..');
const WEB = join(ROOT, 'web');
export const WEB_DIST = join(WEB, 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the web app (Vite) when it was never built or its sources changed since; true when it built. */
export async function buildWebApp(): Promise<boolean> {
  const built = join(WEB_DIST, 'index.html');
  const sources = Math.max(
    newest(join(WEB, 'src')),
    newest(join(WEB, 'index.html')),
    newest(join(WEB, 'vite.config.ts')),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return false;
  const { build } = await import('vite');
  await build({ configFile: join(WEB, 'vite.config.ts'), logLevel: 'warn' });
  return true;
}

/** Serves the built web app at /app/: its files, and its page for any path of its own (the app routes itself). */
export function webAppMount(): Mount {
  return {
    prefix: WEB_APP_PATH,
    handle(req, res) {
      const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname).slice(WEB_APP_PATH.length);
      const file = normalize(join(WEB_DIST, path));
      const inside = file.startsWith(`${WEB_DIST}${sep}`);
      const target = inside && existsSync(file) && statSync(file).isFile() ? file : join(WEB_DIST, 'index.html');
      if (!existsSync(target)) {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('The web app is not built yet: npm start builds it.');
        return;
      }
      const immutable = target.includes(`${sep}assets${sep}`); // Vite names them by content hash
      res.writeHead(200, {
        'content-type': TYPES[extname(target)] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
        ...WEB_SECURITY_HEADERS,
      });
      res.end(readFileSync(target));
    },
  };
}
