/**
 * @internal One subscription to the protected source is one call.
 *
 * `CallSubscriber` sits between the source and the downstream subscriber. It forwards values
 * (checking `isFailureResult` on each), and settles the call exactly once, before the end reaches
 * downstream, as one of:
 * - `success`: completion, or unsubscribe after at least one value (DESIGN decision 1);
 * - `failure`: an error that `isFailure` accepts, or any value matched by `isFailureResult`;
 * - `ignored`: an error `isFailure` refuses, or one of our own local rejections;
 * - `cancelled`: unsubscribe before the first value.
 * A policy subclasses it and implements `settle`, which runs once on every path, so permits and
 * slots are released exactly once. Throws inside the predicates become the call's error.
 */
import { Subscriber, type Observable, type Subscription } from 'rxjs';
import { isLocalRejection } from '../errors.js';

export type Outcome = 'success' | 'failure' | 'ignored' | 'cancelled';

export interface CallJudge<T = unknown> {
  readonly isFailure?: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult?: ((value: T) => boolean) | undefined;
}

export abstract class CallSubscriber<T> extends Subscriber<T> {
  private settled = false;
  private seen = false;
  private failedResult = false;

  constructor(
    destination: Subscriber<T>,
    private readonly judge: CallJudge<T>,
  ) {
    super(destination);
  }

  /** Called exactly once, when the call ends, before its end is forwarded downstream. */
  protected abstract settle(outcome: Outcome, error: unknown): void;

  /** Subscribes this call to `source`; the returned subscription is this subscriber. */
  run(source: Observable<T>): Subscription {
    source.subscribe(this);
    return this;
  }

  protected override _next(value: T): void {
    this.seen = true;
    const isFailureResult = this.judge.isFailureResult;
    if (isFailureResult !== undefined && !this.failedResult) {
      try {
        this.failedResult = isFailureResult(value) === true;
      } catch (thrown) {
        this.error(thrown);
        return;
      }
    }
    this.destination.next(value);
  }

  protected override _error(error: unknown): void {
    if (!this.settled) {
      this.settled = true;
      this.settle(this.classify(error), error);
    }
    try {
      this.destination.error(error);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    if (!this.settled) {
      this.settled = true;
      this.settle(this.failedResult ? 'failure' : 'success', undefined);
    }
    try {
      this.destination.complete();
    } finally {
      this.unsubscribe();
    }
  }

  override unsubscribe(): void {
    if (!this.closed && !this.settled) {
      this.settled = true;
      this.settle(this.seen ? (this.failedResult ? 'failure' : 'success') : 'cancelled', undefined);
    }
    super.unsubscribe();
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
