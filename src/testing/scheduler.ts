/**
 * A scheduler for scenarios that knows what work is still pending: it wraps a `TestScheduler`
 * and counts every action scheduled through it, until the action runs (and does not reschedule)
 * or is unsubscribed. Give it to the policies under test (`circuitBreaker({ scheduler })`), then
 * `noPendingWork(scheduler)` tells whether anything is left once every deadline has passed: a
 * timer nobody cancelled is a leak. Only the public `SchedulerLike` surface is used.
 */
import type { SchedulerAction, SchedulerLike, Subscription, TeardownLogic } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from './marbles.js';

/** One action scheduled and not yet run or cancelled. */
export interface PendingWork {
  /** When it was scheduled. */
  readonly scheduledAt: number;
  /** When it is due. */
  readonly due: number;
}

export interface TrackedScheduler extends SchedulerLike {
  /** The virtual clock that runs the actions. */
  readonly base: TestScheduler;
  /** The actions scheduled through this scheduler and still waiting. */
  pending(): readonly PendingWork[];
}

interface Entry {
  scheduledAt: number;
  due: number;
}

/** Wraps `base` (default: a fresh `testScheduler()`), counting the work scheduled through it. */
export function trackedScheduler(base: TestScheduler = testScheduler()): TrackedScheduler {
  const live = new Set<Entry>();
  const now = () => base.now();
  function schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    const entry: Entry = { scheduledAt: now(), due: now() + delay };
    live.add(entry);
    let current: SchedulerAction<T> | undefined;
    // What `work` sees as `this`: rescheduling through it keeps the entry alive.
    const proxy = {
      get closed() {
        return current?.closed ?? false;
      },
      unsubscribe: () => {
        live.delete(entry);
        current?.unsubscribe();
      },
      add: (teardown: TeardownLogic) => current?.add(teardown),
      remove: (teardown: Exclude<TeardownLogic, void>) => current?.remove(teardown),
      schedule(next?: T, again = 0): Subscription {
        entry.scheduledAt = now();
        entry.due = now() + again;
        live.add(entry);
        const action = current!.schedule(next, again);
        action.add(() => live.delete(entry));
        return action;
      },
    } as unknown as SchedulerAction<T>;
    const subscription = base.schedule(
      function (this: SchedulerAction<T>, s?: T) {
        // The action that runs now: a reschedule may have replaced the first one.
        // eslint-disable-next-line @typescript-eslint/no-this-alias -- the action that runs now is what the proxy delegates to
        current = this;
        live.delete(entry);
        work.call(proxy, s);
      },
      delay,
      state,
    );
    current = subscription as SchedulerAction<T>;
    subscription.add(() => live.delete(entry));
    return subscription;
  }
  return { base, now, schedule, pending: () => [...live].map((e) => ({ scheduledAt: e.scheduledAt, due: e.due })) };
}

/**
 * The work still pending on `scheduler`, one sentence each; empty when nothing is left. Call it
 * once the clock has passed the last deadline of the scenario (`runScenario` does).
 */
export function noPendingWork(scheduler: TrackedScheduler): readonly string[] {
  return scheduler.pending().map((w) => `an action scheduled at ${w.scheduledAt} for ${w.due} is still pending at ${scheduler.now()}`);
}
