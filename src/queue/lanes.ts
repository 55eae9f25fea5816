/**
 * @internal The queue's waiting room: one FIFO lane per key (a message without a key has a lane
 * of its own), a set of lanes ready to hand out their head, and the lanes that are busy (their
 * head is in flight, waiting for its backoff, or being recorded). A lane is busy with one message
 * at a time, which is what keeps delivery in enqueue order per key. Taking the next message is
 * O(1); ready lanes are served round-robin, so one long key does not starve the others.
 */
import type { StoredMessage } from './types.js';

export class Lanes {
  private readonly lanes = new Map<string, StoredMessage[]>();
  private readonly ready = new Set<string>();
  private readonly busy = new Set<string>();
  /** Unfinished messages by id (waiting or busy), in arrival order: the first is the oldest. */
  private readonly held = new Map<string, number>();
  /** Messages waiting in lanes (not taken). */
  waiting = 0;

  static laneOf(message: StoredMessage): string {
    return message.key === undefined ? `#${message.id}` : `k${message.key}`;
  }

  has(id: string): boolean {
    return this.held.has(id);
  }

  get oldestEnqueuedAt(): number | undefined {
    for (const at of this.held.values()) return at;
    return undefined;
  }

  /** Adds a message behind the others of its key. */
  push(message: StoredMessage): void {
    const lane = Lanes.laneOf(message);
    const list = this.lanes.get(lane);
    if (list === undefined) this.lanes.set(lane, [message]);
    else list.push(message);
    this.held.set(message.id, message.enqueuedAt);
    this.waiting++;
    if (!this.busy.has(lane)) this.ready.add(lane);
  }

  /** Puts a taken message back at the head of its lane and frees the lane. */
  putBack(message: StoredMessage): void {
    const lane = Lanes.laneOf(message);
    const list = this.lanes.get(lane);
    if (list === undefined) this.lanes.set(lane, [message]);
    else list.unshift(message);
    this.waiting++;
    this.release(lane);
  }

  /** The head of the next ready lane, without taking it; its lane becomes busy. */
  claimNext(): StoredMessage | undefined {
    for (const lane of this.ready) {
      this.ready.delete(lane);
      this.busy.add(lane);
      return this.lanes.get(lane)![0];
    }
    return undefined;
  }

  /** Takes the head of a lane claimed with `claimNext`. */
  take(message: StoredMessage): void {
    const lane = Lanes.laneOf(message);
    this.lanes.get(lane)!.shift();
    this.waiting--;
  }

  /** The message is finished (acknowledged or dead-lettered): it is no longer held. */
  finish(message: StoredMessage): void {
    this.held.delete(message.id);
    this.release(Lanes.laneOf(message));
  }

  /** Frees a busy lane; it is ready again when it still has messages. */
  release(lane: string): void {
    this.busy.delete(lane);
    const list = this.lanes.get(lane);
    if (list === undefined) return;
    if (list.length === 0) this.lanes.delete(lane);
    else this.ready.add(lane);
  }
}
