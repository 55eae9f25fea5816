/**
 * @internal Per-key state records of a memory store, with bounded memory and no timers.
 *
 * Records sit in a `Map` for lookup and in a linked list in least-recently-used order (an access
 * moves a record to the newer end in O(1), without touching the `Map`). Each record knows
 * `idleAt`, the instant from which it equals a fresh record (a full bucket, an empty window): from
 * then on it can be dropped, since dropping it changes no answer. Dropping is lazy: whenever a new
 * key arrives, a few idle records at the older end are dropped, and `sweep()` drops them all. A
 * record's `idleAt` is at most one refill or window after its last access, so the records left are
 * those of keys used in the last refill or window, bounded again by `maxKeys` (the least recently
 * used go first). Every operation costs the same with 1 or 10⁵ keys held: the sweep starts at the
 * list's oldest record and stops at the first one still in use.
 */
import { LinkedList, type Linked } from '../internal/linkedList.js';

export interface Idle {
  /** From this instant on, the record equals a fresh one. */
  idleAt: number;
}

/** Idle records dropped per new key: more than one, so a backlog drains while keys arrive. */
const SWEEP_BUDGET = 4;

/** A record in the recency list. */
class Entry<S> implements Linked<Entry<S>> {
  older: Entry<S> | undefined = undefined;
  newer: Entry<S> | undefined = undefined;
  list: LinkedList<Entry<S>> | undefined = undefined;

  constructor(
    readonly key: string,
    readonly record: S,
  ) {}
}

export class KeyedRecords<S extends Idle> {
  private readonly map = new Map<string, Entry<S>>();
  /** Oldest access at the head. */
  private readonly order = new LinkedList<Entry<S>>();
  /** The most recently used entry: already at the tail, so a repeat needs no lookup. */
  private last: Entry<S> | undefined = undefined;

  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The record of `key`, now the most recently used; undefined when there is none. */
  find(key: string): S | undefined {
    const last = this.last;
    if (last !== undefined && last.key === key) return last.record;
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry !== this.order.tail) this.order.push(entry);
    this.last = entry;
    return entry.record;
  }

  /** Adds a fresh record for a key that has none, dropping up to a few idle ones first. */
  add(key: string, record: S, now: number): void {
    this.sweep(now, SWEEP_BUDGET);
    const entry = new Entry(key, record);
    this.map.set(key, entry);
    this.order.push(entry);
    this.last = entry;
    if (this.map.size > this.maxKeys) this.drop(this.order.head!);
  }

  /** Drops idle records from the least recently used end, at most `budget`; returns how many. */
  sweep(now: number, budget = Infinity): number {
    let dropped = 0;
    for (let oldest = this.order.head; oldest !== undefined && dropped < budget && oldest.record.idleAt <= now; oldest = this.order.head) {
      this.drop(oldest);
      dropped++;
    }
    return dropped;
  }

  private drop(entry: Entry<S>): void {
    this.map.delete(entry.key);
    this.order.remove(entry);
    if (entry === this.last) this.last = undefined;
  }
}
