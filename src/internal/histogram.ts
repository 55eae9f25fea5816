/**
 * @internal Durations as a fixed-size, log-bucketed histogram, over a window of recent samples.
 *
 * Buckets: one for [0, 1 µs), then buckets whose bounds grow by 6 % each, up to 2^31 ms (about 24
 * days); a longer duration counts in the top bucket. Every quantile and the maximum are read as
 * one representative value per bucket, `2·lo·hi / (lo + hi)`, which is within (6 / 206) ≈ 2.9 %
 * of any value in [lo, hi). Quantiles are nearest-rank: the q-quantile of n samples is the
 * ⌈q·n⌉-th smallest. The mean is exact (a running sum).
 *
 * Two windows: the last `size` samples (a ring of values, O(size) memory), and a rolling time
 * window of `slots` equal slots aligned on the clock, rotated lazily on access like a bucketed
 * counter (O(slots · BUCKETS) memory). Recording is O(1); a summary reads every bucket once.
 */
import type { SchedulerLike } from 'rxjs';
import type { Check } from './validate.js';

/** What `stats()` reports for the durations of the calls in a window (ms; zeros when empty). */
export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

const GROWTH = 1.06;
const LOWEST = 0.001;
const LOG_GROWTH = Math.log(GROWTH);
/** The zero bucket, then enough growing buckets to pass 2^31 ms. */
export const BUCKETS = 2 + Math.ceil(Math.log(2 ** 31 / LOWEST) / LOG_GROWTH);
/** Each bucket's representative value. */
const VALUES = Float64Array.from({ length: BUCKETS }, (_, i) => {
  if (i === 0) return 0;
  const lo = LOWEST * GROWTH ** (i - 1);
  return (2 * lo * (lo * GROWTH)) / (lo + lo * GROWTH);
});

/** The bucket holding `ms` (a finite number ≥ 0; anything else counts as 0). */
export function bucketOf(ms: number): number {
  if (!(ms >= LOWEST)) return 0;
  const i = 1 + Math.floor(Math.log(ms / LOWEST) / LOG_GROWTH);
  return i < BUCKETS ? i : BUCKETS - 1;
}

/** The value a bucket reports. */
export function bucketValue(bucket: number): number {
  return VALUES[bucket]!;
}

export const EMPTY_SUMMARY: LatencySummary = { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 };

/** Reads `counts` (holding `count` samples summing to `sum`) in one pass. */
export function summarize(counts: Uint32Array, count: number, sum: number): LatencySummary {
  if (count === 0) return EMPTY_SUMMARY;
  const r50 = Math.ceil(0.5 * count);
  const r90 = Math.ceil(0.9 * count);
  const r99 = Math.ceil(0.99 * count);
  let p50 = 0;
  let p90 = 0;
  let p99 = 0;
  let max = 0;
  let seen = 0;
  for (let i = 0; i < BUCKETS; i++) {
    const c = counts[i]!;
    if (c === 0) continue;
    const before = seen;
    seen += c;
    const v = VALUES[i]!;
    if (before < r50 && seen >= r50) p50 = v;
    if (before < r90 && seen >= r90) p90 = v;
    if (before < r99 && seen >= r99) p99 = v;
    max = v;
    if (seen >= count) break;
  }
  return { count, mean: Math.max(0, sum / count), p50, p90, p99, max };
}

/** A window of durations. */
export interface LatencyWindow {
  record(ms: number, now: number): void;
  summary(now: number): LatencySummary;
}

/** The last `size` samples. */
export class CountLatencyWindow implements LatencyWindow {
  private readonly counts = new Uint32Array(BUCKETS);
  private readonly ring: Float64Array;
  /** Each sample's bucket, so that leaving costs no logarithm. */
  private readonly ringBuckets: Uint16Array;
  private next = 0;
  private filled = 0;
  private sum = 0;

  constructor(size: number) {
    this.ring = new Float64Array(size);
    this.ringBuckets = new Uint16Array(size);
  }

  record(ms: number): void {
    const v = ms >= 0 && ms !== Number.POSITIVE_INFINITY ? ms : 0;
    const ring = this.ring;
    const at = this.next;
    if (this.filled === ring.length) {
      this.counts[this.ringBuckets[at]!]!--;
      this.sum -= ring[at]!;
    } else {
      this.filled++;
    }
    const b = bucketOf(v);
    ring[at] = v;
    this.ringBuckets[at] = b;
    this.counts[b]!++;
    this.sum += v;
    if (at + 1 < ring.length) this.next = at + 1;
    else {
      this.next = 0;
      // Once a lap (amortized O(1)), drop the rounding a running sum of removals collects.
      let sum = 0;
      for (let i = 0; i < ring.length; i++) sum += ring[i]!;
      this.sum = sum;
    }
  }

  summary(): LatencySummary {
    return summarize(this.counts, this.filled, this.sum);
  }
}

/** A rolling window of `duration` ms in `slots` slots of `duration / slots` ms. */
export class TimeLatencyWindow implements LatencyWindow {
  private readonly counts = new Uint32Array(BUCKETS);
  /** Per slot: its bucket counts, allocated on its first sample (`NONE` until then). */
  private readonly slotCounts: Uint32Array[];
  private readonly slotSums: Float64Array;
  private readonly slotSizes: Uint32Array;
  private readonly span: number;
  /** Absolute number (time / span) of the newest slot, its index, and the time range it covers. */
  private head = Number.NEGATIVE_INFINITY;
  private headSlot = 0;
  private headFrom = Number.POSITIVE_INFINITY;
  private headTo = Number.NEGATIVE_INFINITY;
  private count = 0;

  constructor(
    duration: number,
    private readonly slots: number,
  ) {
    this.span = duration / slots;
    this.slotCounts = Array.from({ length: slots }, () => NONE);
    this.slotSums = new Float64Array(slots);
    this.slotSizes = new Uint32Array(slots);
  }

  record(ms: number, now: number): void {
    const v = ms >= 0 && ms !== Number.POSITIVE_INFINITY ? ms : 0;
    const slot = now >= this.headFrom && now < this.headTo ? this.headSlot : this.rotate(now);
    const b = bucketOf(v);
    let own = this.slotCounts[slot]!;
    if (own === NONE) own = this.slotCounts[slot] = new Uint32Array(BUCKETS);
    own[b]!++;
    this.counts[b]!++;
    this.slotSums[slot]! += v;
    this.slotSizes[slot]!++;
    this.count++;
  }

  summary(now: number): LatencySummary {
    this.rotate(now);
    let sum = 0;
    for (let s = 0; s < this.slots; s++) sum += this.slotSums[s]!;
    return summarize(this.counts, this.count, sum);
  }

  /** Empties the slots that left the window; returns the slot holding `now`. */
  private rotate(now: number): number {
    const current = Math.floor(now / this.span);
    if (current > this.head) {
      const from = current - this.head >= this.slots ? current - this.slots + 1 : this.head + 1;
      for (let n = from; n <= current; n++) this.drop(slotOf(n, this.slots));
      this.head = current;
      this.headSlot = slotOf(current, this.slots);
      this.headFrom = current * this.span;
      this.headTo = (current + 1) * this.span;
    }
    // A clock that went backwards records into the newest slot.
    return this.headSlot;
  }

  private drop(slot: number): void {
    const size = this.slotSizes[slot]!;
    if (size === 0) return;
    const own = this.slotCounts[slot]!;
    const counts = this.counts;
    for (let i = 0; i < BUCKETS; i++) {
      const c = own[i]!;
      if (c !== 0) {
        counts[i]! -= c;
        own[i] = 0;
      }
    }
    this.count -= size;
    this.slotSizes[slot] = 0;
    this.slotSums[slot] = 0;
  }
}

const NONE = new Uint32Array(0);

function slotOf(n: number, slots: number): number {
  return ((n % slots) + slots) % slots;
}

/** Config keys of `parseLatency`. */
export const LATENCY_KEYS = ['latency', 'latencyWindow'] as const;
export const DEFAULT_LATENCY_WINDOW = 60_000;
/** Slots of a rolling `latencyWindow`: samples leave it a tenth of the window at a time. */
const LATENCY_SLOTS = 10;

/**
 * `latency` (a boolean, default false) and `latencyWindow` (ms > 0, default 60 000, only with
 * `latency: true`, and refused with `fixedWindow`, the reason a policy gives when its latency
 * window is its own). Returns a factory of the window, or undefined when latency is off.
 */
export function parseLatency(check: Check, config: Record<string, unknown>, fixedWindow?: { readonly make: () => LatencyWindow; readonly reason: string }): (() => LatencyWindow) | undefined {
  const { latency, latencyWindow } = config;
  if (latency !== undefined && typeof latency !== 'boolean') check.fail('latency', latency, 'a boolean');
  if (latencyWindow !== undefined && latency !== true) check.fail('latencyWindow', latencyWindow, 'left out unless latency is true');
  if (latency !== true) return undefined;
  if (fixedWindow !== undefined) {
    if (latencyWindow !== undefined) check.fail('latencyWindow', latencyWindow, fixedWindow.reason);
    return fixedWindow.make;
  }
  const duration = check.duration('latencyWindow', latencyWindow, DEFAULT_LATENCY_WINDOW);
  return () => new TimeLatencyWindow(duration, LATENCY_SLOTS);
}

/** `stats` with the window's summary at `now` as `latency`, or `stats` alone without a window. */
export function withLatency<S extends object>(stats: S, window: LatencyWindow | undefined, now: number): S & { readonly latency?: LatencySummary } {
  return window === undefined ? stats : { ...stats, latency: window.summary(now) };
}

/** Records the duration of a call that began at `startedAt` and ends now; nothing without a window. */
export function recordSince(window: LatencyWindow | undefined, scheduler: SchedulerLike, startedAt: number): void {
  if (window === undefined) return;
  const now = scheduler.now();
  window.record(now - startedAt, now);
}
