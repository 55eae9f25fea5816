/**
 * @internal One subscription to the protected source is one call.
 *
 * `CallSubscriber` sits between the source and the downstream subscriber. It forwards values
 * (checking `isFailureResult` on each) and settles the call exactly once, before the end reaches
 * downstream, as one of:
 * - `success`: completion, or unsubscribe after at least one value (docs/decisions.md, decision 1);
 * - `failure`: an error that `isFailure` accepts, or any value matched by `isFailureResult`;
 * - `ignored`: an error `isFailure` refuses, or one of our own local rejections;
 * - `cancelled`: unsubscribe before the first value.
 * A policy subclasses it and implements `settle`, which runs once on every path, so permits and
 * slots are released exactly once; on cancellation it runs after the source is torn down.
 *
 * A user callback that throws while judging the call (`isFailure`, `isFailureResult`, or one the
 * policy runs inside `settle`, such as a break-duration function) makes the thrown error the
 * call's error, and the call counts as a `failure` (`isFailure` is not asked about it). A throw
 * from `settle` on a call already unsubscribed goes to the unsubscriber, as RxJS does with any
 * teardown that throws.
 *
 * Why not an RxJS `Subscriber` subclass: it costs about 2.9x a bare `firstValueFrom(defer(fn))`
 * per call, which would eat the whole overhead budget of a policy. RxJS accepts any object that
 * is an observer and a subscription (`next/error/complete`, `closed`, `add/remove/unsubscribe`)
 * as a subscriber without wrapping it; this class is that object, with only what a call needs.
 */
import type { Observable, Subscriber, SubscriptionLike, TeardownLogic, Unsubscribable } from 'rxjs';
import { isLocalRejection } from '../errors.js';

export type Outcome = 'success' | 'failure' | 'ignored' | 'cancelled';

export interface CallJudge<T = unknown> {
  readonly isFailure?: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult?: ((value: T) => boolean) | undefined;
}

type Finalizer = Unsubscribable | (() => void);

const SETTLED = 1;
const SEEN = 2;
const FAILED_RESULT = 4;

export abstract class CallSubscriber<T> implements SubscriptionLike {
  closed = false;
  /** SETTLED | SEEN | FAILED_RESULT bits. */
  private flags = 0;
  private finalizers: Finalizer | Finalizer[] | undefined = undefined;

  constructor(
    protected readonly destination: Subscriber<T>,
    private readonly judge: CallJudge<T>,
  ) {}

  /** Called exactly once, when the call ends, before its end is forwarded downstream. */
  protected abstract settle(outcome: Outcome, error: unknown): void;

  /**
   * Subscribes this call to `source`, after linking it to the downstream subscriber, so that a
   * downstream unsubscribe cancels the call even while a synchronous source is still emitting.
   */
  run(source: Observable<T>): void {
    this.destination.add(this);
    source.subscribe(this as unknown as Subscriber<T>);
  }

  next(value: T): void {
    if (this.closed) return;
    this.flags |= SEEN;
    const isFailureResult = this.judge.isFailureResult;
    if (isFailureResult !== undefined && (this.flags & FAILED_RESULT) === 0) {
      try {
        if (isFailureResult(value) === true) this.flags |= FAILED_RESULT;
      } catch (thrown) {
        this.end('failure', thrown, true);
        return;
      }
    }
    this.destination.next(value);
  }

  error(error: unknown): void {
    if (this.closed) return;
    if (isLocalRejection(error)) return this.end('ignored', error, true);
    const isFailure = this.judge.isFailure;
    if (isFailure === undefined) return this.end('failure', error, true);
    let failure: boolean;
    try {
      failure = isFailure(error) !== false;
    } catch (thrown) {
      return this.end('failure', thrown, true);
    }
    this.end(failure ? 'failure' : 'ignored', error, true);
  }

  complete(): void {
    if (this.closed) return;
    this.end(this.flags & FAILED_RESULT ? 'failure' : 'success', undefined, false);
  }

  /** Settles, then forwards the end: an error when there is one, or when `settle` threw. */
  private end(outcome: Outcome, error: unknown, errored: boolean): void {
    this.closed = true;
    const thrown = this.settleOnce(outcome, error);
    try {
      if (thrown !== undefined) this.destination.error(thrown.error);
      else if (errored) this.destination.error(error);
      else this.destination.complete();
    } finally {
      this.release();
    }
  }

  /**
   * A cancellation tears the source down first, then settles: a slot is never handed on early.
   * After an error or a completion, the downstream's own teardown (which runs once it has taken
   * the notification) reaches here first and tears the source down before its other finalizers,
   * upstream first, as in a chain of RxJS operators.
   */
  unsubscribe(): void {
    if (this.closed) {
      this.release();
      return;
    }
    this.closed = true;
    const flags = this.flags;
    let thrown: { error: unknown } | undefined;
    try {
      this.release();
    } finally {
      thrown = this.settleOnce(flags & SEEN ? (flags & FAILED_RESULT ? 'failure' : 'success') : 'cancelled', undefined);
    }
    if (thrown !== undefined) throw thrown.error;
  }

  /** Keeps the source's teardown; runs it at once if the call has already ended. */
  add(teardown: TeardownLogic): void {
    if (!teardown || (teardown as unknown) === this) return;
    if (this.closed) {
      run(teardown as Finalizer);
      return;
    }
    const f = this.finalizers;
    this.finalizers = f === undefined ? (teardown as Finalizer) : Array.isArray(f) ? (f.push(teardown as Finalizer), f) : [f, teardown as Finalizer];
  }

  remove(teardown: TeardownLogic): void {
    const f = this.finalizers;
    if (f === teardown) this.finalizers = undefined;
    else if (Array.isArray(f)) {
      const i = f.indexOf(teardown as Finalizer);
      if (i >= 0) f.splice(i, 1);
    }
  }

  /** Settles once; returns what `settle` threw (boxed: a callback may throw `undefined`). */
  private settleOnce(outcome: Outcome, error: unknown): { error: unknown } | undefined {
    if (this.flags & SETTLED) return undefined;
    this.flags |= SETTLED;
    try {
      this.settle(outcome, error);
      return undefined;
    } catch (thrown) {
      return { error: thrown };
    }
  }

  private release(): void {
    const f = this.finalizers;
    if (f === undefined) return;
    this.finalizers = undefined;
    if (!Array.isArray(f)) {
      run(f);
      return;
    }
    let failure: { error: unknown } | undefined;
    for (const finalizer of f) {
      try {
        run(finalizer);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}

function run(finalizer: Finalizer): void {
  if (typeof finalizer === 'function') finalizer();
  else finalizer.unsubscribe();
}
