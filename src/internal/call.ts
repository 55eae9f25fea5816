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
 * Throws inside the predicates become the call's error.
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
        this.error(thrown);
        return;
      }
    }
    this.destination.next(value);
  }

  error(error: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.settleOnce(this.classify(error), error);
    try {
      this.destination.error(error);
    } finally {
      this.release();
    }
  }

  complete(): void {
    if (this.closed) return;
    this.closed = true;
    this.settleOnce(this.flags & FAILED_RESULT ? 'failure' : 'success', undefined);
    try {
      this.destination.complete();
    } finally {
      this.release();
    }
  }

  /** A cancellation tears the source down first, then settles: a slot is never handed on early. */
  unsubscribe(): void {
    if (this.closed) return;
    this.closed = true;
    const flags = this.flags;
    try {
      this.release();
    } finally {
      this.settleOnce(flags & SEEN ? (flags & FAILED_RESULT ? 'failure' : 'success') : 'cancelled', undefined);
    }
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

  private settleOnce(outcome: Outcome, error: unknown): void {
    if (this.flags & SETTLED) return;
    this.flags |= SETTLED;
    this.settle(outcome, error);
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

  private classify(error: unknown): Outcome {
    if (isLocalRejection(error)) return 'ignored';
    const isFailure = this.judge.isFailure;
    if (isFailure === undefined) return 'failure';
    try {
      return isFailure(error) === false ? 'ignored' : 'failure';
    } catch {
      return 'failure';
    }
  }
}

function run(finalizer: Finalizer): void {
  if (typeof finalizer === 'function') finalizer();
  else finalizer.unsubscribe();
}
