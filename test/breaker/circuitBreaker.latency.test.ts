/** `latency: true`: call durations over the breaker's window in `stats()` and `metrics$`. */
import { fc, test } from '@fast-check/vitest';
import { defer, Observable, of, takeUntil, timer, VirtualTimeScheduler, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, ConfigError, type CircuitBreaker, type CircuitBreakerConfig, type CircuitBreakerStats } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

const boom = new Error('boom');
const noop = { error: () => undefined };

/** One call through `breaker` lasting `ms` on `scheduler`, run to its end. */
function run(scheduler: VirtualTimeScheduler, breaker: CircuitBreaker, ms: number, fails = false): void {
  const source = new Observable<number>((s) => {
    const action = scheduler.schedule(() => (fails ? s.error(boom) : s.complete()), ms);
    return () => action.unsubscribe();
  });
  defer(() => source).pipe(breaker).subscribe(noop);
  scheduler.flush();
}

/** A scheduler that counts its clock readings. */
function countingClock(): SchedulerLike & { reads: number } {
  const s = new VirtualTimeScheduler();
  const clock = { reads: 0, now: () => (clock.reads++, s.now()), schedule: s.schedule.bind(s) };
  return clock as SchedulerLike & { reads: number };
}

describe('circuitBreaker latency', () => {
  it('is off by default: no latency in stats, and a closed breaker reads no clock per call', () => {
    const scheduler = countingClock();
    const breaker = circuitBreaker({ scheduler });
    of(1).pipe(breaker).subscribe();
    expect(scheduler.reads).toBe(0);
    expect('latency' in breaker.stats()).toBe(false);
  });

  it('with latency: true reads the clock at both ends of a call', () => {
    const scheduler = countingClock();
    const breaker = circuitBreaker({ scheduler, latency: true });
    of(1).pipe(breaker).subscribe();
    expect(scheduler.reads).toBe(2);
    expect(breaker.stats().latency).toEqual({ count: 1, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });

  it('count strategy: the last size calls that succeeded or failed, late ones included, kept across transitions', () => {
    testScheduler().run(({ cold, flush }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'count', size: 3, minimumCalls: 3, failureRateThreshold: 1 }, latency: true });
      cold('----------|').pipe(breaker).subscribe(); // 10 ms, late: finishes after the breaker opened
      cold('--#', undefined, boom).pipe(breaker).subscribe(noop);
      cold('----#', undefined, boom).pipe(breaker).subscribe(noop);
      cold('------#', undefined, boom).pipe(breaker).subscribe(noop);
      cold('-#', undefined, new Error('benign')).pipe(circuitBreaker({ latency: true })).subscribe(noop);
      flush();
      const stats = breaker.stats();
      expect(stats.state).toBe('half-open'); // opened at 6, half-open after the break
      expect(stats.calls).toBe(0);
      expect(stats.latency).toMatchObject({ count: 3, mean: (4 + 6 + 10) / 3, p50: expect.closeTo(6, 0) as number });
      expect(stats.latency!.max).toBeGreaterThan(9.7);
      expect(stats.latency!.max).toBeLessThan(10.3);
    });
  });

  it('leaves out ignored and cancelled calls', () => {
    testScheduler().run(({ cold, flush }) => {
      const breaker = circuitBreaker({ latency: true, isFailure: () => false });
      cold('--#', undefined, boom).pipe(breaker).subscribe(noop);
      cold('-----|').pipe(breaker, takeUntil(timer(2))).subscribe(); // cancelled before its first value
      cold('---|').pipe(breaker).subscribe();
      flush();
      expect(breaker.stats().latency).toMatchObject({ count: 1, mean: 3 });
    });
  });

  it('time strategy: samples leave with the window buckets', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const breaker = circuitBreaker({ strategy: { kind: 'time', duration: 100, buckets: 4 }, latency: true, scheduler });
    run(scheduler, breaker, 5); // ends at 5: bucket [0, 25)
    scheduler.frame = 40;
    run(scheduler, breaker, 33); // ends at 73: bucket [50, 75)
    expect(breaker.stats().latency).toMatchObject({ count: 2, mean: 19 });
    scheduler.frame = 100; // the window is [25, 125)
    expect(breaker.stats().latency).toMatchObject({ count: 1, mean: 33 });
  });

  it('consecutive strategy: a rolling latencyWindow (default 60 s) that drops a tenth at a time', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const breaker = circuitBreaker({ latency: true, latencyWindow: 1_000, scheduler });
    run(scheduler, breaker, 40);
    scheduler.frame = 950;
    run(scheduler, breaker, 20);
    expect(breaker.stats().latency).toMatchObject({ count: 2, mean: 30 });
    scheduler.frame = 1_000; // the slot [0, 100) holding the first call has left
    expect(breaker.stats().latency).toMatchObject({ count: 1, mean: 20 });
    const byDefault = circuitBreaker({ latency: true, scheduler });
    of(1).pipe(byDefault).subscribe(); // at 1 000: slot [0, 6 000)
    scheduler.frame = 59_999;
    expect(byDefault.stats().latency!.count).toBe(1);
    scheduler.frame = 60_000;
    expect(byDefault.stats().latency!.count).toBe(0);
  });

  it('metrics$ carries the summary after every outcome', () => {
    testScheduler().run(({ cold, flush }) => {
      const breaker = circuitBreaker({ latency: true });
      const seen: CircuitBreakerStats[] = [];
      breaker.metrics$.subscribe((s) => seen.push(s));
      cold('--|').pipe(breaker).subscribe();
      cold('----#', undefined, boom).pipe(breaker).subscribe(noop);
      flush();
      expect(seen.map((s) => s.latency?.count)).toEqual([0, 1, 2]);
      expect(seen[2]!.latency).toMatchObject({ mean: 3 });
    });
  });

  it.each<[string, unknown, RegExp]>([
    ['latency', { latency: 1 }, /a boolean/],
    ['latencyWindow', { latencyWindow: 1_000 }, /unless latency is true/],
    ['latencyWindow', { latency: true, latencyWindow: -1 }, /> 0/],
    ['latencyWindow', { latency: true, latencyWindow: 1_000, strategy: { kind: 'count' } }, /count window/],
    ['latencyWindow', { latency: true, latencyWindow: 1_000, strategy: { kind: 'time' } }, /time window/],
    ['latencyWindw', { latency: true, latencyWindw: 1_000 }, /known options/],
  ])('refuses a bad %s', (field, config, allowed) => {
    let thrown: unknown;
    try {
      circuitBreaker(config as CircuitBreakerConfig);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).field).toBe(field);
    expect((thrown as ConfigError).allowed).toMatch(allowed);
  });

  test.prop([fc.integer({ min: 1, max: 20 }), fc.array(fc.record({ ms: fc.integer({ min: 0, max: 5_000 }), fails: fc.boolean() }), { minLength: 1, maxLength: 60 })])(
    'reports the last size durations within 3 % of an exact sort',
    (size, calls) => {
      const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
      const breaker = circuitBreaker({ strategy: { kind: 'count', size, failureRateThreshold: 1, minimumCalls: size }, breakDuration: 1, latency: true, scheduler });
      for (const { ms, fails } of calls) {
        breaker.reset(); // stay closed: every call is admitted
        run(scheduler, breaker, ms, fails);
      }
      const last = calls.slice(-size).map((c) => c.ms).sort((a, b) => a - b);
      const rank = (q: number) => last[Math.ceil(q * last.length) - 1]!;
      const latency = breaker.stats().latency!;
      expect(latency.count).toBe(last.length);
      expect(latency.mean).toBeCloseTo(last.reduce((a, b) => a + b, 0) / last.length, 9);
      for (const [got, want] of [[latency.p50, rank(0.5)], [latency.p90, rank(0.9)], [latency.p99, rank(0.99)], [latency.max, last[last.length - 1]!]] as const) {
        expect(Math.abs(got - want)).toBeLessThanOrEqual(0.03 * want);
      }
    },
  );
});
