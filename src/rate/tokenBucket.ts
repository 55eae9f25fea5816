/**
 * Token bucket rate limiter.
 *
 * State scope: the buckets (one per key, in the store) and the wait queues (one per key with
 * waiters) live at factory-call scope and are shared by every pipeline the limiter is piped into;
 * a subscription (one call) holds only its place in a queue while it waits.
 */
import { checker, MAX_COUNT, MAX_DURATION } from '../internal/validate.js';
import { configuredName } from '../internal/names.js';
import { LIMITER_KEYS, parseLimiter, positive } from './config.js';
import { LimiterCore, limiterPolicy } from './core.js';
import type { LimiterOptions, RateLimiter } from './types.js';

export interface TokenBucketConfig extends LimiterOptions {
  /** Tokens the bucket holds when full; it starts full. Required. */
  readonly capacity: number;
  /** `tokens` come in continuously over every `every` ms (default 1 000). Required. */
  readonly refill: { readonly tokens: number; readonly every?: number };
}

/** The shortest refill time of one token, in ms (a million tokens a second). */
const MIN_INTERVAL = 0.001;

/** What `tokenBucket()` returns: a `RateLimiter` (the three limiters share one interface and differ in the algorithm only). */
export type TokenBucket = RateLimiter;

/**
 * Builds a token bucket: bursts up to `capacity`, then `refill.tokens` per `refill.every` ms,
 * refilled lazily from the scheduler's clock (no timer per bucket). In `reject` mode a call
 * without tokens errors at once with `RateLimitedError` whose `retryAfter` is the exact wait; in
 * `wait` mode it waits in a FIFO queue, or is rejected at once when the wait would pass `maxWait`.
 *
 * ```text
 * calls:                   abc---d|     (each letter: one subscription)
 * capacity 2, 1 per 4 ms:  ab#---d      c: RateLimitedError, retryAfter 2 (0.5 tokens at 2)
 * ```
 *
 * ```ts
 * import { tokenBucket } from 'rx-resilience';
 * const limiter = tokenBucket({ name: 'api', capacity: 10, refill: { tokens: 5, every: 1_000 } });
 * defer(() => api.get(id)).pipe(limiter).subscribe(...);
 * req$.pipe(mergeMap((r) => defer(() => api.get(r)).pipe(limiter.forKey(r.tenant))));
 * limiter.state$.subscribe((s) => console.log(s.remaining, s.rejected));
 * ```
 * @throws ConfigError when the config is invalid (also `cost > capacity`).
 */
export function tokenBucket(config: TokenBucketConfig): TokenBucket {
  const name = configuredName('token-bucket', config);
  const check = checker(name);
  const c = check.object('', config, [...LIMITER_KEYS, 'capacity', 'refill']);
  const capacity = positive(check, 'capacity', c.capacity);
  if (c.refill === undefined) check.fail('refill', undefined, 'an object { tokens, every? } (required)');
  const refill = check.object('refill', c.refill, ['tokens', 'every']);
  const tokens = positive(check, 'refill.tokens', refill.tokens);
  const every = check.duration('refill.every', refill.every, 1_000);
  if (capacity > MAX_COUNT) check.fail('capacity', capacity, `a finite number in (0, ${MAX_COUNT}]`);
  const interval = every / tokens;
  // The ms per token and the time to fill the bucket must be durations a clock can count.
  if (!(interval >= MIN_INTERVAL)) check.fail('refill.tokens', tokens, `a number in (0, ${every / MIN_INTERVAL}]: at most one token per ${MIN_INTERVAL} ms of refill.every (${every})`);
  if (!(capacity * interval <= MAX_DURATION)) {
    check.fail('refill.tokens', tokens, `enough to fill capacity (${capacity}) within ${MAX_DURATION} ms: at least ${(capacity * every) / MAX_DURATION} per refill.every`);
  }
  const parsed = parseLimiter(check, c, capacity, 'capacity', false);
  return limiterPolicy(new LimiterCore({ name, ...parsed, params: { kind: 'token-bucket', capacity, interval } }), undefined, { kind: 'token-bucket', capacity, interval, cost: parsed.cost, mode: parsed.mode });
}
