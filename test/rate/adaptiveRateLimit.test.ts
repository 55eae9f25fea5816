import { concat, defer, mergeMap, NEVER, of, throwError, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { adaptiveRateLimit, RateLimitedError, type AdaptiveRateLimitEvent } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';

const boom = new Error('boom');

/** Runs `outcomes` (true = success) as calls at `at`, each through the limiter. */
function callsAt(limiter: ReturnType<typeof adaptiveRateLimit>, scheduler: VirtualTimeScheduler, at: number, outcomes: boolean[]): void {
  scheduler.schedule(() => {
    for (const ok of outcomes) (ok ? of(1) : throwError(() => boom)).pipe(limiter).subscribe({ error: () => undefined });
  }, at);
}

describe('adaptiveRateLimit', () => {
  it('lowers the rate by decrease when a period falls under the threshold, and raises it by increase when it recovers', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = adaptiveRateLimit({ name: 'ad', base: 100, window: 1_000, minimumCalls: 10, scheduler });
    const rates: number[] = [];
    const events: AdaptiveRateLimitEvent[] = [];
    limiter.rate$.subscribe((r) => rates.push(r));
    limiter.events$.subscribe((e) => e.type === 'rate' && events.push(e));
    callsAt(limiter, scheduler, 0, [true, true, true, true, true, true, false, false, false]); // 9 calls: not enough yet
    callsAt(limiter, scheduler, 1_000, [false]); // 10 calls, 0.6 < 0.8, period long enough
    callsAt(limiter, scheduler, 1_500, Array<boolean>(10).fill(true)); // a new period, not yet a window long
    callsAt(limiter, scheduler, 2_000, [true]); // 11 successes: 1.0
    scheduler.flush();
    expect(rates).toEqual([100, 70, 84]);
    expect(events).toEqual([
      { type: 'rate', policy: 'ad', at: 1_000, from: 100, to: 70, successRate: 0.6 },
      { type: 'rate', policy: 'ad', at: 2_000, from: 70, to: 84, successRate: 1 },
    ]);
    expect(limiter.stats()).toMatchObject({ limit: 84 });
  });

  it('keeps the rate within min and max (max defaults to base)', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = adaptiveRateLimit({ base: 10, min: 6, window: 10, minimumCalls: 1, decrease: 0.5, scheduler });
    const rates: number[] = [];
    limiter.rate$.subscribe((r) => rates.push(r));
    callsAt(limiter, scheduler, 10, [false]);
    callsAt(limiter, scheduler, 20, [false]);
    callsAt(limiter, scheduler, 30, [true]);
    callsAt(limiter, scheduler, 40, [true]);
    callsAt(limiter, scheduler, 50, [true]);
    scheduler.flush();
    expect(rates).toEqual([10, 6, 7.199999999999999, 8.639999999999999, 10]);
  });

  it('admits floor(rate) calls per sliding window, rejecting with the exact retryAfter', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = adaptiveRateLimit({ name: 'lim', base: 2.5, window: 10 });
      const callAt = (t: number) => timer(t).pipe(mergeMap(() => of(t).pipe(limiter)));
      expectObservable(callAt(0)).toBe('(x|)', { x: 0 });
      expectObservable(callAt(3)).toBe('---(x|)', { x: 3 });
      expectObservable(callAt(4)).toBe('----#', undefined, new RateLimitedError('lim', 6));
    });
  });

  it('counts neither cancelled calls, ignored errors nor its own rejections', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = adaptiveRateLimit({ base: 3, window: 10, minimumCalls: 2, isFailure: (e) => e !== 'benign', scheduler });
    const rates: number[] = [];
    limiter.rate$.subscribe((r) => rates.push(r));
    const held = NEVER.pipe(limiter);
    scheduler.schedule(() => {
      throwError(() => 'benign').pipe(limiter).subscribe({ error: () => undefined });
      defer(() => timer(100, scheduler)).pipe(limiter).subscribe().unsubscribe();
      const open = held.subscribe();
      scheduler.schedule(() => open.unsubscribe(), 20); // cancelled before any value
      of(1).pipe(limiter).subscribe({ error: () => undefined }); // rejected: 3 admitted already
    }, 10);
    scheduler.schedule(() => throwError(() => boom).pipe(limiter).subscribe({ error: () => undefined }), 20);
    scheduler.flush();
    expect(rates).toEqual([3]); // one counted outcome: the period is not judged
    expect(limiter.stats()).toMatchObject({ admitted: 4, rejected: 1 });
  });

  it('judges values with isFailureResult', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = adaptiveRateLimit({ base: 10, window: 1, minimumCalls: 2, isFailureResult: (v: number) => v >= 500, scheduler });
    scheduler.schedule(() => concat(of(503).pipe(limiter), of(503).pipe(limiter)).subscribe(), 1);
    scheduler.flush();
    expect(limiter.stats().limit).toBe(7);
  });

  it.each([
    ['base', {}],
    ['base', { base: 0.5 }],
    ['min', { base: 5, min: 6 }],
    ['max', { base: 5, max: 4 }],
    ['threshold', { base: 5, threshold: 0 }],
    ['decrease', { base: 5, decrease: 1 }],
    ['increase', { base: 5, increase: 1 }],
    ['window', { base: 5, window: 0 }],
    ['minimumCalls', { base: 5, minimumCalls: 0 }],
    ['cost', { base: 5, min: 1, cost: 2 }],
    ['maxKeys', { base: 5, maxKeys: 10 }],
    ['isFailure', { base: 5, isFailure: true }],
  ])('refuses a bad %s', (field, config) => {
    expectConfigError(() => adaptiveRateLimit(config as never), field);
  });
});
