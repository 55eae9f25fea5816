/**
 * Cross-origin access, off unless configured: `Access-Control-Allow-Origin` for the listed origins
 * on every route, and `OPTIONS` preflight answered for them. A request from any other origin gets
 * no CORS header (the browser blocks it) and its preflight a 403.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Check } from '../internal/validate.js';

export interface CorsConfig {
  /** Origins allowed to call the endpoints from a browser, exactly as browsers send them (`https://ops.example.com`, `http://localhost:5173`). */
  readonly origins: readonly string[];
}

const ORIGIN = /^https?:\/\/[^/\s?#]+$/i;
/** Seconds a browser may cache a preflight answer. */
export const PREFLIGHT_MAX_AGE = 600;

export function parseCors(check: Check, value: unknown): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  const c = check.object('cors', value, ['origins']);
  if (!Array.isArray(c.origins)) return check.fail('cors.origins', c.origins, 'an array of origins such as "https://ops.example.com"');
  c.origins.forEach((o: unknown, i) => {
    if (typeof o !== 'string' || !ORIGIN.test(o)) check.fail(`cors.origins.${i}`, o, 'an origin: http(s)://host[:port], no path');
  });
  return new Set((c.origins as string[]).map((o) => o.toLowerCase()));
}

/** Adds the CORS headers when the request's origin is allowed; returns whether it is. */
export function allowOrigin(req: IncomingMessage, res: ServerResponse, origins: ReadonlySet<string> | undefined): boolean {
  const origin = req.headers.origin;
  if (origins === undefined || typeof origin !== 'string' || !origins.has(origin.toLowerCase())) return false;
  res.setHeader('access-control-allow-origin', origin);
  return true;
}

/** The answer to `OPTIONS` on a route of ours when CORS is configured. */
export function preflight(req: IncomingMessage, res: ServerResponse, allowed: boolean): void {
  if (!allowed) {
    res.writeHead(403, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
    res.end('{"error":"origin not allowed"}');
    return;
  }
  res.writeHead(204, {
    'access-control-allow-methods': 'GET, HEAD, OPTIONS',
    'access-control-allow-headers': 'Authorization, Last-Event-ID, Accept',
    'access-control-max-age': String(PREFLIGHT_MAX_AGE),
    'cache-control': 'no-store',
  });
  res.end();
}
