/**
 * A fake dependency on virtual time. Each subscription to `call()` is one call that follows the
 * next step of a script: emit values and complete, or error, after a delay; or hang until
 * unsubscribed. It records every call, so tests can see exactly what reached the dependency.
 */
import { Observable, asyncScheduler, type SchedulerLike } from 'rxjs';

export type ScriptStep<T> =
  | { readonly ok: T; readonly after?: number }
  | { readonly fail: unknown; readonly after?: number }
  | { readonly hang: true };

export interface ScriptedCall {
  readonly index: number;
  readonly startedAt: number;
  endedAt: number | undefined;
  end: 'completed' | 'errored' | 'unsubscribed' | undefined;
}

export interface ScriptedService<T> {
  /** A cold observable: every subscription is one call. */
  call(): Observable<T>;
  readonly calls: readonly ScriptedCall[];
  /** Calls subscribed and not yet ended. */
  readonly active: number;
  /** The most calls that were ever active at once. */
  readonly maxActive: number;
}

/**
 * @param script the steps, used in order (the last repeats), or a function of the call index.
 */
export function scriptedService<T>(
  script: readonly ScriptStep<T>[] | ((index: number) => ScriptStep<T>),
  scheduler: SchedulerLike = asyncScheduler,
): ScriptedService<T> {
  const calls: ScriptedCall[] = [];
  let active = 0;
  let maxActive = 0;
  const stepAt = (i: number): ScriptStep<T> => {
    if (typeof script === 'function') return script(i);
    const step = script[Math.min(i, script.length - 1)];
    if (step === undefined) throw new Error('scriptedService: the script is empty');
    return step;
  };
  const call = () =>
    new Observable<T>((subscriber) => {
      const record: ScriptedCall = { index: calls.length, startedAt: scheduler.now(), endedAt: undefined, end: undefined };
      calls.push(record);
      maxActive = Math.max(maxActive, ++active);
      const finish = (end: NonNullable<ScriptedCall['end']>) => {
        if (record.end !== undefined) return;
        record.end = end;
        record.endedAt = scheduler.now();
        active--;
      };
      const step = stepAt(record.index);
      const timer =
        'hang' in step
          ? undefined
          : scheduler.schedule(() => {
              if ('ok' in step) {
                finish('completed');
                subscriber.next(step.ok);
                subscriber.complete();
              } else {
                finish('errored');
                subscriber.error(step.fail);
              }
            }, step.after ?? 0);
      return () => {
        timer?.unsubscribe();
        finish('unsubscribed');
      };
    });
  return {
    call,
    calls,
    get active() {
      return active;
    },
    get maxActive() {
      return maxActive;
    },
  };
}
