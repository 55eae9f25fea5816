/** Public types shared by the rate limiters (`tokenBucket`, `slidingWindow`, `fixedWindow`, `adaptiveRateLimit`). */
import type { Observable, SchedulerLike } from 'rxjs';
import type { RateStore } from './store.js';

/** `reject`: refuse at once with `RateLimitedError`; `wait`: queue (FIFO per key) until admitted. */
export type LimiterMode = 'reject' | 'wait';

/** Options every store-backed limiter takes. */
export interface LimiterOptions {
  readonly name?: string;
  readonly scheduler?: SchedulerLike;
  /** Default `'reject'`. */
  readonly mode?: LimiterMode;
  /** Wait mode only: the longest wait accepted, in ms; a longer one is rejected at once. Default: unbounded. */
  readonly maxWait?: number;
  /** What one call (one subscription) costs, whatever it emits. Default 1. */
  readonly cost?: number;
  /** Where the state lives. Default: a `memoryStore()` of its own. */
  readonly store?: RateStore;
  /** Most keys kept by the default store (least recently used dropped first). Default 100 000. */
  readonly maxKeys?: number;
}

/** What `state$` replays and emits on change. */
export interface RateLimiterState {
  /** Tokens or units left for the default key, as of the last admission or rejection on it. */
  readonly remaining: number;
  /** Capacity or limit per window (the adaptive limiter's current limit). */
  readonly limit: number;
  /** Calls waiting in queues now, all keys together. */
  readonly waiting: number;
  /** Calls rejected since the limiter was built. */
  readonly rejected: number;
}

export interface RateLimiterStats extends RateLimiterState {
  readonly name: string;
  /** Calls admitted since the limiter was built. */
  readonly admitted: number;
  /** Waiters unsubscribed before they were admitted. */
  readonly cancelled: number;
  /** Keys with state in the store (memory stores) after dropping idle ones; otherwise keys with waiters. */
  readonly keys: number;
}

interface EventBase {
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
  /** The key (`''` for the limiter used directly). */
  readonly key: string;
}

export type RateLimiterEvent =
  | (EventBase & { readonly type: 'admitted'; readonly cost: number; readonly waited: number })
  | (EventBase & { readonly type: 'queued'; readonly cost: number; readonly ahead: number; readonly retryAfter: number })
  | (EventBase & { readonly type: 'rejected'; readonly cost: number; readonly retryAfter: number })
  | (EventBase & { readonly type: 'cancelled'; readonly waited: number });

/** A rate limiter: an operator on the default key, with per-key operators and its state as streams. */
export interface RateLimiter {
  <T>(source: Observable<T>): Observable<T>;
  readonly name: string;
  /** Replays the current state, then emits each change. */
  readonly state$: Observable<RateLimiterState>;
  /** Hot: admissions, queueing, rejections and cancelled waiters. */
  readonly events$: Observable<RateLimiterEvent>;
  stats(): RateLimiterStats;
  /** An operator with its own state for `key` (per tenant, per user), same config. */
  forKey(key: string): <T>(source: Observable<T>) => Observable<T>;
}
