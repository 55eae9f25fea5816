/**
 * @internal One subscription to a `retryBackoff`: its retry state, and the subscriber of its
 * attempts.
 *
 * The success path costs one small object per subscription and nothing per attempt: `RetryCall`
 * is itself the (duck-typed) subscriber of the first attempt, forwards by hand, and is linked into
 * the downstream subscriber only when it has something to cancel (the source registered a
 * teardown, or a wait is scheduled). Until then `closed` reads the downstream's state, so a source
 * that checks `closed` stops when the downstream unsubscribes. Each retry subscribes through a
 * small `Retried` sink of its own, so that a torn-down attempt that keeps emitting (a source with
 * no teardown) is never taken for the current one.
 */
import { Subscriber, type Observable, type SchedulerLike, type Subscription, type TeardownLogic } from 'rxjs';
import { RetriesExhaustedError } from '../errors.js';
import { runFinalizers, type Finalizer } from '../internal/call.js';
import { scheduleOnce } from '../internal/clock.js';
import type { EventBus } from '../internal/cell.js';
import type { GiveUpReason, RetryBackoffEvent } from './events.js';
import type { RetryBudget } from './retryBudget.js';

/** What a call needs of its policy (the policy's core). */
export interface RetryPolicyCore {
  readonly name: string;
  readonly bus: EventBus<RetryBackoffEvent>;
  readonly scheduler: SchedulerLike;
  readonly maxAttempts: number;
  readonly maxElapsed: number | undefined;
  readonly maxDelay: number;
  readonly backoff: (attempt: number, previousDelay?: number) => number;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
  readonly resetOnSuccess: boolean;
  readonly budget: RetryBudget | undefined;
  /** A call first subscribed at `begunAt` completed or gave up. */
  ended(begunAt: number): void;
  /** False when `error` must surface unchanged. */
  retryable(error: unknown, attempt: number): boolean;
}

/** The subscriber of one attempt: it keeps the source's teardown and hands notifications to its call. */
abstract class Sink<T> {
  /** The attempt is over: it takes no notification, and a teardown added now runs at once. */
  ended = false;
  private finalizers: Finalizer | Finalizer[] | undefined = undefined;
  protected abstract readonly call: RetryCall<T>;

  get closed(): boolean {
    return this.ended || this.call.downstream.closed;
  }

  next(value: T): void {
    if (!this.closed) this.call.value(this, value);
  }

  error(error: unknown): void {
    if (!this.closed) this.call.failure(this, error);
  }

  complete(): void {
    if (!this.closed) this.call.completed(this);
  }

  add(teardown: TeardownLogic): void {
    if (!teardown || (teardown as unknown) === this) return;
    if (this.closed) return runFinalizers(teardown as Finalizer);
    const f = this.finalizers;
    this.finalizers = f === undefined ? (teardown as Finalizer) : Array.isArray(f) ? (f.push(teardown as Finalizer), f) : [f, teardown as Finalizer];
    this.call.link();
  }

  remove(teardown: TeardownLogic): void {
    const f = this.finalizers;
    if (f === teardown) this.finalizers = undefined;
    else if (Array.isArray(f)) {
      const i = f.indexOf(teardown as Finalizer);
      if (i >= 0) f.splice(i, 1);
    }
  }

  /** Ends the attempt and tears its source down (the first throwing finalizer's error is rethrown). */
  release(): void {
    this.ended = true;
    const f = this.finalizers;
    if (f === undefined) return;
    this.finalizers = undefined;
    runFinalizers(f);
  }

  abstract unsubscribe(): void;
}

/** The sink of a retried attempt. Unsubscribing it ends that attempt only. */
class Retried<T> extends Sink<T> {
  constructor(protected readonly call: RetryCall<T>) {
    super();
  }

  unsubscribe(): void {
    this.release();
  }
}

export class RetryCall<T> extends Sink<T> {
  protected readonly call: RetryCall<T> = this;
  /** Attempts made since the start or the last reset, the current one included. */
  private attempts = 1;
  private previous: number | undefined = undefined;
  private current: Sink<T> = this;
  private timer: Subscription | undefined = undefined;
  private linked = false;
  /** Set while an attempt subscribes; an attempt failing then with a zero wait asks for a `follow` instead of recursing. */
  private subscribing = false;
  private follow = false;

  constructor(
    readonly downstream: Subscriber<T>,
    private readonly core: RetryPolicyCore,
    private readonly source: Observable<T>,
    /** Start of `maxElapsed`: the first subscription, or the last value with `resetOnSuccess`. */
    private startedAt: number,
    /** The first subscription of the whole call (read only with `latency`). */
    private readonly begunAt: number,
  ) {
    super();
  }

  /**
   * Subscribes `sink`, then each attempt one hands over while it is still subscribing (a
   * synchronous failure with a zero wait), in a loop rather than by recursion.
   */
  run(sink: Sink<T>): void {
    while (!this.downstream.closed) {
      this.current = sink;
      this.subscribing = true;
      this.source.subscribe(sink as unknown as Subscriber<T>);
      this.subscribing = false;
      if (!this.follow) return;
      this.follow = false;
      sink = new Retried(this);
    }
  }

  /** Links this call into the downstream, once, so that unsubscribing it cancels the attempt and the wait. */
  link(): void {
    if (this.linked) return;
    this.linked = true;
    this.downstream.add(() => this.unsubscribe());
  }

  /** The downstream unsubscribed (or the call ended): cancels the wait and tears the current attempt down. */
  unsubscribe(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
    this.current.release();
  }

  value(sink: Sink<T>, value: T): void {
    const core = this.core;
    const judge = core.isFailureResult;
    if (judge !== undefined) {
      let failing: boolean;
      try {
        failing = judge(value) === true;
      } catch (thrown) {
        return this.ending(sink, () => this.giveUp('not-retryable', thrown, thrown));
      }
      if (failing) return this.ending(sink, () => this.failed(sink, undefined, value, true));
    }
    if (core.resetOnSuccess) {
      this.attempts = 1;
      this.previous = undefined;
      if (core.maxElapsed !== undefined) this.startedAt = core.scheduler.now();
    }
    this.downstream.next(value);
  }

  failure(sink: Sink<T>, error: unknown): void {
    this.ending(sink, () => this.failed(sink, error, undefined, false));
  }

  completed(sink: Sink<T>): void {
    sink.ended = true;
    const core = this.core;
    core.ended(this.begunAt);
    if (core.bus.observed) core.bus.emit({ type: 'success', policy: core.name, at: core.scheduler.now(), attempts: this.attempts });
    try {
      this.downstream.complete();
    } finally {
      sink.release();
    }
  }

  /**
   * Ends the attempt of `sink` with `decide`: a retry tears the attempt down before the next one
   * starts; giving up delivers the end first and tears the attempt down after, as RxJS `retry` does.
   */
  private ending(sink: Sink<T>, decide: () => void): void {
    sink.ended = true;
    try {
      decide();
    } finally {
      sink.release();
    }
  }

  /** The attempt failed with `error`, or with a failing `value` when `isValue`: retry, or give up. */
  private failed(sink: Sink<T>, error: unknown, value: T | undefined, isValue: boolean): void {
    const core = this.core;
    const attempt = this.attempts;
    let wait: number;
    let delay: number;
    try {
      if (!isValue && !core.retryable(error, attempt)) return this.giveUp('not-retryable', error, error);
      if (attempt >= core.maxAttempts) return this.exhausted('max-attempts', error, value, isValue);
      delay = clampDelay(core.backoff(attempt, this.previous), core.maxDelay);
      const retryAfter = isValue ? undefined : retryAfterOf(error);
      if (retryAfter !== undefined && retryAfter > core.maxDelay) return this.exhausted('max-delay', error, value, isValue);
      wait = retryAfter !== undefined && retryAfter > delay ? retryAfter : delay;
      if (core.maxElapsed !== undefined && core.scheduler.now() + wait - this.startedAt > core.maxElapsed) return this.exhausted('max-elapsed', error, value, isValue);
      if (core.budget !== undefined && !core.budget.tryWithdraw()) return isValue ? this.giveUpWith('budget', value as T) : this.giveUp('budget', error, error);
    } catch (thrown) {
      return this.giveUp('not-retryable', thrown, thrown);
    }
    if (core.bus.observed) core.bus.emit({ type: 'retry', policy: core.name, at: core.scheduler.now(), attempt, delay: wait, error, ...(isValue ? { value } : {}) });
    this.attempts = attempt + 1;
    this.previous = delay;
    sink.release();
    if (wait === 0) {
      if (this.subscribing) this.follow = true;
      else this.run(new Retried(this));
      return;
    }
    this.link();
    this.timer = scheduleOnce(core.scheduler, wait, () => {
      this.timer = undefined;
      this.run(new Retried(this));
    });
  }

  private exhausted(reason: GiveUpReason, error: unknown, value: T | undefined, isValue: boolean): void {
    if (isValue) this.giveUpWith(reason, value as T);
    else this.giveUp(reason, error, new RetriesExhaustedError(this.core.name, this.attempts, error, reason));
  }

  private giveUp(reason: GiveUpReason, error: unknown, surfaced: unknown): void {
    this.gaveUp(reason, error, undefined, false);
    this.downstream.error(surfaced);
  }

  /** Gives up on a failing value: it is delivered, and the call completes (the last result is the answer). */
  private giveUpWith(reason: GiveUpReason, value: T): void {
    this.gaveUp(reason, undefined, value, true);
    this.downstream.next(value);
    this.downstream.complete();
  }

  private gaveUp(reason: GiveUpReason, error: unknown, value: T | undefined, isValue: boolean): void {
    const core = this.core;
    core.ended(this.begunAt);
    if (core.bus.observed) core.bus.emit({ type: 'give-up', policy: core.name, at: core.scheduler.now(), attempts: this.attempts, reason, error, ...(isValue ? { value } : {}) });
  }
}

// RxJS takes a subscriber with `Subscriber.prototype` in its chain as it is, after one `instanceof`
// test, instead of probing seven members. The constructor is never run: every member RxJS calls on
// a subscriber it is handed is defined above, and no sink is ever added to a `Subscription` itself
// (`link` adds a function), so the parent bookkeeping of `Subscription` is never reached.
Object.setPrototypeOf(Sink.prototype, Subscriber.prototype);


/** A backoff result as a wait in [0, maxDelay]; anything that is not a number ≥ 0 waits 0. */
function clampDelay(ms: unknown, maxDelay: number): number {
  return typeof ms !== 'number' || !(ms >= 0) ? 0 : ms > maxDelay ? maxDelay : ms;
}

/** A finite `retryAfter` ≥ 0 carried by the error, ours or a user's. */
function retryAfterOf(error: unknown): number | undefined {
  const ra = (error as { retryAfter?: unknown } | null)?.retryAfter;
  return typeof ra === 'number' && Number.isFinite(ra) && ra >= 0 ? ra : undefined;
}
