/**
 * A sliding time window of `buckets` equal buckets of `duration / buckets` ms, aligned to
 * multiples of the bucket length on the scheduler's clock, rotated lazily on access (no timers),
 * holding `fields` counters per bucket and their running totals over the window. Memory is
 * O(buckets · fields), nothing per event. A clock that goes backwards counts into the newest bucket.
 */
export class BucketWindow {
  private readonly data: Float64Array;
  private readonly sums: Float64Array;
  private readonly span: number;
  /** Absolute number (time / span) of the newest bucket. */
  private head = Number.NEGATIVE_INFINITY;

  constructor(
    duration: number,
    private readonly buckets: number,
    private readonly fields: number,
  ) {
    this.span = duration / buckets;
    this.data = new Float64Array(buckets * fields);
    this.sums = new Float64Array(fields);
  }

  /** Adds `amount` to counter `field` at `now`. */
  add(now: number, field: number, amount = 1): void {
    this.data[this.rotate(now) * this.fields + field]! += amount;
    this.sums[field]! += amount;
  }

  /** Counter `field` summed over the window ending at `now`. */
  total(now: number, field: number): number {
    this.rotate(now);
    return this.sums[field]!;
  }

  /** Counter `field` summed over the window as last rotated (by `add` or `total`). */
  sum(field: number): number {
    return this.sums[field]!;
  }

  clear(): void {
    this.data.fill(0);
    this.sums.fill(0);
  }

  /** `[head, ...counters]`, JSON-safe; `load` takes it back. */
  save(): number[] {
    return [Number.isFinite(this.head) ? this.head : -1, ...this.data];
  }

  /** Restores what `save` returned; false (and nothing changed) when `saved` is not that. */
  load(saved: unknown): boolean {
    if (!Array.isArray(saved) || saved.length !== this.data.length + 1) return false;
    if (!saved.every((v) => Number.isInteger(v)) || (saved as number[]).slice(1).some((v) => v < 0)) return false;
    const [head, ...data] = saved as number[];
    this.data.set(data);
    this.head = head! < 0 ? Number.NEGATIVE_INFINITY : head!;
    this.sums.fill(0);
    data.forEach((v, i) => (this.sums[i % this.fields]! += v));
    return true;
  }

  /** Drops the buckets that left the window; returns the slot of the bucket holding `now`. */
  private rotate(now: number): number {
    const bucket = Math.floor(now / this.span);
    if (bucket > this.head) {
      if (bucket - this.head >= this.buckets) this.clear();
      else for (let b = this.head + 1; b <= bucket; b++) this.drop(this.slotOf(b));
      this.head = bucket;
    }
    return this.slotOf(this.head);
  }

  private drop(slot: number): void {
    for (let f = 0; f < this.fields; f++) {
      const at = slot * this.fields + f;
      this.sums[f]! -= this.data[at]!;
      this.data[at] = 0;
    }
  }

  private slotOf(bucket: number): number {
    return ((bucket % this.buckets) + this.buckets) % this.buckets;
  }
}
