/**
 * @internal Time comes only from an RxJS scheduler: `now()` to read it, `schedule()` to wait.
 * The default is the `asyncScheduler` of the same rxjs instance, so `TestScheduler.run` puts
 * every policy in virtual time with no wiring.
 */
import { asyncScheduler, type SchedulerLike, type Subscription } from 'rxjs';

export function resolveScheduler(scheduler: SchedulerLike | undefined): SchedulerLike {
  return scheduler ?? asyncScheduler;
}

/** Runs `work` once after `delay` ms on `scheduler`; unsubscribing the result cancels it. */
export function scheduleOnce(scheduler: SchedulerLike, delay: number, work: () => void): Subscription {
  return scheduler.schedule(work, Math.max(0, delay));
}
