/**
 * @internal One upstream call shared by every subscriber that asked a cache for the same key
 * while it ran (request coalescing).
 *
 * A `Flight` is the upstream subscriber. It keeps the values seen so far, replays them to a
 * subscriber that joins late, relays what follows to everyone, and tells its owner how it ended
 * (before relaying the end, so a subscriber reacting to the end already finds the result stored).
 * When the last subscriber leaves before the end, the upstream call is unsubscribed: it ends as
 * `cancel` when nothing was emitted yet, else as `complete` with the values so far (decision
 * 1 in docs/decisions.md: an unsubscribe after a value, as with `take(1)` or `firstValueFrom`, is a success).
 */
import { Subscriber } from 'rxjs';

export type FlightEnd = 'complete' | 'error' | 'cancel';

export class Flight<T> extends Subscriber<T> {
  readonly values: T[] = [];
  /** Set when the key was invalidated while the call ran: its result is not stored. */
  detached = false;
  private readonly joined = new Set<Subscriber<T>>();
  private ended = false;

  constructor(private readonly onEnd: (flight: Flight<T>, end: FlightEnd) => void) {
    super();
  }

  /**
   * Replays the values so far to `subscriber`, then relays the rest. Leaving is wired to the
   * subscriber's own teardown before anything runs, so a synchronous `take(1)` stops the upstream.
   */
  join(subscriber: Subscriber<T>): void {
    for (const value of this.values) {
      subscriber.next(value);
      if (subscriber.closed) return;
    }
    this.joined.add(subscriber);
    subscriber.add(() => this.leave(subscriber));
  }

  /**
   * Relays `value` to those joined before it arrived. One who joins while it is relayed (from a
   * listener of another subscriber) finds it already in `values`, gets it in the replay, and is
   * not relayed it again: each upstream value reaches each subscriber once.
   */
  protected override _next(value: T): void {
    this.values.push(value);
    for (const subscriber of [...this.joined]) if (this.joined.has(subscriber)) subscriber.next(value);
  }

  protected override _error(error: unknown): void {
    this.end('error');
    for (const subscriber of [...this.joined]) subscriber.error(error);
    this.unsubscribe();
  }

  protected override _complete(): void {
    this.end('complete');
    for (const subscriber of [...this.joined]) subscriber.complete();
    this.unsubscribe();
  }

  /**
   * The last subscriber to leave tears the upstream call down: before the end (a cancellation),
   * or after it, from its own teardown, so that upstream finalizers run before downstream ones,
   * as in a chain of RxJS operators.
   */
  private leave(subscriber: Subscriber<T>): void {
    this.joined.delete(subscriber);
    if (this.joined.size > 0) return;
    if (!this.ended) this.end(this.values.length > 0 ? 'complete' : 'cancel');
    this.unsubscribe();
  }

  private end(end: FlightEnd): void {
    this.ended = true;
    this.onEnd(this, end);
  }
}
