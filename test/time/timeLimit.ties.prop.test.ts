/**
 * The tie rule of `timeLimit`, over random schedules of values landing on, just before and just
 * after their deadlines: a notification that arrives at or before a deadline is in time, as long as
 * it was scheduled before that instant, whatever the order in which it and the deadline were
 * scheduled. Compared with a model of the rule, and with RxJS `timeout` wherever RxJS's own
 * outcome does not hang on the order of scheduling (see docs/decisions.md).
 */
import { fc, test } from '@fast-check/vitest';
import { asyncScheduler, Observable, timeout, TimeoutError } from 'rxjs';
import { describe, expect } from 'vitest';
import { timeLimit, type TimeLimitError } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

type Limits = { duration?: number; first?: number; each?: number };
/** A notification scheduled at frame `at` to arrive `delay` (≥ 1) frames later. */
type Step = { at: number; delay: number };
type Schedule = { values: Step[]; end: Step | undefined };

const limit = fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined });
const limitsArb = fc.record({ duration: limit, first: limit, each: limit }, { requiredKeys: [] }).filter((l) => l.duration !== undefined || l.first !== undefined || l.each !== undefined);
const stepArb = fc.record({ at: fc.integer({ min: 0, max: 12 }), delay: fc.integer({ min: 1, max: 8 }) });
const scheduleArb = fc.record({ values: fc.array(stepArb, { maxLength: 6 }), end: fc.option(stepArb, { nil: undefined }) });

const arrival = (s: Step) => s.at + s.delay;

/** The values and the end in arrival order (stable: a tie keeps the order the scheduler gives it). */
function arrivals(schedule: Schedule): { step: Step; kind: 'next' | 'end'; n: number }[] {
  const list = schedule.values.map((step, n) => ({ step, kind: 'next' as const, n }));
  const all = schedule.end === undefined ? list : [...list, { step: schedule.end, kind: 'end' as const, n: list.length }];
  // The scheduler runs actions due at the same instant in the order they were scheduled.
  return all.sort((a, b) => arrival(a.step) - arrival(b.step) || a.step.at - b.step.at || a.n - b.n);
}

/**
 * The rule: a call times out at its earliest deadline unless the notification arrives at or before
 * it. Also tells whether RxJS `timeout` must agree: it lets a value through on a tie only when the
 * value was scheduled before its timer was set (before the previous value, or the subscribe).
 */
function model(limits: Limits, schedule: Schedule): { log: string[]; rxjsAgrees: boolean } {
  const log: string[] = [];
  const duration = limits.duration ?? Infinity;
  let gap = limits.first ?? limits.each ?? Infinity;
  // When RxJS set its timer: at the subscribe, before any action of frame 0 runs; then at each value.
  let setAt = 0;
  let rxjsAgrees = true;
  for (const { step, kind, n } of arrivals(schedule)) {
    const t = arrival(step);
    if (t > Math.min(duration, gap)) break;
    if (t === gap && step.at >= setAt) rxjsAgrees = false;
    if (kind === 'end') {
      log.push(`${t} complete`);
      return { log, rxjsAgrees };
    }
    log.push(`${t} next ${n}`);
    // After a value only `each` limits the next one; `each: 0` sets no limit between values (as RxJS).
    gap = limits.each ? t + limits.each : Infinity;
    setAt = t;
  }
  const deadline = Math.min(duration, gap);
  if (deadline < Infinity) log.push(`${deadline} error ${deadline === duration ? 'duration' : log.length === 0 && limits.first !== undefined ? 'first' : 'each'}`);
  return { log, rxjsAgrees };
}

/** A source that schedules each notification at `at` to arrive `delay` later. */
function scheduled(schedule: Schedule): Observable<number> {
  return new Observable<number>((subscriber) => {
    const arm = (step: Step, fire: () => void) =>
      subscriber.add(asyncScheduler.schedule(() => subscriber.add(asyncScheduler.schedule(fire, step.delay)), step.at));
    schedule.values.forEach((step, n) => arm(step, () => subscriber.next(n)));
    if (schedule.end !== undefined) arm(schedule.end, () => subscriber.complete());
  });
}

function run(operator: (source: Observable<number>) => Observable<number>, schedule: Schedule): string[] {
  const scheduler = testScheduler();
  const log: string[] = [];
  scheduler.run(() => {
    operator(scheduled(schedule)).subscribe({
      next: (n) => log.push(`${scheduler.now()} next ${n}`),
      error: (e: unknown) => log.push(`${scheduler.now()} error ${e instanceof TimeoutError ? 'timeout' : (e as TimeLimitError).limit}`),
      complete: () => log.push(`${scheduler.now()} complete`),
    });
  });
  return log;
}

describe('timeLimit ties at a deadline', () => {
  test.prop([limitsArb, scheduleArb], { numRuns: 500 })('a notification arriving at its deadline is in time, whatever the order of scheduling', (limits, schedule) => {
    expect(run(timeLimit(limits), schedule)).toEqual(model(limits, schedule).log);
  });

  test.prop([limitsArb.filter((l) => l.duration === undefined), scheduleArb], { numRuns: 500 })('agrees with RxJS timeout wherever RxJS does not decide a tie by the order of scheduling', (limits, schedule) => {
    const { log, rxjsAgrees } = model(limits, schedule);
    fc.pre(rxjsAgrees);
    const ours = run(timeLimit(limits), schedule).map((line) => line.replace(/error (first|each)$/, 'error timeout'));
    expect(ours).toEqual(log.map((line) => line.replace(/error (first|each)$/, 'error timeout')));
    expect(run(timeout(limits as { first?: number; each: number }), schedule)).toEqual(ours);
  });
});
