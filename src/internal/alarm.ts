/**
 * @internal One scheduler action for the deadlines of many calls, cancelled lazily.
 *
 * The owner keeps its deadlines (in FIFO lists, usually) and tells the alarm of each new one with
 * `request`; the alarm arms for it only when nothing is armed or it is earlier than what is.
 * Nothing is ever cancelled for a call that ends: when the action runs and finds no deadline left
 * it simply does not re-arm. So a policy holds at most one action, nothing is scheduled per call,
 * and once its calls have ended the action ends by itself, no later than the last deadline any of
 * them had.
 *
 * When a deadline comes, the due work runs in a second action scheduled at that instant with no
 * delay, so that every notification the scheduler already holds for the instant runs first and
 * is in time, whatever the order in which it and the deadline were scheduled.
 */
import type { SchedulerLike, Subscription } from 'rxjs';
import { scheduleOnce } from './clock.js';

export class Alarm {
  private action: Subscription | undefined = undefined;
  private armedAt = 0;
  private running = false;

  constructor(
    private readonly scheduler: SchedulerLike,
    /** The earliest deadline still wanted, if any. */
    private readonly earliest: () => number | undefined,
    /** Runs the work due now (called with at least one deadline due). */
    private readonly due: () => void,
  ) {}

  /** A deadline `at` was added at time `now`. */
  request(at: number, now: number): void {
    if (!this.running && (this.action === undefined || at < this.armedAt)) this.arm(at, now);
  }

  private arm(at: number, now: number): void {
    this.action?.unsubscribe();
    this.armedAt = at;
    this.action = scheduleOnce(this.scheduler, at - now, () => this.wake());
  }

  private wake(): void {
    this.action = undefined;
    const at = this.earliest();
    if (at === undefined) return;
    const now = this.scheduler.now();
    // A real clock may wake early, and deadlines may have moved meanwhile: wait for the next one.
    if (at > now) return this.arm(at, now);
    this.armedAt = at;
    this.action = scheduleOnce(this.scheduler, 0, () => this.fire());
  }

  private fire(): void {
    this.action = undefined;
    this.running = true;
    try {
      this.due();
    } finally {
      this.running = false;
      // In `finally`, so that a throwing subscriber cannot strand the deadlines behind it.
      const at = this.earliest();
      if (at !== undefined) this.arm(at, this.scheduler.now());
    }
  }
}
