/** Schedulers for tests that count what a policy leaves scheduled. */
import { VirtualTimeScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';

/** A virtual-time scheduler with no frame limit, flushed by hand. */
export function virtualTime(): VirtualTimeScheduler {
  return new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
}

/**
 * A scheduler over `scheduler` that counts its own actions still pending (`live()`), and knows the
 * time at which the last of them ran (`lastRanAt()`, -Infinity before any did).
 */
export function liveActions(scheduler: VirtualTimeScheduler): { scheduler: SchedulerLike; live: () => number; lastRanAt: () => number } {
  const live = new Set<Subscription>();
  let lastRanAt = Number.NEGATIVE_INFINITY;
  const wrapper: SchedulerLike = {
    now: () => scheduler.now(),
    schedule(work: (this: SchedulerAction<unknown>, state?: unknown) => void, delay?: number, state?: unknown): Subscription {
      const action: Subscription = scheduler.schedule(function (this: SchedulerAction<unknown>, s?: unknown) {
        live.delete(action);
        lastRanAt = scheduler.now();
        work.call(this, s);
      }, delay, state);
      live.add(action);
      action.add(() => live.delete(action));
      return action;
    },
  };
  return { scheduler: wrapper, live: () => live.size, lastRanAt: () => lastRanAt };
}
