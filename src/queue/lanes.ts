/**
 * @internal The queue's waiting room: one FIFO lane per key, and one shared FIFO for messages
 * without a key (they have no order among themselves). A keyed lane is busy while its head is
 * out (in flight, waiting for its backoff, or being recorded), which is what keeps delivery in
 * enqueue order per key. Ready keyed lanes are served round-robin, alternating with the unkeyed
 * FIFO, so one long key starves nobody. Every operation is O(1) amortised: FIFOs are arrays with
 * a head index, compacted once half consumed (shifting arrays, or iterating a Set after many
 * deletions at its front, costs O(n) per call in V8).
 */
import type { StoredMessage } from './types.js';

/** An array-backed FIFO with O(1) amortised `shift` and an `unshift` for put-backs. */
class Fifo<T> {
  private items: T[] = [];
  private head = 0;
  private readonly front: T[] = [];

  get length(): number {
    return this.items.length - this.head + this.front.length;
  }

  push(item: T): void {
    this.items.push(item);
  }

  unshift(item: T): void {
    this.front.push(item);
  }

  shift(): T | undefined {
    if (this.front.length > 0) return this.front.pop();
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

export class Lanes {
  private readonly keyed = new Map<string, Fifo<StoredMessage>>();
  private readonly ready = new Fifo<string>();
  private readonly busy = new Set<string>();
  private readonly loose = new Fifo<StoredMessage>();
  private preferKeyed = true;
  /** Unfinished messages (waiting or out): id → enqueuedAt. */
  private readonly held = new Map<string, number>();
  /** Ids in arrival order, finished ones skipped lazily: O(1) amortised "oldest". */
  private readonly arrivals = new Fifo<string>();
  private oldest: string | undefined = undefined;
  /** Messages waiting in lanes (not out). */
  waiting = 0;

  has(id: string): boolean {
    return this.held.has(id);
  }

  /** `enqueuedAt` of the unfinished message that arrived first (enqueued, recovered or requeued). */
  get oldestEnqueuedAt(): number | undefined {
    while (this.oldest === undefined || !this.held.has(this.oldest)) {
      this.oldest = this.arrivals.shift();
      if (this.oldest === undefined) return undefined;
    }
    return this.held.get(this.oldest);
  }

  /** Adds a message behind the others of its key. */
  push(message: StoredMessage): void {
    if (!this.held.has(message.id)) this.arrivals.push(message.id);
    this.held.set(message.id, message.enqueuedAt);
    this.waiting++;
    const key = message.key;
    if (key === undefined) return this.loose.push(message);
    let lane = this.keyed.get(key);
    if (lane === undefined) this.keyed.set(key, (lane = new Fifo()));
    lane.push(message);
    if (lane.length === 1 && !this.busy.has(key)) this.ready.push(key);
  }

  /** Takes the next message; its key (if any) is busy until `putBack` or `finish`. */
  claimNext(): StoredMessage | undefined {
    const message = this.preferKeyed ? (this.fromKeyed() ?? this.loose.shift()) : (this.loose.shift() ?? this.fromKeyed());
    this.preferKeyed = !this.preferKeyed;
    if (message !== undefined) this.waiting--;
    return message;
  }

  /** Puts a claimed message back at the head of its lane and frees its key. */
  putBack(message: StoredMessage): void {
    this.waiting++;
    if (message.key === undefined) return this.loose.unshift(message);
    this.keyed.get(message.key)!.unshift(message);
    this.release(message.key);
  }

  /** The message is finished (acknowledged or dead-lettered): it is no longer held. */
  finish(message: StoredMessage): void {
    this.held.delete(message.id);
    if (message.key !== undefined) this.release(message.key);
  }

  private fromKeyed(): StoredMessage | undefined {
    const key = this.ready.shift();
    if (key === undefined) return undefined;
    this.busy.add(key);
    return this.keyed.get(key)!.shift();
  }

  private release(key: string): void {
    this.busy.delete(key);
    const lane = this.keyed.get(key);
    if (lane === undefined) return;
    if (lane.length === 0) this.keyed.delete(key);
    else this.ready.push(key);
  }
}
