/**
 * Retry with backoff.
 *
 * State scope: the policy (factory-call scope) holds only its config and `events$`; every
 * subscription has its own retry state (attempts, previous delay, start time), as RxJS `retry`
 * does. A shared `retryBudget` is the one piece of state many subscriptions draw from.
 *
 * A zero wait re-subscribes synchronously (as RxJS `retry` without a delay does), in a loop, so a
 * source that fails synchronously does not grow the stack; any other wait is one action on the
 * scheduler, owned by the subscription, so unsubscribing during a delay cancels it.
 */
import { Observable, type SchedulerLike } from 'rxjs';
import { isResilienceError } from '../errors.js';
import { EventBus } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import { type LatencySummary, type LatencyWindow, recordSince, withLatency } from '../internal/histogram.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { parseRetryBackoffConfig, type ParsedRetryBackoffConfig } from './config.js';
import type { RetryBudget } from './retryBudget.js';
import type { RetryBackoffEvent } from './events.js';
import { RetryCall } from './retryCall.js';

/** @typeParam T The values of the streams the policy guards (what `isFailureResult` judges). */
export interface RetryBackoffConfig<T = unknown> {
  readonly name?: string;
  /** Attempts in all, the first included (3 = one call and two retries). `Infinity` for no limit. Default 3. */
  readonly maxAttempts?: number;
  /** Give up when a wait would end more than this many ms after the first subscription. */
  readonly maxElapsed?: number;
  /** The longest single wait; a `retryAfter` above it gives up at once. Default the backoff's `max`, else 30 000. */
  readonly maxDelay?: number;
  /** `(retry, previousDelay) => ms`. Default `exponential({ initial: 100, factor: 2, max: 30_000, jitter: 'full' })`. */
  readonly backoff?: (attempt: number, previousDelay?: number) => number;
  /** Whether to retry after the `attempt`-th attempt failed with `error`. Default: all but errors with `retryable === false`. `ConfigError` is never retried. */
  readonly shouldRetry?: (error: unknown, attempt: number) => boolean;
  /**
   * Return false for errors that are not failures (the same meaning as the breaker's): such an
   * error is not retried and surfaces unchanged (give-up reason `not-retryable`). Asked before
   * `shouldRetry`. Default: every error is a failure.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /**
   * Return true for values that make the attempt a failure (e.g. an HTTP 503 response). Such a
   * value is not forwarded: the attempt is torn down and retried. When retries run out, the last
   * failing value is forwarded and the call completes, with a `give-up` event.
   */
  readonly isFailureResult?: (value: T) => boolean;
  /** A value restores the attempt count, the backoff and `maxElapsed`. Default false. */
  readonly resetOnSuccess?: boolean;
  /** A budget shared with other retries; a refused retry surfaces the error unchanged. */
  readonly budget?: RetryBudget;
  readonly scheduler?: SchedulerLike;
  /** Keep a histogram of call durations (first subscription to success or give-up, waits included), reported as `stats().latency`. Default false. */
  readonly latency?: boolean;
  /** With `latency: true`: the rolling window of the histogram, in ms. Default 60 000. */
  readonly latencyWindow?: number;
}

/** What `stats()` returns. */
export interface RetryBackoffStats {
  readonly name: string;
  /**
   * With `latency: true`: durations (ms) of the calls that completed or gave up in the last
   * `latencyWindow` ms, from the first subscription to the end, every attempt and wait included;
   * cancelled calls are left out. Absent otherwise.
   */
  readonly latency?: LatencySummary;
}

export type { GiveUpReason, RetryBackoffEvent } from './events.js';

/**
 * A retry policy: an operator, with its events attached.
 * @typeParam T What the guarded streams emit: `isFailureResult`'s argument (any stream when unknown).
 */
export interface RetryBackoff<T = unknown> {
  <V extends T>(source: Observable<V>): Observable<V>;
  readonly name: string;
  /** Hot: retries scheduled, successes and give-ups. */
  readonly events$: Observable<RetryBackoffEvent>;
  stats(): RetryBackoffStats;
}

/**
 * Re-subscribes to the source after an error, waiting as the backoff says, until it completes or
 * a limit is reached. Values from a failed attempt have already been delivered downstream.
 *
 * ```text
 * source (each subscription):  --#                    (fails twice, then --a|)
 * retryBackoff({ maxAttempts: 3, backoff: constant(10) }):
 *                              --  10ms  --  10ms  --a|
 * ```
 *
 * The wait before a retry is `max(backoff delay, error.retryAfter)` for any error with a finite
 * `retryAfter` ≥ 0 (a `RateLimitedError`, a `CircuitOpenError`, or your own mapped HTTP 429).
 * Giving up because attempts, `maxElapsed` or `maxDelay` ran out errors with
 * `RetriesExhaustedError` (`cause`: the last error, `attempts`: attempts made); an error
 * `shouldRetry` refuses, or a retry the budget refuses, surfaces unchanged.
 *
 * ```ts
 * import { exponential, retryBackoff } from 'rx-resilience';
 * defer(() => fetchQuote()).pipe(
 *   retryBackoff({ maxAttempts: 4, backoff: exponential({ initial: 200, max: 5_000, jitter: 'full' }) }),
 * ).subscribe({ error: (e) => console.log(e.code, e.attempts) }); // RETRIES_EXHAUSTED 4, if all four fail
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function retryBackoff<T = unknown>(config: RetryBackoffConfig<T> = {}): RetryBackoff<T> {
  const c = parseRetryBackoffConfig(config);
  const core = new RetryCore(c, resolveScheduler(c.scheduler), c.makeLatency?.());
  return definePolicy<RetryBackoff<T>>(core, PROTO, { maxAttempts: c.maxAttempts, maxElapsed: c.maxElapsed, maxDelay: c.maxDelay, budget: c.budget });
}

const PROTO = policyPrototype({ kind: 'retry', streams: ['events$'], controls: ['stats'] });

/** @internal The state a retry policy shares between its subscriptions: its settings and `events$`. */
export class RetryCore {
  readonly bus = new EventBus<RetryBackoffEvent>();
  readonly name: string;
  readonly maxAttempts: number;
  readonly maxElapsed: number | undefined;
  readonly maxDelay: number;
  readonly backoff: (attempt: number, previousDelay?: number) => number;
  readonly shouldRetry: ((error: unknown, attempt: number) => boolean) | undefined;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
  readonly resetOnSuccess: boolean;
  readonly budget: RetryBudget | undefined;

  constructor(
    c: ParsedRetryBackoffConfig,
    readonly scheduler: SchedulerLike,
    private readonly latency: LatencyWindow | undefined,
  ) {
    this.name = c.name;
    this.maxAttempts = c.maxAttempts;
    this.maxElapsed = c.maxElapsed;
    this.maxDelay = c.maxDelay;
    this.backoff = c.backoff;
    this.shouldRetry = c.shouldRetry;
    this.isFailure = c.isFailure;
    this.isFailureResult = c.isFailureResult;
    this.resetOnSuccess = c.resetOnSuccess;
    this.budget = c.budget;
  }

  get events$(): Observable<RetryBackoffEvent> {
    return this.bus.events$;
  }

  stats(): RetryBackoffStats {
    return withLatency({ name: this.name }, this.latency, this.scheduler.now());
  }

  apply<T>(source: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      this.budget?.deposit();
      const now = this.maxElapsed === undefined && this.latency === undefined ? 0 : this.scheduler.now();
      const call = new RetryCall(subscriber, this, source, now, now);
      call.run(call);
    });
  }

  /** A call that was first subscribed at `begunAt` completed or gave up. */
  ended(begunAt: number): void {
    recordSince(this.latency, this.scheduler, begunAt);
  }

  /** False when `error` must surface unchanged: a `ConfigError`, one `isFailure` or `shouldRetry` refuses. */
  retryable(error: unknown, attempt: number): boolean {
    if (isResilienceError(error, 'CONFIG_INVALID')) return false;
    if (this.isFailure !== undefined && this.isFailure(error) === false) return false;
    if (this.shouldRetry !== undefined) return this.shouldRetry(error, attempt) === true;
    return (error as { retryable?: unknown } | null)?.retryable !== false;
  }
}
