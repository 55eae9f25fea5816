/**
 * @internal The waiting room of a bulkhead: priorities, FIFO within a priority, O(1) removal.
 *
 * Each priority that has waiters owns a doubly linked list; the lists sit in an array sorted by
 * priority, highest first (there are few distinct priorities in practice). A node knows its list,
 * so a waiter that leaves (unsubscribed, timed out) is unlinked in O(1), and a node that is in no
 * list answers `remove` with false: leaving is idempotent.
 */

export interface QueueNode {
  readonly priority: number;
  /** Links, owned by the queue. */
  prev: QueueNode | undefined;
  next: QueueNode | undefined;
  level: Level | undefined;
}

export interface Level {
  readonly priority: number;
  head: QueueNode | undefined;
  tail: QueueNode | undefined;
}

export class WaitQueue<N extends QueueNode> {
  /** Non-empty levels, highest priority first. */
  private readonly levels: Level[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Appends `node` behind every waiter of the same or a higher priority. */
  push(node: N): void {
    const level = this.levelFor(node.priority);
    node.level = level;
    node.next = undefined;
    node.prev = level.tail;
    if (level.tail === undefined) level.head = node;
    else level.tail.next = node;
    level.tail = node;
    this.count++;
  }

  /** Takes the oldest waiter of the highest priority. */
  shift(): N | undefined {
    const level = this.levels[0];
    if (level === undefined) return undefined;
    const node = level.head as N;
    this.remove(node);
    return node;
  }

  /** Unlinks `node`; false when it was not waiting (already taken or removed). */
  remove(node: N): boolean {
    const level = node.level;
    if (level === undefined) return false;
    if (node.prev === undefined) level.head = node.next;
    else node.prev.next = node.next;
    if (node.next === undefined) level.tail = node.prev;
    else node.next.prev = node.prev;
    node.prev = node.next = node.level = undefined;
    this.count--;
    if (level.head === undefined) this.levels.splice(this.levels.indexOf(level), 1);
    return true;
  }

  /** Waiters in the order they would be taken (for tests and diagnostics). */
  *[Symbol.iterator](): IterableIterator<N> {
    for (const level of this.levels) {
      for (let node = level.head; node !== undefined; node = node.next) yield node as N;
    }
  }

  private levelFor(priority: number): Level {
    const levels = this.levels;
    let i = 0;
    while (i < levels.length && levels[i]!.priority > priority) i++;
    const found = levels[i];
    if (found !== undefined && found.priority === priority) return found;
    const level: Level = { priority, head: undefined, tail: undefined };
    levels.splice(i, 0, level);
    return level;
  }
}
