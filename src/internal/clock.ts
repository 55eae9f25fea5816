/**
 * @internal Time comes only from an RxJS scheduler: `now()` to read it, `schedule()` to wait.
 * The default is the `asyncScheduler` of the same rxjs instance, so `TestScheduler.run` puts
 * every policy in virtual time with no wiring.
 */
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';
import { clampDelay } from './validate.js';

export function resolveScheduler(scheduler: SchedulerLike | undefined): SchedulerLike {
  return scheduler ?? asyncScheduler;
}

/**
 * Runs `work` once after `delay` ms on `scheduler`; unsubscribing the result cancels it. The wait
 * is clamped into [0, MAX_DURATION] (NaN waits 0): Node would fire a longer timer at once. Every
 * configured duration is within that bound; a wait computed at run time beyond it (a restored
 * breaker's open time, a turn far back in a wait queue) wakes early, and its caller checks the
 * clock and waits again.
 */
export function scheduleOnce(scheduler: SchedulerLike, delay: number, work: () => void): Subscription {
  return scheduler.schedule(work, clampDelay(delay));
}
