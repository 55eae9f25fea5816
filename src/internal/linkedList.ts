/**
 * An intrusive doubly linked FIFO: the nodes carry their own links, so a node that knows its list
 * leaves it in O(1) (a waiter that gives up, a call whose deadline no longer matters), and a node
 * in no list answers `remove` with false: leaving is idempotent.
 *
 * The links are named `older` and `newer` (not `prev`/`next`) so that a node may also be an RxJS
 * `Subscriber`, whose `next` is taken.
 */

/** The links a node carries; owned by the list. */
export interface Linked<N extends Linked<N>> {
  older: N | undefined;
  newer: N | undefined;
  list: LinkedList<N> | undefined;
}

export class LinkedList<N extends Linked<N>> {
  head: N | undefined = undefined;
  tail: N | undefined = undefined;
  size = 0;

  /** Appends `node` at the tail, taking it out of any list it was in first. */
  push(node: N): void {
    node.list?.remove(node);
    node.list = this;
    node.newer = undefined;
    node.older = this.tail;
    if (this.tail === undefined) this.head = node;
    else this.tail.newer = node;
    this.tail = node;
    this.size++;
  }

  /** Takes the oldest node. */
  shift(): N | undefined {
    const node = this.head;
    if (node !== undefined) this.remove(node);
    return node;
  }

  /** Unlinks `node`; false when it is not in this list. */
  remove(node: N): boolean {
    if (node.list !== this) return false;
    if (node.older === undefined) this.head = node.newer;
    else node.older.newer = node.newer;
    if (node.newer === undefined) this.tail = node.older;
    else node.newer.older = node.older;
    node.list = node.older = node.newer = undefined;
    this.size--;
    return true;
  }

  /** Oldest first. */
  *[Symbol.iterator](): IterableIterator<N> {
    for (let node = this.head; node !== undefined; node = node.newer) yield node;
  }
}
