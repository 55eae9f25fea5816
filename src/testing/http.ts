/**
 * HTTP-shaped outcomes of a dependency, as a scenario call: a status code, its latency, a
 * `Retry-After` header, or a connection reset.
 */
import type { CallCommand } from './commands.js';

export interface HttpOutcome {
  /** The response status; ignored when `reset`. */
  readonly status: number;
  /** Milliseconds until the response (or the reset). */
  readonly latency: number;
  /** The `Retry-After` header, in seconds (429 and 503 carry one). */
  readonly retryAfter?: number;
  /** The connection was reset before any response. */
  readonly reset?: boolean;
}

/**
 * The scenario call for `outcome`: a status below 400 succeeds; 4xx/5xx fail with an error whose
 * `status` is the code and `retryAfter` the header in ms (as the library reads it); a reset fails
 * with `code: 'ECONNRESET'`.
 */
export function httpCall(outcome: HttpOutcome, key?: string): Extract<CallCommand, { type: 'call' }> {
  const base = { type: 'call' as const, duration: outcome.latency, ...(key === undefined ? {} : { key }) };
  if (outcome.reset === true) return { ...base, outcome: 'failure', error: { code: 'ECONNRESET' } };
  if (outcome.status < 400) return { ...base, outcome: 'success' };
  return { ...base, outcome: 'failure', error: { status: outcome.status, ...(outcome.retryAfter === undefined ? {} : { retryAfter: outcome.retryAfter * 1_000 }) } };
}
