/** @internal Trips after `failures` failures in a row; also counts calls since the last transition. */
import { isIntArray, type Strategy, type WindowCounts } from './strategy.js';

export class ConsecutiveStrategy implements Strategy {
  private run = 0;
  private calls = 0;
  private failures = 0;
  private slowCalls = 0;

  constructor(private readonly threshold: number) {}

  record(_now: number, failure: boolean, slow: boolean): boolean {
    this.calls++;
    if (slow) this.slowCalls++;
    if (!failure) {
      this.run = 0;
      return false;
    }
    this.failures++;
    return ++this.run >= this.threshold;
  }

  counts(): WindowCounts {
    return { calls: this.calls, failures: this.failures, slowCalls: this.slowCalls };
  }

  clear(): void {
    this.run = this.calls = this.failures = this.slowCalls = 0;
  }

  save(): number[] {
    return [this.run, this.calls, this.failures, this.slowCalls];
  }

  load(saved: unknown): boolean {
    if (!isIntArray(saved, 4)) return false;
    [this.run, this.calls, this.failures, this.slowCalls] = saved as [number, number, number, number];
    return true;
  }
}
