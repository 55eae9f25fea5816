/** Every config arbitrary produces only configs its factory accepts; the HTTP arbitraries stay in their ranges. */
import { test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { bulkhead, cache, circuitBreaker, fixedWindow, hedge, retryBackoff, slidingWindow, timeLimit, tokenBucket } from 'rx-resilience';
import { httpCall } from 'rx-resilience/testing';
import {
  breakerConfigArb,
  bulkheadConfigArb,
  cacheConfigArb,
  hedgeConfigArb,
  httpCommandsArb,
  httpOutcomeArb,
  rateLimitConfigArb,
  retryConfigArb,
  timeLimitConfigArb,
  type RateLimitSpec,
} from 'rx-resilience/testing/arbitraries';

const limiterOf = (spec: RateLimitSpec) =>
  spec.kind === 'token-bucket' ? tokenBucket(spec.config) : spec.kind === 'sliding-window' ? slidingWindow(spec.config) : fixedWindow(spec.config);

describe('config arbitraries', () => {
  test.prop([breakerConfigArb()])('breakerConfigArb: circuitBreaker accepts every config', (c) => void expect(() => circuitBreaker(c)).not.toThrow());
  test.prop([retryConfigArb()])('retryConfigArb: retryBackoff accepts every config', (c) => void expect(() => retryBackoff(c)).not.toThrow());
  test.prop([bulkheadConfigArb()])('bulkheadConfigArb: bulkhead accepts every config', (c) => void expect(() => bulkhead(c)).not.toThrow());
  test.prop([rateLimitConfigArb()])('rateLimitConfigArb: each limiter accepts its configs', (s) => void expect(() => limiterOf(s)).not.toThrow());
  test.prop([timeLimitConfigArb()])('timeLimitConfigArb: timeLimit accepts every config', (c) => void expect(() => timeLimit(c)).not.toThrow());
  test.prop([hedgeConfigArb()])('hedgeConfigArb: hedge accepts every config', (c) => void expect(() => hedge(c)).not.toThrow());
  test.prop([cacheConfigArb()])('cacheConfigArb: cache accepts every config', (c) => void expect(() => cache(c)).not.toThrow());
});

describe('HTTP arbitraries', () => {
  test.prop([httpOutcomeArb()])('outcomes are real statuses, positive latencies, Retry-After only on 429/503', (o) => {
    expect(o.latency).toBeGreaterThanOrEqual(1);
    expect(o.latency).toBeLessThanOrEqual(5_000);
    if (o.reset === true) expect(o.status).toBe(0);
    else expect([200, 201, 204, 400, 404, 409, 429, 500, 502, 503, 504]).toContain(o.status);
    if (o.retryAfter !== undefined) expect([429, 503]).toContain(o.status);
    const call = httpCall(o);
    expect(call.outcome).toBe(o.reset !== true && o.status < 400 ? 'success' : 'failure');
    expect(call.duration).toBe(o.latency);
  });
  test.prop([httpCommandsArb({ keys: ['a', 'b'] })])('scenarios are calls (with keys) and advances', (commands) => {
    for (const c of commands) {
      if (c.type === 'call') expect(['a', 'b']).toContain(c.key);
      else expect(c.type).toBe('advance');
    }
  });
});
