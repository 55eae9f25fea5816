/**
 * @internal Two counters (requests, accepts) over a sliding time window of `buckets` equal
 * buckets: the kernel's `BucketWindow`, rotated lazily on access (no timers).
 */
import { BucketWindow } from '../internal/bucketWindow.js';

/** Buckets per window: the window is at least this many milliseconds (one per bucket). */
export const COUNT_BUCKETS = 10;

const REQUESTS = 0;
const ACCEPTS = 1;

export class WindowCounts {
  private readonly window: BucketWindow;

  constructor(window: number, buckets: number) {
    this.window = new BucketWindow(window, buckets, 2);
  }

  addRequest(now: number): void {
    this.window.add(now, REQUESTS);
  }

  addAccept(now: number): void {
    this.window.add(now, ACCEPTS);
  }

  /** `[requests, accepts]` in the window ending at `now`. */
  totals(now: number): [number, number] {
    return [this.window.total(now, REQUESTS), this.window.total(now, ACCEPTS)];
  }
}
