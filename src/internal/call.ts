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
 * The hot path (docs/decisions.md, "The call's hot path"):
 * - `Subscriber.prototype` is in the chain, but the `Subscriber` constructor never runs (it would
 *   cost a dozen fields and a link per call). RxJS then takes its `instanceof` path when the source
 *   subscribes this object, instead of duck-typing it with seven checks on every nested subscribe.
 *   The few `Subscription` methods that RxJS calls on a child are overridden here.
 * - The link to the downstream is the one RxJS uses from a child to its parents: the call joins
 *   the downstream's parents (`_addParent`), so when the downstream unsubscribes it calls
 *   `remove` on the call, which cancels it. The downstream gets no finalizer array (and no
 *   iterator over it when it unsubscribes). A downstream that is not an RxJS 7 `Subscription`
 *   (or an RxJS that does not behave as probed at load) gets `add(call)`, as before.
 * - `Guarded` is the observable a policy returns for a source: a subclass whose `subscribe` hands
 *   a `Subscriber` straight to the policy's `admit`, with no closure per pipe and no trip through
 *   `Observable.subscribe`.
 */
import { config, Observable, Subscriber, Subscription, type Observer, type SubscriptionLike, type TeardownLogic, type Unsubscribable } from 'rxjs';
import { isLocalRejection } from '../errors.js';

export type Outcome = 'success' | 'failure' | 'ignored' | 'cancelled';

export interface CallJudge<T = unknown> {
  readonly isFailure?: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult?: ((value: T) => boolean) | undefined;
}


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
    const destination = this.destination;
    // Only a `Subscription` whose constructor ran keeps `_parentage` (null or set): an object that
    // borrows `Subscriber.prototype` without it (a call, a retry's sink) never tells its parents.
    if (PARENT_LINK && destination instanceof Subscription && (destination as unknown as Child)._parentage !== undefined && !destination.closed) {
      (destination as unknown as Child)._addParent(this);
    } else {
      destination.add(this);
    }
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

  /** Also how a downstream linked by `run` says that it unsubscribed: the call is cancelled. */
  remove(teardown: TeardownLogic): void {
    if (teardown === (this.destination as unknown)) {
      this.unsubscribe();
      return;
    }
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

  /**
   * What RxJS asks of a child `Subscription` when it adds one: the call keeps no parents (a
   * parent's teardown reaches it through `unsubscribe`, as a duck-typed subscriber).
   */
  _hasParent(): boolean {
    return false;
  }

  _addParent(): void {}

  _removeParent(): void {}

  private release(): void {
    const f = this.finalizers;
    if (f === undefined) return;
    this.finalizers = undefined;
    runFinalizers(f);
  }
}

/** What a subscriber handed to a source keeps to tear it down: one teardown, or several. */
export type Finalizer = Unsubscribable | (() => void);

/** Runs every finalizer in order; the first one's throw is rethrown after all have run. */
export function runFinalizers(f: Finalizer | readonly Finalizer[]): void {
  if (!Array.isArray(f)) return run(f as Finalizer);
  let failure: { error: unknown } | undefined;
  for (const finalizer of f as readonly Finalizer[]) {
    try {
      run(finalizer);
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

function run(finalizer: Finalizer): void {
  if (typeof finalizer === 'function') finalizer();
  else finalizer.unsubscribe();
}

// Subscriber.prototype in the chain, without its constructor (see the top of this file).
Object.setPrototypeOf(CallSubscriber.prototype, Subscriber.prototype);

/** The parent link of an RxJS 7 `Subscription` (internal to RxJS, probed below). */
interface Child {
  readonly _parentage?: unknown;
  _addParent(parent: { remove(child: unknown): void }): void;
}

/** True when a `Subscription` that unsubscribes tells the parents it got through `_addParent`. */
const PARENT_LINK = ((): boolean => {
  const child = new Subscription();
  const linkable = child as unknown as Partial<Child>;
  if (typeof linkable._addParent !== 'function') return false;
  let told = false;
  linkable._addParent({ remove: (c: unknown) => (told = c === child) });
  child.unsubscribe();
  return told;
})();

/** What a policy does with one subscription to a source it guards (see `Guarded`). */
export interface Gate {
  admit<T>(subscriber: Subscriber<T>, source: Observable<T>): TeardownLogic;
}

/**
 * The observable a policy returns for `source`: each subscription goes to `gate.admit`. A
 * `Subscriber` (what operators, `firstValueFrom` and the calls pass) skips `Observable.subscribe`;
 * anything else (an observer, callbacks) goes through it, and so does everything under RxJS's
 * deprecated synchronous error handling. Both ways do the same: a throw from `admit` goes to the
 * subscriber's `error`, and the teardown `admit` returns is added to the subscriber.
 */
export class Guarded<T> extends Observable<T> {
  constructor(
    private readonly gate: Gate,
    private readonly guarded: Observable<T>,
  ) {
    super();
  }

  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void)): Subscription;
  /** @deprecated As in RxJS: pass an observer. */
  override subscribe(next?: ((value: T) => void) | null, error?: ((error: unknown) => void) | null, complete?: (() => void) | null): Subscription;
  override subscribe(observerOrNext?: Partial<Observer<T>> | ((value: T) => void) | null, error?: ((error: unknown) => void) | null, complete?: (() => void) | null): Subscription {
    if (!(observerOrNext instanceof Subscriber) || config.useDeprecatedSynchronousErrorHandling) {
      return super.subscribe(observerOrNext as (value: T) => void, error, complete);
    }
    const subscriber = observerOrNext as Subscriber<T>;
    let teardown: TeardownLogic = undefined;
    try {
      teardown = this.gate.admit(subscriber, this.guarded);
    } catch (thrown) {
      subscriber.error(thrown);
    }
    if (teardown) subscriber.add(teardown);
    return subscriber;
  }

  /** @internal The way through `Observable.subscribe`. */
  protected _subscribe(subscriber: Subscriber<T>): TeardownLogic {
    return this.gate.admit(subscriber, this.guarded);
  }
}
