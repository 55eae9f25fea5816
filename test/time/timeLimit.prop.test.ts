/**
 * Model-based property test: random calls (start time, values, an end or none) through one
 * timeLimit with a random mix of duration, first and each, on a VirtualTimeScheduler, compared
 * with a direct reference model of the deadlines. Event offsets carry a fraction of k/7 so that
 * no value or end ever lands exactly on a deadline (ties depend on scheduling order).
 */
import { fc, test } from '@fast-check/vitest';
import { Observable, type Subscription } from 'rxjs';
import { describe, expect } from 'vitest';
import { TimeLimitError, timeLimit, type TimeLimitKind } from 'rx-resilience';
import { liveActions, virtualTime } from '../helpers/schedulers.js';

const limitArb = fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined });
const configArb = fc
  .record({ duration: limitArb, first: limitArb, each: limitArb })
  .filter((c) => c.duration !== undefined || c.first !== undefined || c.each !== undefined);
const callArb = fc.record({
  start: fc.integer({ min: 0, max: 60 }),
  /** Gaps (whole frames, each plus 1/7) before each value and then the end; at most 6 in all. */
  gaps: fc.array(fc.integer({ min: 0, max: 25 }), { minLength: 0, maxLength: 6 }),
  end: fc.constantFrom('complete', 'error', 'hang'),
});
type Config = { duration?: number | undefined; first?: number | undefined; each?: number | undefined };
type Call = { start: number; gaps: number[]; end: 'complete' | 'error' | 'hang' };
type Outcome = { values: number; end: 'complete' | 'error' | 'hang' | TimeLimitKind; at: number };

/** Event times of a call: the values, then its end (the last gap) unless it hangs. */
function events(call: Call): { t: number; kind: 'value' | 'end' }[] {
  let t = call.start;
  const out = call.gaps.map((g) => ({ t: (t += g + 1 / 7), kind: 'value' as 'value' | 'end' }));
  if (call.end !== 'hang' && out.length > 0) out[out.length - 1]!.kind = 'end';
  return out;
}

function model(c: Config, call: Call): Outcome {
  const D = c.duration === undefined ? Infinity : call.start + c.duration;
  const initialGap = c.first ?? c.each;
  let g = initialGap === undefined ? Infinity : call.start + initialGap;
  let values = 0;
  const timeout = (): Outcome => ({ values, end: D <= g ? 'duration' : values === 0 && c.first !== undefined ? 'first' : 'each', at: Math.min(D, g) });
  for (const ev of events(call)) {
    if (Math.min(D, g) < ev.t) return timeout();
    if (ev.kind === 'end') return { values, end: call.end, at: ev.t };
    values++;
    g = c.each === undefined ? Infinity : ev.t + c.each;
  }
  return Math.min(D, g) < Infinity ? timeout() : { values, end: 'hang', at: Infinity };
}

/** The latest deadline the call ever had while it ran (-Infinity if none): where the policy's action must have ended. */
function lastDeadline(c: Config, call: Call): number {
  const end = model(c, call).at;
  const initialGap = c.first ?? c.each;
  const deadlines = [c.duration === undefined ? -Infinity : call.start + c.duration, initialGap === undefined ? -Infinity : call.start + initialGap];
  for (const ev of events(call)) if (ev.kind === 'value' && ev.t <= end && c.each !== undefined) deadlines.push(ev.t + c.each);
  return Math.max(...deadlines);
}

describe('timeLimit against a reference model', () => {
  test.prop([configArb, fc.array(callArb, { minLength: 1, maxLength: 12 })], { numRuns: 300 })('times out exactly the calls the model does, at the same instant, with one action at most', (config, calls) => {
    const scheduler = virtualTime();
    const { scheduler: policyScheduler, live, lastRanAt } = liveActions(scheduler);
    const limit = timeLimit({ ...config, name: 'p', scheduler: policyScheduler });
    let most = 0;
    let active = 0;
    const watch = () => (most = Math.max(most, live()));
    // Checks made inside subscriber callbacks are collected: RxJS would report a throw asynchronously.
    const violations: string[] = [];
    // When the last running call ends, at most the one action of the policy remains.
    const ended = () => {
      if (--active === 0 && live() > 1) violations.push(`${live()} action(s) left at ${scheduler.now()}`);
    };
    const results = calls.map(() => ({ values: 0, end: 'hang', at: Infinity, sourceClosedAt: Infinity, sourceClosedBeforeError: false }));
    const subs: Subscription[] = [];

    calls.forEach((call, i) => {
      const r = results[i]!;
      const source = new Observable<number>((subscriber) => {
        const actions = events(call).map((ev) =>
          scheduler.schedule(() => {
            watch();
            if (ev.kind === 'value') subscriber.next(1);
            else if (call.end === 'complete') subscriber.complete();
            else subscriber.error(new Error('failed'));
          }, ev.t - scheduler.now()),
        );
        return () => {
          r.sourceClosedAt = scheduler.now();
          for (const a of actions) a.unsubscribe();
        };
      });
      scheduler.schedule(() => {
        subs.push(
          source.pipe(limit).subscribe({
            next: () => r.values++,
            error: (e: unknown) => {
              r.at = scheduler.now();
              r.sourceClosedBeforeError = r.sourceClosedAt === r.at;
              r.end = e instanceof TimeLimitError ? e.limit : 'error';
              if (e instanceof TimeLimitError && e.after !== config[e.limit]) violations.push(`after ${e.after} for ${e.limit}`);
              ended();
            },
            complete: () => {
              r.at = scheduler.now();
              r.end = 'complete';
              ended();
            },
          }),
        );
        if (!subs[subs.length - 1]!.closed) active++;
        watch();
      }, call.start);
    });
    scheduler.flush();

    calls.forEach((call, i) => {
      const expected = model(config, call);
      const actual = results[i]!;
      expect({ values: actual.values, end: actual.end }).toEqual({ values: expected.values, end: expected.end });
      if (expected.at !== Infinity) expect(actual.at).toBeCloseTo(expected.at, 9);
      if (expected.end === 'duration' || expected.end === 'first' || expected.end === 'each') expect(actual.sourceClosedBeforeError).toBe(true);
    });
    expect(violations).toEqual([]);
    expect(most).toBeLessThanOrEqual(1);
    // The policy's action ends by itself, no later than the last deadline any call had.
    expect(lastRanAt()).toBeLessThanOrEqual(Math.max(...calls.map((call) => lastDeadline(config, call))));
    for (const sub of subs) sub.unsubscribe();
    expect(live()).toBe(0);
    expect(scheduler.actions.length).toBe(0);
  });
});
