/** Every number is bounded, and every bound is a ConfigError naming the field (issue: hardening, class 5). */
import { asyncScheduler, defer, firstValueFrom, lastValueFrom, of, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adaptiveConcurrency,
  adaptiveRateLimit,
  adaptiveThrottle,
  bulkhead,
  cache,
  circuitBreaker,
  ConfigError,
  exponential,
  fallbackLadder,
  fixedWindow,
  healthCheck,
  hedge,
  linear,
  memoryStore,
  retryBackoff,
  retryBudget,
  slidingWindow,
  timeLimit,
  tokenBucket,
  type CircuitBreaker,
} from 'rx-resilience';

const LONG = 2 ** 31;

function refused(build: () => unknown, field: string): ConfigError {
  let caught: unknown;
  try {
    build();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigError);
  expect((caught as ConfigError).field).toBe(field);
  return caught as ConfigError;
}

describe('durations are at most 2^31 - 1 ms, in every factory', () => {
  const cases: [string, () => unknown][] = [
    ['queueTimeout', () => bulkhead({ maxConcurrent: 1, maxQueued: 1, queueTimeout: LONG })],
    ['queueTimeout', () => adaptiveConcurrency({ queueTimeout: LONG })],
    ['breakDuration', () => circuitBreaker({ breakDuration: LONG })],
    ['slowCallDuration', () => circuitBreaker({ slowCallDuration: LONG })],
    ['strategy.duration', () => circuitBreaker({ strategy: { kind: 'time', duration: 2 ** 32, buckets: 2 } })],
    ['maxDelay', () => retryBackoff({ maxDelay: LONG })],
    ['maxElapsed', () => retryBackoff({ maxElapsed: Infinity })],
    ['max', () => exponential({ max: LONG })],
    ['step', () => linear({ step: LONG })],
    ['window', () => retryBudget({ window: LONG })],
    ['duration', () => timeLimit({ duration: LONG })],
    ['each', () => timeLimit({ each: LONG })],
    ['delay', () => hedge({ delay: LONG })],
    ['window', () => slidingWindow({ limit: 1, window: LONG })],
    ['window', () => fixedWindow({ limit: 1, window: 1e300 })],
    ['maxWait', () => fixedWindow({ limit: 1, mode: 'wait', maxWait: LONG })],
    ['refill.every', () => tokenBucket({ capacity: 1, refill: { tokens: 1, every: LONG } })],
    ['ttl', () => cache({ ttl: LONG })],
    ['staleTtl', () => cache({ ttl: 1, staleTtl: LONG })],
    ['staleTtl', () => fallbackLadder({ cache: cache({ ttl: 1, staleTtl: LONG }) })],
    ['interval', () => healthCheck('x', () => of({ status: 'UP' as const }), { interval: LONG })],
    ['window', () => adaptiveThrottle({ window: LONG })],
    ['window', () => adaptiveRateLimit({ base: 2, window: LONG })],
    ['algorithm.timeout', () => adaptiveConcurrency({ algorithm: { kind: 'aimd', timeout: LONG } })],
  ];
  it.each(cases)('%s', (field, build) => {
    const error = refused(build, field);
    expect(error.message).toMatch(/2147483647|finite|>= |> 0/);
  });

  it('names the bound in words', () => {
    expect(refused(() => bulkhead({ maxConcurrent: 1, queueTimeout: LONG }), 'queueTimeout').message).toContain('<= 2147483647 ms (about 24.8 days)');
  });

  it('accepts the bound itself', () => {
    expect(() => bulkhead({ maxConcurrent: 1, maxQueued: 1, queueTimeout: 2 ** 31 - 1 })).not.toThrow();
  });

  it('clamps a breakDuration function result past the bound at run time', () => {
    const scheduler = new VirtualTimeScheduler();
    const breaker: CircuitBreaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: () => 1e300, scheduler });
    throwError(() => new Error('x')).pipe(breaker).subscribe({ error: () => undefined });
    const saved = breaker.exportState();
    expect(saved.state).toBe('open');
    expect(saved.until! - scheduler.now()).toBe(2 ** 31 - 1);
  });

  it('a runtime backoff delay past the bound waits maxDelay', () => {
    const scheduler = new VirtualTimeScheduler();
    const delays: number[] = [];
    const retry = retryBackoff({ maxAttempts: 2, backoff: () => 1e300, scheduler });
    retry.events$.subscribe((e) => e.type === 'retry' && delays.push(e.delay));
    throwError(() => new Error('x')).pipe(retry).subscribe({ error: () => undefined });
    expect(delays[0]!).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});

describe('a wait computed at run time beyond the longest timer', () => {
  it('a breaker restored open for 2^32 ms stays open past 2^31 - 1 ms and half-opens on time', () => {
    const scheduler = new VirtualTimeScheduler();
    const until = 2 ** 32;
    const breaker = circuitBreaker({ scheduler, initialState: { version: 1, state: 'open', openedAt: 0, until, opens: 1, window: circuitBreaker().exportState().window } });
    const delays = scheduler.actions.map((a) => a.delay);
    expect(Math.max(...delays)).toBeLessThanOrEqual(2 ** 31 - 1);
    scheduler.maxFrames = 2 ** 31;
    scheduler.flush();
    expect(breaker.stats().state).toBe('open');
    scheduler.maxFrames = Infinity;
    scheduler.flush();
    expect(breaker.stats().state).toBe('half-open');
    expect(scheduler.now()).toBe(until);
  });

  it('a waiter far back in a wait-mode queue wakes within the bound and is admitted on time', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = fixedWindow({ limit: 1, window: 2 ** 31 - 1, mode: 'wait', scheduler });
    const admittedAt: number[] = [];
    for (let i = 0; i < 3; i++) of(i).pipe(limiter).subscribe(() => admittedAt.push(scheduler.now()));
    expect(scheduler.actions.every((a) => a.delay <= 2 ** 31 - 1)).toBe(true);
    scheduler.flush();
    expect(admittedAt).toEqual([0, 2 ** 31 - 1, 2 * (2 ** 31 - 1)]);
  });
});

describe('sizes have a maximum', () => {
  const cases: [string, () => unknown][] = [
    ['strategy.size', () => circuitBreaker({ strategy: { kind: 'count', size: 2 ** 40 } })],
    ['strategy.size', () => circuitBreaker({ strategy: { kind: 'count', size: 1_000_001 } })],
    ['strategy.buckets', () => circuitBreaker({ strategy: { kind: 'time', duration: 2_000_002, buckets: 2_000_001 } })],
    ['halfOpenMaxCalls', () => circuitBreaker({ halfOpenMaxCalls: 2 ** 31 })],
    ['limit', () => slidingWindow({ limit: 1_000_001, window: 1_000 })],
    ['limit', () => fixedWindow({ limit: 2 ** 31, window: 1_000 })],
    ['maxQueued', () => bulkhead({ maxConcurrent: 1, maxQueued: 2 ** 31 })],
    ['maxConcurrent', () => bulkhead({ maxConcurrent: 2 ** 31 })],
    ['maxKeys', () => memoryStore({ maxKeys: 2 ** 31 })],
    ['maxEntries', () => cache({ ttl: 1, maxEntries: 2 ** 40 })],
    ['maxHedges', () => hedge({ maxHedges: 1_000_001 })],
    ['maxAttempts', () => retryBackoff({ maxAttempts: 2 ** 31 })],
    ['base', () => adaptiveRateLimit({ base: 1e7 })],
    ['max', () => adaptiveRateLimit({ base: 2, max: 1e7 })],
    ['capacity', () => tokenBucket({ capacity: 1e12, refill: { tokens: 1e9 } })],
    ['minPerSecond', () => retryBudget({ minPerSecond: 1e300 })],
  ];
  it.each(cases)('%s', (field, build) => {
    refused(build, field);
  });

  it('accepts the documented maximum of an allocating size', () => {
    expect(() => circuitBreaker({ strategy: { kind: 'count', size: 1_000_000 } })).not.toThrow();
    expect(() => slidingWindow({ limit: 1_000_000, window: 1_000 })).not.toThrow();
  });
});

describe('derived arithmetic is checked at build', () => {
  it('refuses a token bucket whose refill rate underflows', () => {
    refused(() => tokenBucket({ capacity: 1, refill: { tokens: 1e-300, every: 1e9 } }), 'refill.tokens');
  });

  it('refuses a token bucket that could never fill within the longest duration', () => {
    refused(() => tokenBucket({ capacity: 1_000, refill: { tokens: 1e-6, every: 1_000 } }), 'refill.tokens');
  });

  it('refuses a token bucket refilling faster than a token per microsecond', () => {
    refused(() => tokenBucket({ capacity: 1e9, refill: { tokens: 1e12, every: 1 } }), 'refill.tokens');
  });

  it('a bucket at the edge of the bounds gives finite answers', async () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = tokenBucket({ capacity: 1, refill: { tokens: 1, every: 2 ** 31 - 1 }, scheduler });
    await lastValueFrom(of(1).pipe(limiter));
    const error = await firstValueFrom(of(1).pipe(limiter)).catch((e: unknown) => e);
    expect(Number.isFinite((error as { retryAfter: number }).retryAfter)).toBe(true);
  });
});

describe('tiny windows do not hang', () => {
  it('refuses windows shorter than one ms per bucket', () => {
    refused(() => retryBudget({ window: 0.001 }), 'window');
    refused(() => retryBudget({ window: 9 }), 'window');
    refused(() => adaptiveThrottle({ window: 5 }), 'window');
    refused(() => slidingWindow({ limit: 1, window: 0.5 }), 'window');
    refused(() => fixedWindow({ limit: 1, window: 1e-9 }), 'window');
    refused(() => circuitBreaker({ strategy: { kind: 'time', duration: 0.5, buckets: 1 } }), 'strategy.duration');
  });

  it('the smallest retry budget window works on the real clock', () => {
    const budget = retryBudget({ window: 10, scheduler: asyncScheduler });
    for (let i = 0; i < 100; i++) budget.deposit();
    expect(budget.stats().deposits).toBe(100);
  });
});

describe('null, Date, RegExp, Map, arrays and class instances are not defaults', () => {
  class Options {
    ttl = 5;
  }
  const odd = [null, new Date(0), /x/, new Map(), [], new Options()];
  it.each(odd.map((v) => [Object.prototype.toString.call(v), v] as const))('%s as a number, or as the config', (_tag, value) => {
    refused(() => bulkhead({ maxConcurrent: value as never }), 'maxConcurrent');
    refused(() => circuitBreaker({ breakDuration: value as never }), 'breakDuration');
    refused(() => timeLimit({ duration: value as never }), 'duration');
    refused(() => cache({ ttl: 1, maxEntries: value as never }), 'maxEntries');
    refused(() => tokenBucket({ capacity: 1, refill: value as never }), 'refill');
    refused(() => retryBackoff({ name: value as never }), 'name');
    refused(() => retryBackoff({ resetOnSuccess: value as never }), 'resetOnSuccess');
    if (value !== null) refused(() => cache(value as never), 'config');
  });

  it('still accepts an object without a prototype', () => {
    const config = Object.assign(Object.create(null) as object, { maxConcurrent: 2 });
    expect(bulkhead(config as never).stats().limit).toBe(2);
  });
});

describe('a source erroring synchronously', () => {
  it('is still retried and reported, with the bounded defaults', async () => {
    const error = await lastValueFrom(defer(() => throwError(() => new Error('x'))).pipe(retryBackoff({ maxAttempts: 2, backoff: () => 0 }))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
  });
});
