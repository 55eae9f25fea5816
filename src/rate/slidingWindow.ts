/**
 * Sliding window rate limiter (exact).
 *
 * State scope: the logs (one per key, in the store) and the wait queues (one per key with
 * waiters) live at factory-call scope and are shared by every pipeline the limiter is piped into;
 * a subscription (one call) holds only its place in a queue while it waits.
 */
import type { LimiterOptions, RateLimiter } from './types.js';
import { windowLimiter } from './window.js';

export interface SlidingWindowConfig extends LimiterOptions {
  /** Cost admitted in any `window` ms. Required; an integer >= 1. */
  readonly limit: number;
  /** Window length in ms. Default 1 000. */
  readonly window?: number;
}

/** What `slidingWindow()` returns: a `RateLimiter` (the three limiters share one interface and differ in the algorithm only). */
export type SlidingWindow = RateLimiter;

/**
 * Builds an exact sliding window limiter: it keeps the times of the calls it admitted in the
 * last `window` ms (at most `limit` entries per key) and admits a call when its cost fits. No
 * weighted approximation: over any `window` ms, the admitted cost never exceeds `limit`.
 * Modes, keys, cost and `retryAfter` work as in `tokenBucket`.
 *
 * ```text
 * calls:                  ab-c--d|     (each letter: one subscription)
 * limit 2, window 6 ms:   ab-#--d      c: retryAfter 3 (a leaves the window at 6)
 * ```
 *
 * ```ts
 * import { slidingWindow } from 'rx-resilience';
 * const limiter = slidingWindow({ name: 'search', limit: 100, window: 60_000 });
 * defer(() => api.search(q)).pipe(limiter.forKey(user.id)).subscribe(...);
 * ```
 * @throws ConfigError when the config is invalid (also `cost > limit`).
 */
export function slidingWindow(config: SlidingWindowConfig): SlidingWindow {
  return windowLimiter('sliding-window', config);
}
