/**
 * @internal A time window of `buckets` equal buckets of `duration / buckets` ms, aligned to
 * multiples of the bucket length on the scheduler's clock, rotated lazily on access (no timers).
 * Memory is O(buckets): three counters per bucket, no per-call storage.
 */
import { isIntArray, rateTrips, type RateRule, type Strategy, type WindowCounts } from './strategy.js';

export class TimeWindowStrategy implements Strategy {
  /** calls, failures, slow calls per bucket. */
  private readonly data: Int32Array;
  private readonly span: number;
  /** Absolute number (time / span) of the newest bucket. */
  private head = Number.NEGATIVE_INFINITY;
  private calls = 0;
  private failures = 0;
  private slowCalls = 0;

  constructor(
    duration: number,
    private readonly buckets: number,
    private readonly rule: RateRule,
  ) {
    this.span = duration / buckets;
    this.data = new Int32Array(buckets * 3);
  }

  record(now: number, failure: boolean, slow: boolean): boolean {
    const at = this.rotate(now) * 3;
    this.data[at]!++;
    this.calls++;
    if (failure) {
      this.data[at + 1]!++;
      this.failures++;
    }
    if (slow) {
      this.data[at + 2]!++;
      this.slowCalls++;
    }
    return rateTrips(this.counts(now), this.rule);
  }

  counts(now: number): WindowCounts {
    this.rotate(now);
    return { calls: this.calls, failures: this.failures, slowCalls: this.slowCalls };
  }

  clear(): void {
    this.data.fill(0);
    this.calls = this.failures = this.slowCalls = 0;
  }

  save(): number[] {
    return [Number.isFinite(this.head) ? this.head : -1, ...this.data];
  }

  load(saved: unknown): boolean {
    if (!Array.isArray(saved) || saved.length !== this.data.length + 1) return false;
    const [head, ...data] = saved as number[];
    if (!Number.isInteger(head) || !isIntArray(data, this.data.length)) return false;
    this.data.set(data);
    this.head = head! < 0 ? Number.NEGATIVE_INFINITY : head!;
    this.calls = this.failures = this.slowCalls = 0;
    for (let i = 0; i < data.length; i += 3) {
      this.calls += data[i]!;
      this.failures += data[i + 1]!;
      this.slowCalls += data[i + 2]!;
    }
    return true;
  }

  /** Drops buckets that left the window; returns the slot of the bucket holding `now`. */
  private rotate(now: number): number {
    const bucket = Math.floor(now / this.span);
    if (bucket > this.head) {
      if (bucket - this.head >= this.buckets) {
        this.clear();
      } else {
        for (let b = this.head + 1; b <= bucket; b++) this.dropSlot(slotOf(b, this.buckets));
      }
      this.head = bucket;
    }
    // A clock that went backwards records into the newest bucket.
    return slotOf(this.head, this.buckets);
  }

  private dropSlot(slot: number): void {
    const at = slot * 3;
    const data = this.data;
    this.calls -= data[at]!;
    this.failures -= data[at + 1]!;
    this.slowCalls -= data[at + 2]!;
    data[at] = data[at + 1] = data[at + 2] = 0;
  }
}

function slotOf(bucket: number, buckets: number): number {
  return ((bucket % buckets) + buckets) % buckets;
}
