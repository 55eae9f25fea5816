/**
 * A re-entrancy harness: listeners on a policy's streams run random actions (controls, new
 * calls, cancellations) from inside their callbacks; after every outer step the last value of
 * `state$` must equal what `stats()` reports, and the counters must be sane.
 */
import { fc } from '@fast-check/vitest';
import { Observable, timer, type Subscription } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';

export type Action =
  | { readonly type: 'control'; readonly pick: number }
  | { readonly type: 'call'; readonly ms: number; readonly end: 'complete' | 'error' | 'hang' | 'sync' }
  | { readonly type: 'cancel'; readonly pick: number }
  | { readonly type: 'none' };

export type Step = Action | { readonly type: 'advance'; readonly ms: number };

export const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ type: fc.constant('control' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('call' as const), ms: fc.integer({ min: 0, max: 20 }), end: fc.constantFrom('complete' as const, 'error' as const, 'hang' as const, 'sync' as const) }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.constant({ type: 'none' as const }) },
);

export const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: actionArb },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 30 }) }) },
);

export interface Target<S> {
  /** The policy as an operator (omit for a policy that guards no call). */
  readonly operator?: <T>(source: Observable<T>) => Observable<T>;
  /** Every stream a listener may sit on. */
  readonly streams: readonly Observable<unknown>[];
  readonly controls: readonly (() => void)[];
  readonly state$: Observable<S>;
  /** The part of `stats()` that `state$` shows. */
  readonly now: () => S;
  /** Broken counters, as sentences. */
  readonly insane?: (state: S) => string[];
}

/**
 * Runs `steps` against `target`; every emission on a listened stream consumes the next of
 * `reentrant` actions (so the re-entrancy is bounded). Returns the problems found.
 */
export function exercise<S>(scheduler: TestScheduler, target: Target<S>, steps: readonly Step[], reentrant: readonly Action[]): string[] {
  const problems: string[] = [];
  const calls: Subscription[] = [];
  let next = 0;
  const perform = (action: Action): void => {
    switch (action.type) {
      case 'control':
        if (target.controls.length > 0) target.controls[action.pick % target.controls.length]!();
        return;
      case 'call': {
        if (target.operator === undefined) return;
        const source = upstream(scheduler, action.ms, action.end);
        calls.push(source.pipe(target.operator).subscribe({ error: () => undefined }));
        return;
      }
      case 'cancel': {
        const call = calls[action.pick % Math.max(1, calls.length)];
        call?.unsubscribe();
        return;
      }
      case 'none':
    }
  };
  const listeners = target.streams.map((stream) =>
    stream.subscribe(() => {
      if (next < reentrant.length) perform(reentrant[next++]!);
    }),
  );
  let last: S | undefined;
  const watch = target.state$.subscribe((s) => (last = s));
  const check = (where: string) => {
    const now = target.now();
    if (JSON.stringify(last) !== JSON.stringify(now)) problems.push(`${where}: state$ ends on ${JSON.stringify(last)}, stats() says ${JSON.stringify(now)}`);
    for (const p of target.insane?.(now) ?? []) problems.push(`${where}: ${p}`);
  };
  steps.forEach((step, i) => {
    if (step.type === 'advance') {
      scheduler.schedule(() => undefined, step.ms);
      scheduler.flush();
    } else perform(step);
    check(`after step ${i} (${step.type})`);
  });
  for (const call of calls) call.unsubscribe();
  scheduler.flush();
  check('at the end');
  watch.unsubscribe();
  for (const l of listeners) l.unsubscribe();
  return problems;
}

function upstream(scheduler: TestScheduler, ms: number, end: 'complete' | 'error' | 'hang' | 'sync'): Observable<number> {
  return new Observable<number>((subscriber) => {
    if (end === 'sync') {
      subscriber.next(1);
      subscriber.complete();
      return undefined;
    }
    if (end === 'hang') return undefined;
    return timer(ms, scheduler).subscribe(() => {
      if (end === 'error') subscriber.error(new Error('boom'));
      else {
        subscriber.next(1);
        subscriber.complete();
      }
    });
  });
}
