/**
 * Fixed window rate limiter.
 *
 * State scope: the counters (one per key, in the store) and the wait queues (one per key with
 * waiters) live at factory-call scope and are shared by every pipeline the limiter is piped into;
 * a subscription (one call) holds only its place in a queue while it waits.
 */
import type { LimiterOptions, RateLimiter } from './types.js';
import { windowLimiter } from './window.js';

export interface FixedWindowConfig extends LimiterOptions {
  /** Cost admitted per aligned window. Required; an integer >= 1. */
  readonly limit: number;
  /** Window length in ms. Default 1 000. */
  readonly window?: number;
}

/** What `fixedWindow()` returns: a `RateLimiter` (the three limiters share one interface and differ in the algorithm only). */
export type FixedWindow = RateLimiter;

/**
 * Builds a fixed window limiter: windows are aligned to multiples of `window` on the scheduler's
 * clock, and each admits up to `limit` cost; a call never spans two windows. Cheapest of the
 * three, but a burst at the end of one window and the start of the next may admit up to
 * `2 · limit` within `window` ms (use `slidingWindow` when that matters). Modes, keys, cost and
 * `retryAfter` work as in `tokenBucket`.
 *
 * ```text
 * calls:                  a-b-c----d-e|     (each letter: one subscription)
 * limit 2, window 6 ms:   a-b-#----d-e      c: retryAfter 2 (next window at 6)
 * ```
 *
 * ```ts
 * import { fixedWindow } from 'rx-resilience';
 * const limiter = fixedWindow({ name: 'exports', limit: 1_000, window: 3_600_000 });
 * defer(() => api.export(job)).pipe(limiter.forKey(job.tenant)).subscribe(...);
 * ```
 * @throws ConfigError when the config is invalid (also `cost > limit`).
 */
export function fixedWindow(config: FixedWindowConfig): FixedWindow {
  return windowLimiter('fixed-window', config);
}
