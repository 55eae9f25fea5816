import { fc, test } from '@fast-check/vitest';
import { mergeMap, of, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fixedWindow, RateLimitedError } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { inArrivalOrder, runScenario, scenarioArb } from './scenario.js';
import { expectConfigError } from '../helpers/configError.js';

describe('fixedWindow', () => {
  it('counts per window aligned to multiples of window, and retryAfter names the next window', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = fixedWindow({ name: 'fw', limit: 2, window: 6 });
      const callAt = (t: number) => timer(t).pipe(mergeMap(() => of(t).pipe(limiter)));
      expectObservable(callAt(0)).toBe('(x|)', { x: 0 });
      expectObservable(callAt(2)).toBe('--(x|)', { x: 2 });
      expectObservable(callAt(4)).toBe('----#', undefined, new RateLimitedError('fw', 2));
      expectObservable(callAt(6)).toBe('------(x|)', { x: 6 });
      expectObservable(callAt(11)).toBe('-----------(x|)', { x: 11 });
      expectObservable(callAt(11)).toBe('-----------#', undefined, new RateLimitedError('fw', 1));
    });
  });

  it('aligns windows to the clock, not to the first call', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = fixedWindow({ limit: 1, window: 100, scheduler });
    const admitted: number[] = [];
    for (const t of [99, 100, 150, 199, 200]) scheduler.schedule(() => of(t).pipe(limiter).subscribe({ next: (v) => admitted.push(v), error: () => undefined }), t);
    scheduler.flush();
    expect(admitted).toEqual([99, 100, 200]);
  });

  it('wait mode fills later windows in order; maxWait rejects at once', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = fixedWindow({ name: 'q', limit: 3, window: 10, cost: 2, mode: 'wait', maxWait: 17 });
      const callAt = (t: number, v: string) => timer(t).pipe(mergeMap(() => of(v).pipe(limiter)));
      expectObservable(callAt(1, 'a')).toBe('-(a|)'); // one call of cost 2 per window
      expectObservable(callAt(2, 'b')).toBe('10ms (b|)');
      expectObservable(callAt(3, 'c')).toBe('20ms (c|)'); // waits 17: the most allowed
      expectObservable(callAt(4, 'd')).toBe('----#', undefined, new RateLimitedError('q', 26)); // would wait until 30
    });
  });

  it.each([
    ['limit', {}],
    ['window', { limit: 2, window: -5 }],
    ['cost', { limit: 2, cost: 3 }],
    ['mode', { limit: 2, mode: 'block' }],
  ])('refuses a bad %s', (field, config) => {
    expectConfigError(() => fixedWindow(config as never), field);
  });

  const configArb = fc.record({
    limit: fc.integer({ min: 1, max: 5 }),
    window: fc.integer({ min: 1, max: 40 }),
    mode: fc.constantFrom('reject' as const, 'wait' as const),
  });

  test.prop([configArb, scenarioArb()])('per aligned window, admitted cost <= limit; wait mode keeps arrival order; nothing left scheduled', (config, calls) => {
    const run = runScenario(calls, (scheduler) => fixedWindow({ ...config, scheduler }), { limit: config.limit, window: config.window, aligned: true });
    expect(run.violations).toEqual([]);
    expect(run.leftover).toBe(0);
    if (config.mode === 'wait') expect(inArrivalOrder(calls, run.order.a) && inArrivalOrder(calls, run.order.b)).toBe(true);
  });
});
