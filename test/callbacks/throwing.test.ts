/**
 * Every user callback that throws: the call's error, the stream's error, or a skipped rule,
 * never a crash (RxJS's unhandled-error path) and never silence.
 */
import { BehaviorSubject, defer, lastValueFrom, NEVER, Observable, of, throwError, timer, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { captureUnhandled } from '../helpers/unhandled.js';
import {
  adaptiveConcurrency, adaptiveRateLimit, adaptiveThrottle, cache, circuitBreaker, exponential, fallback, fallbackLadder,
  healthCheck, operationMode, retryBackoff, type SystemHealth,
} from 'rx-resilience';

const oops = new Error('callback');
const boom = new Error('upstream');
const thrower = (): never => {
  throw oops;
};

const caught = captureUnhandled();
afterEach(() => {
  expect(caught.errors).toEqual([]);
});

/** Subscribes and returns how the stream ended. */
function outcome<T>(stream: Observable<T>): { values: T[]; error?: unknown; completed: boolean } {
  const result: { values: T[]; error?: unknown; completed: boolean } = { values: [], completed: false };
  stream.subscribe({ next: (v) => result.values.push(v), error: (e: unknown) => (result.error = e), complete: () => (result.completed = true) });
  return result;
}

describe('callbacks that judge a call: the call errors with what they threw, and counts as a failure', () => {
  it('circuit breaker isFailure: the thrown error replaces the upstream error; a failure that trips', () => {
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, isFailure: thrower });
    expect(outcome(throwError(() => boom).pipe(breaker)).error).toBe(oops);
    expect(breaker.stats()).toMatchObject({ state: 'open', totals: { failures: 1, ignored: 0 } });
  });

  it('circuit breaker isFailureResult: the call ends with the thrown error; isFailure is not asked about it', () => {
    const asked: unknown[] = [];
    const breaker = circuitBreaker({ isFailureResult: thrower, isFailure: (e) => (asked.push(e), false) });
    const r = outcome(of(1, 2).pipe(breaker));
    expect(r).toEqual({ values: [], error: oops, completed: false });
    expect(asked).toEqual([]);
    expect(breaker.stats().totals).toMatchObject({ failures: 1, ignored: 0 });
  });

  it('circuit breaker breakDuration: the tripping call errors with it; the breaker opens for the default break', () => {
    const scheduler = new VirtualTimeScheduler();
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: thrower, scheduler });
    expect(outcome(throwError(() => boom).pipe(breaker)).error).toBe(oops);
    expect(breaker.stats()).toMatchObject({ state: 'open', nextAttemptAt: 60_000 });
    // A succeeding half-open trial that needs no break duration passes through unchanged.
    scheduler.flush();
    expect(outcome(of(1).pipe(breaker))).toEqual({ values: [1], completed: true });
  });

  it('adaptive concurrency: isFailure and a throwing limit function fail the call and free its slot', () => {
    const limiter = adaptiveConcurrency({ window: false, initialLimit: 1, maxQueued: 1, isFailure: thrower });
    expect(outcome(throwError(() => boom).pipe(limiter)).error).toBe(oops);
    expect(limiter.stats()).toMatchObject({ active: 0 });
    // A random source that throws while the algorithm is built is a ConfigError naming it.
    expect(() => adaptiveConcurrency({ algorithm: { kind: 'vegas', random: thrower } })).toThrowError(/algorithm\.random/);
    const scheduler = new VirtualTimeScheduler();
    const vegas = adaptiveConcurrency({ window: false, initialLimit: 1, maxQueued: 1, scheduler, algorithm: { kind: 'vegas', alpha: thrower, beta: thrower, threshold: thrower } });
    // The first sample only measures; a later one needs alpha/beta/threshold: that sampled call
    // fails with the throw, and the call queued behind it still starts.
    let failedWith: unknown;
    for (let i = 0; i < 5 && failedWith === undefined; i++) {
      const a = outcome(timer(5, scheduler).pipe(vegas));
      const b = outcome(of(2).pipe(vegas));
      scheduler.flush();
      failedWith = a.error;
      expect(b.values).toEqual([2]);
    }
    expect(failedWith).toBe(oops);
    expect(vegas.stats()).toMatchObject({ active: 0, queued: 0 });
  });

  it('adaptive rate limit and adaptive throttle: isFailure, and the throttle random source', () => {
    const rate = adaptiveRateLimit({ base: 10, window: 10, isFailure: thrower });
    expect(outcome(throwError(() => boom).pipe(rate)).error).toBe(oops);
    const throttle = adaptiveThrottle({ isFailure: thrower, random: thrower, k: 1.01 });
    expect(outcome(throwError(() => boom).pipe(throttle)).error).toBe(oops);
    // Once requests outnumber accepts, the random source is asked: its throw is that call's error.
    for (let i = 0; i < 5; i++) outcome(throwError(() => boom).pipe(throttle));
    expect(outcome(of(1).pipe(throttle)).error).toBe(oops);
  });

  it('retryBackoff: shouldRetry, backoff and a jitter random source', async () => {
    const scheduler = new VirtualTimeScheduler();
    expect(outcome(throwError(() => boom).pipe(retryBackoff({ shouldRetry: thrower, scheduler }))).error).toBe(oops);
    expect(outcome(throwError(() => boom).pipe(retryBackoff({ backoff: thrower, scheduler }))).error).toBe(oops);
    const jittered = retryBackoff({ backoff: exponential({ initial: 10, jitter: 'full', random: thrower }), scheduler });
    expect(outcome(throwError(() => boom).pipe(jittered)).error).toBe(oops);
    await expect(lastValueFrom(of(1).pipe(retryBackoff({ shouldRetry: thrower })))).resolves.toBe(1);
  });

  it('fallback: when and the alternative factory', () => {
    expect(outcome(throwError(() => boom).pipe(fallback(of(0), { when: thrower }))).error).toBe(oops);
    expect(outcome(throwError(() => boom).pipe(fallback(thrower))).error).toBe(oops);
  });

  it('fallback ladder: when, a default rung function, and a wrap key function', () => {
    expect(outcome(throwError(() => boom).pipe(fallbackLadder({ when: thrower }).forKey('k'))).error).toBe(oops);
    expect(outcome(throwError(() => boom).pipe(fallbackLadder({ default: thrower }).forKey('k'))).error).toBe(oops);
    const wrapped = fallbackLadder({}).wrap((n: number) => of(n), thrower);
    expect(outcome(wrapped(1)).error).toBe(oops);
  });

  it('cache: a wrap key function', () => {
    const wrapped = cache({ ttl: 10 }).wrap((n: number) => of(n), thrower);
    expect(outcome(wrapped(1)).error).toBe(oops);
    expect(outcome(defer(() => wrapped(2))).error).toBe(oops);
  });
});

describe('callbacks that shape a stream: an unhealthy probe or a skipped rule, with the error shown', () => {
  it('healthCheck: a probe that throws synchronously is a failed probe whose report carries the error', () => {
    const scheduler = new VirtualTimeScheduler();
    const reports: { status: string; error: unknown }[] = [];
    const sub = healthCheck('db', thrower, { interval: 10, failureThreshold: 1, scheduler }).subscribe((r) => reports.push({ status: r.status, error: r.error }));
    scheduler.maxFrames = 25;
    scheduler.flush();
    sub.unsubscribe();
    expect(reports.length).toBeGreaterThan(0);
    expect(reports[0]).toEqual({ status: 'unhealthy', error: oops });
  });

  const health = (components: Record<string, 'healthy' | 'unhealthy'>): SystemHealth => ({
    status: 'healthy', at: 0, pending: [],
    components: Object.fromEntries(Object.entries(components).map(([name, status]) => [name, { name, status, critical: false, kind: 'shallow', since: 0, at: 0, latency: 0, details: undefined } as never])),
  });

  it('operationMode: a `when` that reads a component not reported yet skips its rule, listed in ruleErrors', () => {
    const health$ = new BehaviorSubject(health({ db: 'healthy' }));
    const mode = operationMode({
      health$,
      rules: [
        { mode: 'EMERGENCY', when: (h) => (h.components as Record<string, { status: string }>).cache!.status === 'unhealthy', reason: 'cache down' },
        { mode: 'DEGRADED', when: (h) => h.components.db!.status === 'unhealthy', reason: 'db down' },
      ],
    });
    const reports: { mode: string; errors: string[] }[] = [];
    const sub = mode.mode$.subscribe((r) => reports.push({ mode: r.mode, errors: r.ruleErrors.map((e) => `${e.rule} ${e.callback}`) }));
    health$.next(health({ db: 'unhealthy' }));
    health$.next(health({ db: 'unhealthy', cache: 'unhealthy' }));
    sub.unsubscribe();
    expect(reports).toEqual([
      { mode: 'NORMAL', errors: ['0 when'] },
      { mode: 'DEGRADED', errors: ['0 when'] },
      { mode: 'EMERGENCY', errors: [] },
    ]);
    expect(mode.stats().ruleErrors).toEqual([]);
  });

  it('operationMode: a throwing reason or components keeps the matched rule, with a placeholder and the default', () => {
    const mode = operationMode({
      health$: of(health({ db: 'unhealthy' })),
      rules: [{ mode: 'DEGRADED', when: () => true, reason: thrower, components: thrower }],
    });
    let report = mode.stats();
    mode.mode$.subscribe((r) => (report = r)).unsubscribe();
    expect(report.mode).toBe('DEGRADED');
    expect(report.reasons[0]).toMatchObject({ reason: 'rule 0 (DEGRADED) matched; its reason threw: Error: callback', components: ['db'] });
    expect(report.ruleErrors.map((e) => [e.callback, e.error, e.message])).toEqual([['reason', oops, 'Error: callback'], ['components', oops, 'Error: callback']]);
  });

  it('operationMode.degradable: a fallback factory that throws is the error of the call it would serve', () => {
    const mode = operationMode({ health$: of(health({ db: 'unhealthy' })) });
    expect(outcome(NEVER.pipe(mode.degradable(thrower))).error).toBe(oops);
    expect(outcome(timer(1).pipe(mode.degradable(() => of('cached')))).values).toEqual(['cached']);
  });
});
