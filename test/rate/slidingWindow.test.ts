import { fc, test } from '@fast-check/vitest';
import { mergeMap, of, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { RateLimitedError, slidingWindow } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { inArrivalOrder, runScenario, scenarioArb } from './scenario.js';
import { expectConfigError } from '../helpers/configError.js';

describe('slidingWindow', () => {
  it('admits limit calls in any window and names the exact instant the oldest leaves', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = slidingWindow({ name: 'sw', limit: 2, window: 6 });
      const callAt = (t: number) => timer(t).pipe(mergeMap(() => of(t).pipe(limiter)));
      expectObservable(callAt(0)).toBe('(x|)', { x: 0 });
      expectObservable(callAt(2)).toBe('--(x|)', { x: 2 });
      expectObservable(callAt(4)).toBe('----#', undefined, new RateLimitedError('sw', 2));
      expectObservable(callAt(6)).toBe('------(x|)', { x: 6 }); // the call at 0 left at 6
      expectObservable(callAt(7)).toBe('-------#', undefined, new RateLimitedError('sw', 1));
      expectObservable(callAt(8)).toBe('--------(x|)', { x: 8 });
    });
  });

  it('is exact, unlike a weighted window: no call slips in early at a window boundary', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = slidingWindow({ limit: 3, window: 100, scheduler });
    const admitted: number[] = [];
    for (const t of [90, 95, 99, 100, 150, 189, 190, 195]) {
      scheduler.schedule(() => of(t).pipe(limiter).subscribe({ next: (v) => admitted.push(v), error: () => undefined }), t);
    }
    scheduler.flush();
    expect(admitted).toEqual([90, 95, 99, 190, 195]);
  });

  it('wait mode queues behind the log and walks whole windows for a long queue', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = slidingWindow({ name: 'q', limit: 2, window: 10, mode: 'wait', maxWait: 25 });
      const callAt = (t: number, v: string) => timer(t).pipe(mergeMap(() => of(v).pipe(limiter)));
      expectObservable(callAt(0, 'a')).toBe('(a|)');
      expectObservable(callAt(1, 'b')).toBe('-(b|)');
      expectObservable(callAt(2, 'c')).toBe('10ms (c|)');
      expectObservable(callAt(2, 'd')).toBe('11ms (d|)');
      expectObservable(callAt(2, 'e')).toBe('20ms (e|)');
      expectObservable(callAt(3, 'f')).toBe('21ms (f|)');
      expectObservable(callAt(3, 'g')).toBe('---#', undefined, new RateLimitedError('q', 27)); // would wait until 30
    });
  });

  it('charges cost in units and reports units left', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = slidingWindow({ limit: 5, window: 10, cost: 2, scheduler });
    of(1).pipe(limiter).subscribe();
    of(1).pipe(limiter.forKey('')).subscribe();
    expect(limiter.stats()).toMatchObject({ remaining: 1, admitted: 2, keys: 1 });
    let error: unknown;
    of(1).pipe(limiter).subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toMatchObject({ retryAfter: 10 });
    scheduler.schedule(() => expect(limiter.stats()).toMatchObject({ remaining: 5, keys: 0 }), 10);
    scheduler.flush();
  });

  it.each([
    ['limit', {}],
    ['limit', { limit: 1.5 }],
    ['limit', { limit: 0 }],
    ['window', { limit: 2, window: 0 }],
    ['cost', { limit: 2, cost: 3 }],
    ['cost', { limit: 2, cost: 0.5 }],
    ['size', { limit: 2, size: 3 }],
  ])('refuses a bad %s', (field, config) => {
    expectConfigError(() => slidingWindow(config as never), field);
  });

  const configArb = fc.record({
    limit: fc.integer({ min: 1, max: 5 }),
    window: fc.integer({ min: 1, max: 40 }),
    costShare: fc.constantFrom(1, 2),
    mode: fc.constantFrom('reject' as const, 'wait' as const),
  }).map((c) => ({ ...c, cost: Math.min(c.limit, c.costShare) }));

  test.prop([configArb, scenarioArb()])('over any window, admitted cost <= limit; wait mode keeps arrival order; nothing left scheduled', (config, calls) => {
    const run = runScenario(calls, (scheduler) => slidingWindow({ ...withoutShare(config), scheduler }), { limit: config.limit, window: config.window, cost: config.cost });
    expect(run.violations).toEqual([]);
    expect(run.leftover).toBe(0);
    if (config.mode === 'wait') {
      expect(inArrivalOrder(calls, run.order.a)).toBe(true);
      expect(inArrivalOrder(calls, run.order.b)).toBe(true);
    }
  });

  test.prop([configArb, scenarioArb()])('a cancelled waiter takes no units', (config, calls) => {
    const make = (scheduler: VirtualTimeScheduler) => slidingWindow({ ...withoutShare(config), mode: 'wait', scheduler });
    const bound = { limit: config.limit, window: config.window, cost: config.cost };
    const withThem = runScenario(calls, make, bound);
    expect(runScenario(calls, make, bound, withThem.cancelledWaiting).admitted).toEqual(withThem.admitted);
  });
});

function withoutShare<C extends { costShare: number }>(config: C): Omit<C, 'costShare'> {
  const { costShare: _, ...rest } = config;
  return rest;
}
