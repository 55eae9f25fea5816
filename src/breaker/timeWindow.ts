/**
 * @internal The breaker's time window: calls, failures and slow calls in the kernel's
 * `BucketWindow` (`buckets` equal buckets of `duration / buckets` ms, rotated lazily, no timers,
 * no per-call storage).
 */
import { BucketWindow } from '../internal/bucketWindow.js';
import { rateTrips, type RateRule, type Strategy, type WindowCounts } from './strategy.js';

const CALLS = 0;
const FAILURES = 1;
const SLOW = 2;

export class TimeWindowStrategy implements Strategy {
  private readonly window: BucketWindow;

  constructor(
    duration: number,
    buckets: number,
    private readonly rule: RateRule,
  ) {
    this.window = new BucketWindow(duration, buckets, 3);
  }

  record(now: number, failure: boolean, slow: boolean): boolean {
    const w = this.window;
    w.add(now, CALLS);
    if (failure) w.add(now, FAILURES);
    if (slow) w.add(now, SLOW);
    // The window is rotated to `now` by the first add: the totals are read as they stand.
    return rateTrips(w.sum(CALLS), w.sum(FAILURES), w.sum(SLOW), this.rule);
  }

  counts(now: number): WindowCounts {
    const w = this.window;
    return { calls: w.total(now, CALLS), failures: w.total(now, FAILURES), slowCalls: w.total(now, SLOW) };
  }

  clear(): void {
    this.window.clear();
  }

  save(): number[] {
    return this.window.save();
  }

  load(saved: unknown): boolean {
    return this.window.load(saved);
  }
}
