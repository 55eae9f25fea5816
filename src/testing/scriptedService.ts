/**
 * A fake dependency on virtual time. Each subscription to `call()` is one call that follows the
 * next step of a script: emit values and complete, or error (after some values, or none), after a
 * delay; or hang until unsubscribed. It records every call, so tests can see exactly what reached
 * the dependency, and reports each start, value and end on `activity$` as it happens, so law
 * watchers observe the upstream without a probe inside the policies.
 */
import { Observable, Subject, asyncScheduler, type SchedulerLike } from 'rxjs';

export type ScriptStep<T> =
  | { readonly ok: T; readonly after?: number }
  | { readonly fail: unknown; readonly after?: number }
  | { readonly hang: true }
  /**
   * Several values: the first `after` ms after the start, then one every `every` ms (default 0);
   * then the call completes, or errors with `fail` when given, or hangs with `hang: true`: with the
   * last value, or `duration` ms after the start when given (and later than the last value).
   */
  | { readonly values: readonly T[]; readonly after?: number; readonly every?: number; readonly duration?: number; readonly fail?: unknown; readonly hang?: boolean };

export interface ScriptedCall {
  readonly index: number;
  /** What the caller passed to `call(tag)`: the scenario runner passes the id of its call. */
  readonly tag: unknown;
  readonly startedAt: number;
  /** Scheduler times of the values emitted, in order. */
  readonly valuesAt: number[];
  endedAt: number | undefined;
  end: 'completed' | 'errored' | 'unsubscribed' | undefined;
}

export type ScriptedActivity =
  | { readonly type: 'start'; readonly call: ScriptedCall; readonly at: number }
  | { readonly type: 'value'; readonly call: ScriptedCall; readonly at: number }
  | { readonly type: 'end'; readonly call: ScriptedCall; readonly at: number };

export interface ScriptedService<T> {
  /** A cold observable: every subscription is one call, recorded with `tag`. */
  call(tag?: unknown): Observable<T>;
  readonly calls: readonly ScriptedCall[];
  /** Hot: every start, value and end, when it happens (an end is reported before the caller hears it). */
  readonly activity$: Observable<ScriptedActivity>;
  /** Calls subscribed and not yet ended. */
  readonly active: number;
  /** The most calls that were ever active at once. */
  readonly maxActive: number;
}

/** A step as values, a delay between them and an ending. */
interface Plan<T> {
  readonly values: readonly T[];
  readonly after: number;
  readonly every: number;
  /** When the ending comes, after the start (undefined: with the last value). */
  readonly duration: number | undefined;
  readonly end: { readonly fail: unknown } | 'complete' | 'hang';
}

function planOf<T>(step: ScriptStep<T>): Plan<T> {
  if ('hang' in step && !('values' in step)) return { values: [], after: 0, every: 0, duration: undefined, end: 'hang' };
  if ('ok' in step) return { values: [step.ok], after: step.after ?? 0, every: 0, duration: undefined, end: 'complete' };
  if ('values' in step) {
    const end = 'fail' in step ? { fail: step.fail } : step.hang === true ? 'hang' : 'complete';
    return { values: step.values, after: step.after ?? 0, every: step.every ?? 0, duration: step.duration, end };
  }
  return { values: [], after: step.after ?? 0, every: 0, duration: undefined, end: { fail: step.fail } };
}

/**
 * @param script the steps, used in order (the last repeats), or a function of the call index and
 *   the call's record (its `tag` tells whose call it is).
 */
export function scriptedService<T>(
  script: readonly ScriptStep<T>[] | ((index: number, call: ScriptedCall) => ScriptStep<T>),
  scheduler: SchedulerLike = asyncScheduler,
): ScriptedService<T> {
  const calls: ScriptedCall[] = [];
  const activity = new Subject<ScriptedActivity>();
  let active = 0;
  let maxActive = 0;
  const stepAt = (i: number, record: ScriptedCall): ScriptStep<T> => {
    if (typeof script === 'function') return script(i, record);
    const step = script[Math.min(i, script.length - 1)];
    if (step === undefined) throw new Error('scriptedService: the script is empty');
    return step;
  };
  const call = (tag?: unknown) =>
    new Observable<T>((subscriber) => {
      const record: ScriptedCall = { index: calls.length, tag, startedAt: scheduler.now(), valuesAt: [], endedAt: undefined, end: undefined };
      calls.push(record);
      maxActive = Math.max(maxActive, ++active);
      activity.next({ type: 'start', call: record, at: record.startedAt });
      const finish = (end: NonNullable<ScriptedCall['end']>) => {
        if (record.end !== undefined) return;
        record.end = end;
        record.endedAt = scheduler.now();
        active--;
        activity.next({ type: 'end', call: record, at: record.endedAt });
      };
      const plan = planOf(stepAt(record.index, record));
      let next = 0;
      const timer =
        plan.values.length === 0 && plan.end === 'hang'
          ? undefined
          : scheduler.schedule(function (this: { schedule(state?: undefined, delay?: number): unknown }) {
              if (next < plan.values.length) {
                const value = plan.values[next++]!;
                record.valuesAt.push(scheduler.now());
                activity.next({ type: 'value', call: record, at: scheduler.now() });
                subscriber.next(value);
                if (next < plan.values.length) return void this.schedule(undefined, plan.every);
                const rest = plan.duration === undefined ? 0 : plan.duration - (scheduler.now() - record.startedAt);
                if (rest > 0 && plan.end !== 'hang') return void this.schedule(undefined, rest);
              }
              if (subscriber.closed || plan.end === 'hang') return;
              if (plan.end === 'complete') {
                finish('completed');
                subscriber.complete();
              } else {
                finish('errored');
                subscriber.error(plan.end.fail);
              }
            }, plan.values.length === 0 ? Math.max(plan.after, plan.duration ?? 0) : plan.after);
      return () => {
        timer?.unsubscribe();
        finish('unsubscribed');
      };
    });
  return {
    call,
    calls,
    activity$: activity.asObservable(),
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
  };
}
