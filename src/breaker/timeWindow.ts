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
    this.window.add(now, CALLS);
    if (failure) this.window.add(now, FAILURES);
    if (slow) this.window.add(now, SLOW);
    return rateTrips(this.counts(now), this.rule);
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
