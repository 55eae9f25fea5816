/**
 * @internal The waiting room of a bulkhead: priorities, FIFO within a priority, O(1) removal.
 *
 * Each priority that has waiters owns a linked list (the kernel's `LinkedList`); the lists sit in an array sorted by
 * priority, highest first (there are few distinct priorities in practice). A node knows its list,
 * so a waiter that leaves (unsubscribed, timed out) is unlinked in O(1), and a node that is in no
 * list answers `remove` with false: leaving is idempotent.
 */

import { LinkedList, type Linked } from '../internal/linkedList.js';

export interface QueueNode extends Linked<QueueNode> {
  readonly priority: number;
}

/** The waiters of one priority, oldest first. */
export class Level extends LinkedList<QueueNode> {
  constructor(readonly priority: number) {
    super();
  }
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
    this.levelFor(node.priority).push(node);
    this.count++;
  }

  /** Takes the oldest waiter of the highest priority. */
  shift(): N | undefined {
    const node = this.levels[0]?.head as N | undefined;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Unlinks `node`; false when it was not waiting (already taken or removed). */
  remove(node: N): boolean {
    const level = node.list as Level | undefined;
    if (level === undefined || !level.remove(node)) return false;
    this.count--;
    if (level.head === undefined) this.levels.splice(this.levels.indexOf(level), 1);
    return true;
  }

  /** Waiters in the order they would be taken (for tests and diagnostics). */
  *[Symbol.iterator](): IterableIterator<N> {
    for (const level of this.levels) yield* level as Iterable<N>;
  }

  private levelFor(priority: number): Level {
    const levels = this.levels;
    let i = 0;
    while (i < levels.length && levels[i]!.priority > priority) i++;
    const found = levels[i];
    if (found !== undefined && found.priority === priority) return found;
    const level = new Level(priority);
    levels.splice(i, 0, level);
    return level;
  }
}
