/**
 * @internal The wait queue of one key: FIFO waiters that hold their place. Only the head asks the
 * store; the others wait behind it. A lane exists only while it has waiters (or an answer from an
 * asynchronous store is pending), and owns at most one scheduled action: the head's wake-up.
 */
import type { Observable, Subscriber, Subscription } from 'rxjs';

export class Waiter {
  /** Admitted, rejected or gone: the waiter has left its lane. */
  done = false;

  constructor(
    readonly source: Observable<unknown>,
    readonly subscriber: Subscriber<unknown>,
    readonly arrivedAt: number,
  ) {}
}

export class Lane {
  readonly waiters = new Set<Waiter>();
  /** The head's wake-up, when it waits for tokens. */
  timer: Subscription | undefined = undefined;
  /** An asynchronous store is answering the head. */
  busy = false;

  constructor(
    readonly key: string,
    /** The key as the store sees it (scoped by the limiter's name). */
    readonly storeKey: string,
  ) {}

  first(): Waiter | undefined {
    return this.waiters.values().next().value;
  }

  /** Takes a waiter out of the lane (admitted, rejected or gone). */
  remove(waiter: Waiter): void {
    waiter.done = true;
    this.waiters.delete(waiter);
  }
}
