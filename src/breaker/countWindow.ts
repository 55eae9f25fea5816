/**
 * @internal The last `size` finished calls, as a ring of flags (bit 0 failure, bit 1 slow) with
 * running sums: O(1) per call, `size` bytes of memory.
 */
import { isIntArray, rateTrips, type RateRule, type Strategy, type WindowCounts } from './strategy.js';

const FAILURE = 1;
const SLOW = 2;

export class CountWindowStrategy implements Strategy {
  private readonly ring: Uint8Array;
  private next = 0;
  private filled = 0;
  private failures = 0;
  private slowCalls = 0;

  constructor(
    size: number,
    private readonly rule: RateRule,
  ) {
    this.ring = new Uint8Array(size);
  }

  record(_now: number, failure: boolean, slow: boolean): boolean {
    const ring = this.ring;
    if (this.filled === ring.length) {
      const old = ring[this.next]!;
      if (old & FAILURE) this.failures--;
      if (old & SLOW) this.slowCalls--;
    } else {
      this.filled++;
    }
    ring[this.next] = (failure ? FAILURE : 0) | (slow ? SLOW : 0);
    if (failure) this.failures++;
    if (slow) this.slowCalls++;
    this.next = (this.next + 1) % ring.length;
    return rateTrips(this.filled, this.failures, this.slowCalls, this.rule);
  }

  counts(): WindowCounts {
    return { calls: this.filled, failures: this.failures, slowCalls: this.slowCalls };
  }

  clear(): void {
    this.ring.fill(0);
    this.next = this.filled = this.failures = this.slowCalls = 0;
  }

  /** Oldest first. */
  save(): number[] {
    const out: number[] = [];
    const start = this.filled === this.ring.length ? this.next : 0;
    for (let i = 0; i < this.filled; i++) out.push(this.ring[(start + i) % this.ring.length]!);
    return out;
  }

  load(saved: unknown): boolean {
    if (!Array.isArray(saved) || saved.length > this.ring.length || !isIntArray(saved, saved.length) || saved.some((f) => f > 3)) return false;
    this.clear();
    for (const flags of saved) this.record(0, (flags & FAILURE) !== 0, (flags & SLOW) !== 0);
    return true;
  }
}
