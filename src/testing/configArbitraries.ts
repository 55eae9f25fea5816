/**
 * Arbitraries of valid configs for retry, bulkhead, rate limiters, time limit, hedge and cache
 * (part of `rx-resilience/testing/arbitraries`). Small numbers, so limits are reached within short
 * scenarios; no `scheduler` or `name`: spread them in.
 */
import fc from 'fast-check';
import { constant, exponential, linear } from '../index.js';
import type { BulkheadConfig, CacheConfig, FixedWindowConfig, HedgeConfig, RetryBackoffConfig, SlidingWindowConfig, TimeLimitConfig, TokenBucketConfig } from '../index.js';

/** A random source for jittered backoffs that replays with the property's seed. */
const randomArb = fc.infiniteStream(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })).map((stream) => {
  const it = stream[Symbol.iterator]();
  return () => it.next().value as number;
});

/** Retry configs: 1–5 attempts; constant, linear or exponential backoff (jitter from a seeded source); sometimes a `maxDelay`. */
export function retryConfigArb(): fc.Arbitrary<RetryBackoffConfig> {
  const backoff = fc.oneof(
    fc.integer({ min: 0, max: 50 }).map((ms) => constant(ms)),
    fc.record({ initial: fc.integer({ min: 0, max: 20 }), step: fc.integer({ min: 0, max: 20 }), max: fc.integer({ min: 20, max: 100 }) }).map((o) => linear(o)),
    fc
      .record({ initial: fc.integer({ min: 1, max: 20 }), factor: fc.constantFrom(1.5, 2, 3), max: fc.integer({ min: 20, max: 200 }), jitter: fc.constantFrom('none', 'full', 'equal'), random: randomArb })
      .map((o) => exponential(o)),
  );
  return fc.record(
    { maxAttempts: fc.integer({ min: 1, max: 5 }), backoff, maxDelay: fc.integer({ min: 0, max: 5_000 }), resetOnSuccess: fc.boolean() },
    { requiredKeys: ['maxAttempts', 'backoff'] },
  );
}

/** Bulkhead configs: 1–4 slots, a queue of 0–4 (sometimes with a timeout). */
export function bulkheadConfigArb(): fc.Arbitrary<BulkheadConfig> {
  return fc.record(
    { maxConcurrent: fc.integer({ min: 1, max: 4 }), maxQueued: fc.integer({ min: 0, max: 4 }), queueTimeout: fc.integer({ min: 1, max: 100 }) },
    { requiredKeys: ['maxConcurrent'] },
  );
}

/** A rate limiter config with the factory it belongs to. */
export type RateLimitSpec =
  | { readonly kind: 'token-bucket'; readonly config: TokenBucketConfig }
  | { readonly kind: 'sliding-window'; readonly config: SlidingWindowConfig }
  | { readonly kind: 'fixed-window'; readonly config: FixedWindowConfig };

/** Rate limiter configs of the three fixed kinds (`tokenBucket`, `slidingWindow`, `fixedWindow`), in reject or wait mode. */
export function rateLimitConfigArb(): fc.Arbitrary<RateLimitSpec> {
  const mode = fc.oneof(fc.constant({}), fc.constant({ mode: 'reject' as const }), fc.record({ mode: fc.constant('wait' as const), maxWait: fc.integer({ min: 0, max: 200 }) }));
  const bucket = fc
    .tuple(fc.record({ capacity: fc.integer({ min: 1, max: 5 }), refill: fc.record({ tokens: fc.integer({ min: 1, max: 3 }), every: fc.integer({ min: 1, max: 50 }) }) }), mode)
    .map(([c, m]) => ({ kind: 'token-bucket' as const, config: { ...c, ...m } }));
  const window = (kind: 'sliding-window' | 'fixed-window') =>
    fc.tuple(fc.record({ limit: fc.integer({ min: 1, max: 5 }), window: fc.integer({ min: 1, max: 50 }) }), mode).map(([c, m]) => ({ kind, config: { ...c, ...m } }));
  return fc.oneof(bucket, window('sliding-window'), window('fixed-window'));
}

/** Time limit configs: any non-empty combination of `duration`, `first` and `each`. */
export function timeLimitConfigArb(): fc.Arbitrary<TimeLimitConfig> {
  const ms = fc.integer({ min: 0, max: 100 });
  return fc.record({ duration: ms, first: ms, each: ms }, { requiredKeys: [] }).filter((c) => c.duration !== undefined || c.first !== undefined || c.each !== undefined);
}

/** Hedge configs: a delay of 0–50 ms, 0–3 hedges. */
export function hedgeConfigArb(): fc.Arbitrary<HedgeConfig> {
  return fc.record({ delay: fc.integer({ min: 0, max: 50 }), maxHedges: fc.integer({ min: 0, max: 3 }) });
}

/** Cache configs: a `ttl` of 1–100 ms, sometimes a stale age and an entry bound. */
export function cacheConfigArb(): fc.Arbitrary<CacheConfig> {
  return fc.record({ ttl: fc.integer({ min: 1, max: 100 }), staleTtl: fc.integer({ min: 0, max: 100 }), maxEntries: fc.integer({ min: 1, max: 10 }) }, { requiredKeys: ['ttl'] });
}
