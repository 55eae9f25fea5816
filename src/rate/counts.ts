/**
 * @internal Two counters (requests, accepts) over a sliding time window of `buckets` equal
 * buckets aligned to multiples of the bucket length on the scheduler's clock, rotated lazily on
 * access: no timers.
 */
/** Buckets per window: the window is at least this many milliseconds (one per bucket). */
export const COUNT_BUCKETS = 10;

export class WindowCounts {
  private readonly span: number;
  private readonly epochs: Float64Array;
  private readonly requests: Float64Array;
  private readonly accepts: Float64Array;

  constructor(window: number, private readonly buckets: number) {
    this.span = window / buckets;
    this.epochs = new Float64Array(buckets).fill(-1);
    this.requests = new Float64Array(buckets);
    this.accepts = new Float64Array(buckets);
  }

  addRequest(now: number): void {
    this.requests[this.slot(now)]!++;
  }

  addAccept(now: number): void {
    this.accepts[this.slot(now)]!++;
  }

  /** `[requests, accepts]` in the window ending at `now`. */
  totals(now: number): [number, number] {
    const epoch = Math.floor(now / this.span);
    let requests = 0;
    let accepts = 0;
    for (let i = 0; i < this.buckets; i++) {
      if (this.epochs[i]! > epoch - this.buckets) {
        requests += this.requests[i]!;
        accepts += this.accepts[i]!;
      }
    }
    return [requests, accepts];
  }

  private slot(now: number): number {
    const epoch = Math.floor(now / this.span);
    const i = epoch % this.buckets;
    if (this.epochs[i] !== epoch) {
      this.epochs[i] = epoch;
      this.requests[i] = 0;
      this.accepts[i] = 0;
    }
    return i;
  }
}
