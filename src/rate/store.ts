/**
 * The store seam of the rate limiters. A limiter keeps no counting state of its own: it asks a
 * store to take `cost` for a `key` at time `now`, and the store answers, atomically, whether the
 * call is allowed, how long until it would be, and what is left. The algorithm's parameters travel
 * with every request, so a store holds state only (one record per key) and a Redis store can run
 * the same step in one Lua script over a hash keyed by string.
 *
 * `queued` is the number of calls of the same cost waiting ahead of this one in the limiter's
 * local FIFO queue (wait mode). With `queued > 0` a store never takes: it answers only when this
 * call would be admitted once those ahead have been.
 */

/** A token bucket in GCRA form: one number per key (the instant it is full again). */
export interface TokenBucketParams {
  readonly kind: 'token-bucket';
  /** Tokens the bucket holds when full. */
  readonly capacity: number;
  /** Milliseconds to refill one token (`every / tokens`). */
  readonly interval: number;
}

/** An exact sliding window: a log of the admitted times, at most `limit` units per key. */
export interface SlidingWindowParams {
  readonly kind: 'sliding-window';
  readonly limit: number;
  readonly window: number;
}

/** A fixed window: a count per window, windows aligned to multiples of `window`. */
export interface FixedWindowParams {
  readonly kind: 'fixed-window';
  readonly limit: number;
  readonly window: number;
}

export type RateParams = TokenBucketParams | SlidingWindowParams | FixedWindowParams;

/** The answer to one take. */
export interface TakeResult {
  /** True when `cost` was taken for this call. */
  readonly allowed: boolean;
  /** Milliseconds from `now` until this call would be admitted; 0 when allowed. Exact. */
  readonly retryAfter: number;
  /** Tokens (token bucket) or units (windows) left for the key after this take. */
  readonly remaining: number;
}

/**
 * A rate limiter's state, for one algorithm or many. `take` must be atomic. A store may answer
 * synchronously (memory) or with a promise (a remote store); a synchronous store may reuse its
 * result object, so a caller reads it before the next take.
 */
export interface RateStore {
  take(key: string, cost: number, now: number, params: RateParams, queued: number): TakeResult | PromiseLike<TakeResult>;
  /** What is left for `key` at `now`, without taking: a synchronous store offers it for `stats()`. */
  peek?(key: string, now: number, params: RateParams): number;
}

/**
 * The key a limiter hands its store: its name, with `\` and `:` escaped, then `:` and the caller's
 * key as it is. The first unescaped `:` ends the name, so no caller's key can reach the records of
 * another limiter (or another key) in a store they share, and limiters of the same name share
 * their records, in one process or, on a shared store, in many.
 */
export function scopedKey(name: string, key: string): string {
  return `${name.replace(/[\\:]/g, '\\$&')}:${key}`;
}

/** True when a store answered with a promise. */
export function isPending(result: TakeResult | PromiseLike<TakeResult>): result is PromiseLike<TakeResult> {
  return typeof (result as { then?: unknown }).then === 'function';
}

/**
 * Slack for comparing instants computed in floating point: a waiter woken at `now + retryAfter`
 * must be admitted even when the sum rounds a few ulps short (epoch milliseconds have ulps of
 * ~2e-4). It admits at most this much time early: microseconds at worst.
 */
export function slack(now: number): number {
  return 1e-9 + Math.abs(now) * 4e-15;
}
