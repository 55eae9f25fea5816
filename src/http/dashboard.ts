/**
 * The live dashboard page as a handler: `GET /dashboard` answers one self-contained HTML page
 * (style and script inline, drawn with inline SVG) that subscribes to `/events`. Its
 * Content-Security-Policy allows only its own inline style and script (by hash), no image, font,
 * frame or other source at all; the only connection is the event stream.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checker } from '../internal/validate.js';
import { page, SCRIPT, STYLE } from './dashboardPage.js';
import { failRequest, readOnly, sendJson } from './respond.js';

export interface DashboardConfig {
  /** The route of the page. Default `/dashboard`. */
  readonly path?: string;
  /**
   * Where the page connects, relative to the page or absolute. Default `'events'` (beside the
   * page: `/ops/dashboard` reads `/ops/events`). The page's `?source=<url>` overrides it, e.g. to
   * read the endpoints of another origin (which must list this page's origin in `cors`).
   */
  readonly events?: string;
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
/** Inline style and script only; the connection may go to another origin (`?source=`). */
export const DASHBOARD_CSP = `default-src 'none'; style-src ${sha256(STYLE)}; script-src ${sha256(SCRIPT)}; connect-src *; base-uri 'none'; form-action 'none'; frame-ancestors 'self'`;

/** Answers the page (GET or HEAD). */
export function servePage(req: IncomingMessage, res: ServerResponse, html: string): void {
  if (!readOnly(req, res)) return;
  res.writeHead(200, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': String(Buffer.byteLength(html)),
    'content-security-policy': DASHBOARD_CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  });
  res.end(req.method === 'HEAD' ? undefined : html);
}

/**
 * What `dashboard()` returns: a `node:http` request listener that serves the page at its path and
 * passes every other request to `next` (404 without one).
 */
export type Dashboard = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

/**
 * A standalone `(req, res, next?)` handler serving the dashboard page at `path`; other paths call
 * `next`, else 404. `healthEndpoints({ dashboard: true })` serves the same page beside its routes.
 *
 * ```ts
 * import { createServer } from 'node:http';
 * import { dashboard, healthEndpoints } from 'rx-resilience';
 * const ops = healthEndpoints({ monitor, mode, policies: [breaker, pool] });
 * const page = dashboard();
 * createServer((req, res) => page(req, res, () => ops(req, res))).listen(9464); // http://127.0.0.1:9464/dashboard
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function dashboard(config: DashboardConfig = {}): Dashboard {
  const check = checker('dashboard');
  const c = check.object('', config, ['path', 'events']);
  const path = c.path === undefined ? '/dashboard' : c.path;
  if (typeof path !== 'string' || !/^\/[^?#\s]*$/.test(path)) check.fail('path', path, 'a path starting with /');
  const events = c.events === undefined ? 'events' : c.events;
  if (typeof events !== 'string' || events.length === 0 || /\s/.test(events)) check.fail('events', events, 'a URL, relative to the page or absolute');
  const html = page(events as string);
  return (req, res, next) => {
    try {
      if (req.url?.split('?', 1)[0] === path) return servePage(req, res, html);
      if (next !== undefined) return next();
      sendJson(req, res, 404, { error: 'not found' });
    } catch {
      failRequest(res);
    }
  };
}
