/**
 * @internal Per-key state records of a memory store, with bounded memory and no timers.
 *
 * Records sit in a `Map` in least-recently-used order (an access moves a record to the end).
 * Each record knows `idleAt`, the instant from which it equals a fresh record (a full bucket, an
 * empty window): from then on it can be dropped, since dropping it changes no answer. Dropping is
 * lazy: a few idle records at the old end are dropped whenever a new key arrives or the order
 * changes, and `sweep()` drops them all. A record's `idleAt` is at most one refill or window after
 * its last access, so the records left are those of keys used in the last refill or window,
 * bounded again by `maxKeys` (the least recently used go first).
 */

export interface Idle {
  /** From this instant on, the record equals a fresh one. */
  idleAt: number;
}

/** Idle records dropped per new key: more than one, so a backlog drains while keys arrive. */
const SWEEP_BUDGET = 4;

export class KeyedRecords<S extends Idle> {
  private readonly map = new Map<string, S>();
  private lastKey: string | undefined = undefined;
  private last: S | undefined = undefined;

  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The record of `key`, now the most recently used; undefined when there is none. */
  find(key: string, now: number): S | undefined {
    if (key === this.lastKey) return this.last;
    // Sweep first: a record returned to the caller must stay in the map.
    this.sweep(now, SWEEP_BUDGET);
    const record = this.map.get(key);
    if (record !== undefined) {
      this.map.delete(key);
      this.map.set(key, record);
      this.lastKey = key;
      this.last = record;
    }
    return record;
  }

  /** Adds a fresh record for a key that has none. */
  add(key: string, record: S, now: number): void {
    this.sweep(now, SWEEP_BUDGET);
    this.map.set(key, record);
    this.lastKey = key;
    this.last = record;
    if (this.map.size > this.maxKeys) {
      for (const oldest of this.map.keys()) {
        this.drop(oldest);
        break;
      }
    }
  }

  /** Drops idle records from the least recently used end, at most `budget`; returns how many. */
  sweep(now: number, budget = Infinity): number {
    let dropped = 0;
    for (const [key, record] of this.map) {
      if (dropped >= budget || record.idleAt > now) break;
      this.drop(key);
      dropped++;
    }
    return dropped;
  }

  private drop(key: string): void {
    this.map.delete(key);
    if (key === this.lastKey) {
      this.lastKey = undefined;
      this.last = undefined;
    }
  }
}
