/** `latency: true` on the bulkhead, the time limit and the retry policy: `stats().latency` over a rolling window. */
import { fc, test } from '@fast-check/vitest';
import { defer, Observable, takeUntil, timer, VirtualTimeScheduler, type SchedulerLike } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { bulkhead, ConfigError, constant, retryBackoff, timeLimit } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

const boom = new Error('boom');
const noop = { error: () => undefined };

/** A scheduler that counts its clock readings. */
function countingClock(): SchedulerLike & { reads: number } {
  const s = new VirtualTimeScheduler();
  const clock = { reads: 0, now: () => (clock.reads++, s.now()), schedule: s.schedule.bind(s) };
  return clock as SchedulerLike & { reads: number };
}

function refusal(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return `${(error as ConfigError).field}: ${(error as ConfigError).allowed}`;
  }
  return 'accepted';
}

describe('bulkhead latency', () => {
  it('is off by default, and then reads no clock for a call with a free slot', () => {
    const scheduler = countingClock();
    const pool = bulkhead({ maxConcurrent: 1, scheduler });
    defer(() => [1]).pipe(pool).subscribe();
    expect(scheduler.reads).toBe(0);
    expect('latency' in pool.stats()).toBe(false);
  });

  it('reports how long calls held a slot (queue wait left out), not cancelled ones', () => {
    testScheduler().run(({ cold, flush }) => {
      const pool = bulkhead({ maxConcurrent: 1, maxQueued: 5, latency: true });
      cold('----|').pipe(pool).subscribe(); // 0-4
      cold('--#', undefined, boom).pipe(pool).subscribe(noop); // waits 4, runs 4-6
      cold('------|').pipe(pool, takeUntil(timer(7))).subscribe(); // runs 6-7, cancelled before a value
      flush();
      expect(pool.stats()).toMatchObject({ admitted: 3, latency: { count: 2, mean: 3 } });
      expect(pool.stats().latency!.max).toBeCloseTo(4, 0);
    });
  });

  it('forgets samples older than latencyWindow', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const pool = bulkhead({ maxConcurrent: 1, latency: true, latencyWindow: 100, scheduler });
    defer(() => [1]).pipe(pool).subscribe();
    scheduler.frame = 99;
    expect(pool.stats().latency!.count).toBe(1);
    scheduler.frame = 100;
    expect(pool.stats().latency!.count).toBe(0);
  });

  it('refuses bad options', () => {
    expect(refusal(() => bulkhead({ maxConcurrent: 1, latency: 'on' as never }))).toBe('latency: a boolean');
    expect(refusal(() => bulkhead({ maxConcurrent: 1, latencyWindow: 5 }))).toBe('latencyWindow: left out unless latency is true');
    expect(refusal(() => bulkhead({ maxConcurrent: 1, latency: true, latencyWindow: 0 }))).toMatch(/^latencyWindow: a finite number/);
  });
});

describe('timeLimit latency', () => {
  it('has stats() with no latency by default', () => {
    expect(timeLimit({ name: 't', duration: 5 }).stats()).toEqual({ name: 't' });
  });

  it('counts completed, errored and timed-out calls from subscribe to end, not cancelled ones', () => {
    testScheduler().run(({ cold, flush }) => {
      const limit = timeLimit({ duration: 10, latency: true });
      cold('--|').pipe(limit).subscribe(); // 2
      cold('----#', undefined, boom).pipe(limit).subscribe(noop); // 4
      cold('------------|').pipe(limit).subscribe(noop); // times out at 10
      cold('-----|').pipe(limit, takeUntil(timer(1))).subscribe(); // cancelled
      flush();
      const { latency } = limit.stats();
      expect(latency).toMatchObject({ count: 3, mean: 16 / 3 });
      expect(latency!.max).toBeCloseTo(10, 0);
    });
  });

  it('refuses bad options', () => {
    expect(refusal(() => timeLimit({ duration: 1, latency: 1 as never }))).toBe('latency: a boolean');
    expect(refusal(() => timeLimit({ duration: 1, latency: true, latencyWindow: -3 }))).toMatch(/^latencyWindow/);
    expect(refusal(() => timeLimit({ duration: 1, latencyWindo: 3 } as never))).toMatch(/^latencyWindo: one of the known options/);
  });
});

describe('retryBackoff latency', () => {
  it('has stats() with no latency by default', () => {
    expect(retryBackoff({ name: 'r' }).stats()).toEqual({ name: 'r' });
  });

  it('measures the whole call, every attempt and wait included, until success or give-up', () => {
    testScheduler().run(({ cold, flush }) => {
      const retry = retryBackoff({ maxAttempts: 3, backoff: constant(10), latency: true });
      let n = 0;
      defer(() => (++n < 3 ? cold('-#', undefined, boom) : cold('--|'))).pipe(retry).subscribe(); // 1 + 10 + 1 + 10 + 2 = 24
      cold('---#', undefined, boom).pipe(retry).subscribe(noop); // 3 attempts of 3 ms, 2 waits: 29, gives up
      cold('-----|').pipe(retry, takeUntil(timer(2))).subscribe(); // cancelled
      flush();
      expect(retry.stats().latency).toMatchObject({ count: 2, mean: (24 + 29) / 2 });
    });
  });

  it('refuses bad options', () => {
    expect(refusal(() => retryBackoff({ latency: null as never }))).toBe('latency: a boolean');
    expect(refusal(() => retryBackoff({ latencyWindow: 1 }))).toBe('latencyWindow: left out unless latency is true');
  });
});

describe('latency of a policy against an exact sort', () => {
  test.prop([fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 80 })])('bulkhead: every quantile within 3 % of the nearest-rank value', (durations) => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const pool = bulkhead({ maxConcurrent: 100, latency: true, latencyWindow: 1e9, scheduler });
    for (const ms of durations) {
      new Observable<number>((s) => {
        const a = scheduler.schedule(() => s.complete(), ms);
        return () => a.unsubscribe();
      }).pipe(pool).subscribe();
    }
    scheduler.flush();
    const sorted = [...durations].sort((a, b) => a - b);
    const rank = (q: number) => sorted[Math.ceil(q * sorted.length) - 1]!;
    const latency = pool.stats().latency!;
    expect(latency.count).toBe(durations.length);
    expect(latency.mean).toBeCloseTo(durations.reduce((a, b) => a + b, 0) / durations.length, 9);
    for (const [got, want] of [[latency.p50, rank(0.5)], [latency.p90, rank(0.9)], [latency.p99, rank(0.99)], [latency.max, sorted[sorted.length - 1]!]] as const) {
      expect(Math.abs(got - want)).toBeLessThanOrEqual(0.03 * want);
    }
  });
});
