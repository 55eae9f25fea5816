/**
 * @internal One call of a `hedge`: its attempts, its place in the policy's queue of calls waiting
 * to hedge, and the winner once there is one.
 */
import { Subscriber, type Observable } from 'rxjs';
import type { LinkedList, Linked } from '../internal/linkedList.js';

/** What a call needs of its policy (the policy's core). */
export interface HedgePolicyCore {
  readonly delay: number;
  readonly maxHedges: number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
  /** Calls waiting for their next hedge. */
  readonly waiting: LinkedList<HedgeCall<unknown>>;
  /** Queues `call` for its next hedge, `delay` from now. */
  wait(call: HedgeCall<unknown>): void;
  noteHedge(attempt: number, reason: 'delay' | 'error'): void;
  noteWin(attempt: number, attempts: number): void;
  noteFailure(attempts: number, failure: Failure): void;
}

/** How an attempt failed: an error, or a value `isFailureResult` matched. */
export interface Failure {
  readonly error: unknown;
  readonly value: unknown;
  readonly isValue: boolean;
}

/** One call: its attempts, its place in the queue of calls waiting to hedge, and the winner once there is one. */
export class HedgeCall<T> implements Linked<HedgeCall<unknown>> {
  at = 0;
  list: LinkedList<HedgeCall<unknown>> | undefined = undefined;
  older: HedgeCall<unknown> | undefined = undefined;
  newer: HedgeCall<unknown> | undefined = undefined;
  private readonly live = new Set<Attempt<T>>();
  private started = 0;
  winner: Attempt<T> | undefined = undefined;
  /** Set while an attempt subscribes; an attempt failing then asks for a `relaunch` instead of recursing. */
  private subscribing = false;
  private relaunch = false;

  constructor(
    readonly core: HedgePolicyCore,
    private readonly source: Observable<T>,
    private readonly destination: Subscriber<T>,
  ) {
    // Attempts are children of the destination; the place in the queue is ours to leave.
    destination.add(() => this.disarm());
  }

  /**
   * Starts the next attempt, then queues the call for the one after (or, with delay 0, starts
   * them all). An attempt that fails synchronously asks for the next one from inside `start`: that
   * ask is queued and served by this loop, so the stack stays flat whatever `maxHedges` is.
   */
  launch(reason: 'delay' | 'error'): void {
    this.disarm();
    for (;;) {
      this.start(reason);
      if (this.relaunch) {
        // The attempt failed while subscribing: the next one starts once that subscribe returned.
        this.relaunch = false;
        if (this.destination.closed) return;
        reason = 'error';
        continue;
      }
      if (this.winner !== undefined || this.destination.closed || this.started > this.core.maxHedges) return;
      if (this.core.delay > 0) return this.core.wait(this as HedgeCall<unknown>);
      reason = 'delay';
    }
  }

  /** Its delay ran out. */
  due(): void {
    if (this.winner === undefined && !this.destination.closed) this.launch('delay');
  }

  private start(reason: 'delay' | 'error'): void {
    const attempt = new Attempt(this.destination, this, ++this.started);
    if (attempt.index > 1) this.core.noteHedge(attempt.index, reason);
    this.live.add(attempt);
    this.subscribing = true;
    try {
      this.source.subscribe(attempt);
    } finally {
      this.subscribing = false;
    }
  }

  private disarm(): void {
    this.core.waiting.remove(this as HedgeCall<unknown>);
  }

  win(attempt: Attempt<T>): void {
    this.winner = attempt;
    this.disarm();
    for (const other of this.live) if (other !== attempt) other.unsubscribe();
    this.live.clear();
    this.core.noteWin(attempt.index, this.started);
  }

  /**
   * An attempt failed before any attempt answered. The last one's failure goes downstream (an
   * error, or a failing value and completion) before its teardown.
   */
  fail(attempt: Attempt<T>, failure: Failure): void {
    this.live.delete(attempt);
    if (this.started <= this.core.maxHedges) {
      // The failed attempt is torn down before the next one starts, as RxJS `retry` does.
      attempt.unsubscribe();
      if (this.subscribing) this.relaunch = true;
      else this.launch('error');
      return;
    }
    if (this.live.size > 0) return;
    this.disarm();
    this.core.noteFailure(this.started, failure);
    if (!failure.isValue) return this.destination.error(failure.error);
    this.destination.next(failure.value as T);
    this.destination.complete();
  }
}

/**
 * One attempt. Until a winner is chosen it judges what it receives: a value (unless
 * `isFailureResult` matches it), a completion, or an error `isFailure` refuses, wins; anything
 * else fails the attempt. The winner's stream is relayed as it is.
 */
class Attempt<T> extends Subscriber<T> {
  constructor(
    destination: Subscriber<T>,
    private readonly call: HedgeCall<T>,
    readonly index: number,
  ) {
    super(destination);
  }

  protected override _next(value: T): void {
    if (this.call.winner === undefined) {
      const judge = this.call.core.isFailureResult;
      if (judge !== undefined) {
        let failing: boolean;
        try {
          failing = judge(value) === true;
        } catch (thrown) {
          return this.failWith({ error: thrown, value: undefined, isValue: false });
        }
        if (failing) return this.failWith({ error: undefined, value, isValue: true });
      }
      this.call.win(this);
    }
    this.destination.next(value);
  }

  protected override _error(error: unknown): void {
    if (this.call.winner === undefined && !this.answers(error)) return this.failWith({ error, value: undefined, isValue: false });
    if (this.call.winner === undefined) this.call.win(this);
    super._error(error);
  }

  protected override _complete(): void {
    if (this.call.winner === undefined) this.call.win(this);
    super._complete();
  }

  /** Whether `error` is an answer rather than a failure (`isFailure` says false); a throwing `isFailure` makes it a failure. */
  private answers(error: unknown): boolean {
    const isFailure = this.call.core.isFailure;
    if (isFailure === undefined) return false;
    try {
      return isFailure(error) === false;
    } catch {
      return false;
    }
  }

  private failWith(failure: Failure): void {
    this.isStopped = true;
    try {
      this.call.fail(this, failure);
    } finally {
      this.unsubscribe();
    }
  }
}
