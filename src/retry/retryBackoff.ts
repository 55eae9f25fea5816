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
import { Observable, Subscriber, type SchedulerLike, type Subscription } from 'rxjs';
import { isResilienceError, RetriesExhaustedError } from '../errors.js';
import { EventBus } from '../internal/cell.js';
import { resolveScheduler, scheduleOnce } from '../internal/clock.js';
import { type LatencySummary, type LatencyWindow, recordSince, withLatency } from '../internal/histogram.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { parseRetryBackoffConfig } from './config.js';
import type { RetryBudget } from './retryBudget.js';

export interface RetryBackoffConfig {
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

/** Why a retry gave up. */
export type GiveUpReason = 'max-attempts' | 'max-elapsed' | 'max-delay' | 'not-retryable' | 'budget';

interface EventBase {
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
}

export type RetryBackoffEvent =
  /** A retry was scheduled after `attempt` failed; it starts after `delay` ms. */
  | (EventBase & { readonly type: 'retry'; readonly attempt: number; readonly delay: number; readonly error: unknown })
  /** The source completed on attempt `attempts` (counted since the last reset). */
  | (EventBase & { readonly type: 'success'; readonly attempts: number })
  | (EventBase & { readonly type: 'give-up'; readonly attempts: number; readonly reason: GiveUpReason; readonly error: unknown });

/** A retry policy: an operator, with its events attached. */
export interface RetryBackoff {
  <T>(source: Observable<T>): Observable<T>;
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
export function retryBackoff(config: RetryBackoffConfig = {}): RetryBackoff {
  const c = parseRetryBackoffConfig(config);
  const core = new RetryCore(c.name, c.maxAttempts, c.maxElapsed, c.maxDelay, c.backoff, c.shouldRetry, c.resetOnSuccess, c.budget, resolveScheduler(c.scheduler), c.makeLatency?.());
  return definePolicy<RetryBackoff>(core, PROTO, { maxAttempts: c.maxAttempts, maxElapsed: c.maxElapsed, maxDelay: c.maxDelay, budget: c.budget });
}

const PROTO = policyPrototype({ kind: 'retry', streams: ['events$'], controls: ['stats'] });

class RetryCore {
  readonly bus = new EventBus<RetryBackoffEvent>();

  constructor(
    readonly name: string,
    readonly maxAttempts: number,
    readonly maxElapsed: number | undefined,
    readonly maxDelay: number,
    readonly backoff: (attempt: number, previousDelay?: number) => number,
    readonly shouldRetry: ((error: unknown, attempt: number) => boolean) | undefined,
    readonly resetOnSuccess: boolean,
    readonly budget: RetryBudget | undefined,
    readonly scheduler: SchedulerLike,
    private readonly latency: LatencyWindow | undefined,
  ) {}

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
      run(new Attempt(subscriber, this, source, 1, undefined, now, now));
    });
  }

  /** A call that was first subscribed at `begunAt` completed or gave up. */
  ended(begunAt: number): void {
    recordSince(this.latency, this.scheduler, begunAt);
  }

  /** False when `error` must surface unchanged: a `ConfigError`, or one `shouldRetry` refuses. */
  retryable(error: unknown, attempt: number): boolean {
    if (isResilienceError(error, 'CONFIG_INVALID')) return false;
    if (this.shouldRetry !== undefined) return this.shouldRetry(error, attempt) === true;
    return (error as { retryable?: unknown } | null)?.retryable !== false;
  }
}

/**
 * Subscribes `attempt`, then each follower an attempt hands over while it is still subscribing
 * (a synchronous failure with a zero wait), in a loop rather than by recursion.
 */
function run<T>(attempt: Attempt<T> | undefined): void {
  while (attempt !== undefined && !attempt.downstream.closed) {
    attempt.downstream.add(attempt);
    attempt.subscribing = true;
    attempt.source.subscribe(attempt);
    attempt.subscribing = false;
    attempt = attempt.follower;
  }
}

/**
 * One subscription to the source, carrying the retry state of the whole subscription (attempt
 * number since the start or the last reset, previous backoff delay, start of `maxElapsed`), which
 * it copies into the attempt that follows it. It is not chained to the downstream subscriber as
 * its destination: it forwards by hand and is added to the downstream's teardown, which keeps the
 * success path to one small object.
 */
class Attempt<T> extends Subscriber<T> {
  subscribing = false;
  follower: Attempt<T> | undefined = undefined;

  constructor(
    readonly downstream: Subscriber<T>,
    private readonly core: RetryCore,
    readonly source: Observable<T>,
    /** Attempts made since the start or the last reset, this one included. */
    private attempts: number,
    private previous: number | undefined,
    private startedAt: number,
    /** The first subscription of the whole call (read only with `latency`). */
    private readonly begunAt: number,
  ) {
    super();
  }

  protected override _next(value: T): void {
    const core = this.core;
    if (core.resetOnSuccess) {
      this.attempts = 1;
      this.previous = undefined;
      if (core.maxElapsed !== undefined) this.startedAt = core.scheduler.now();
    }
    this.downstream.next(value);
  }

  /**
   * A retry tears the failed attempt down before the next one starts; giving up delivers the
   * error first and tears the attempt down after, as RxJS `retry` does.
   */
  protected override _error(error: unknown): void {
    try {
      this.failed(error);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    this.core.ended(this.begunAt);
    const bus = this.core.bus;
    if (bus.observed) bus.emit({ type: 'success', policy: this.core.name, at: this.core.scheduler.now(), attempts: this.attempts });
    // The downstream's teardown unsubscribes this attempt too; this order spares a list removal.
    this.downstream.complete();
    this.unsubscribe();
  }

  private failed(error: unknown): void {
    if (this.downstream.closed) return;
    const core = this.core;
    const attempt = this.attempts;
    let wait: number;
    let delay: number;
    try {
      if (!core.retryable(error, attempt)) return this.giveUp('not-retryable', error, error);
      if (attempt >= core.maxAttempts) return this.exhausted('max-attempts', error);
      delay = clampDelay(core.backoff(attempt, this.previous), core.maxDelay);
      const retryAfter = retryAfterOf(error);
      if (retryAfter !== undefined && retryAfter > core.maxDelay) return this.exhausted('max-delay', error);
      wait = retryAfter !== undefined && retryAfter > delay ? retryAfter : delay;
      if (core.maxElapsed !== undefined && core.scheduler.now() + wait - this.startedAt > core.maxElapsed) return this.exhausted('max-elapsed', error);
      if (core.budget !== undefined && !core.budget.tryWithdraw()) return this.giveUp('budget', error, error);
    } catch (thrown) {
      return this.giveUp('not-retryable', thrown, thrown);
    }
    if (core.bus.observed) core.bus.emit({ type: 'retry', policy: core.name, at: core.scheduler.now(), attempt, delay: wait, error });
    const next = new Attempt(this.downstream, core, this.source, attempt + 1, delay, this.startedAt, this.begunAt);
    this.unsubscribe();
    if (wait === 0) {
      if (this.subscribing) this.follower = next;
      else run(next);
      return;
    }
    const downstream = this.downstream;
    const timer: Subscription = scheduleOnce(core.scheduler, wait, () => {
      downstream.remove(timer);
      run(next);
    });
    downstream.add(timer);
  }

  private exhausted(reason: GiveUpReason, error: unknown): void {
    this.giveUp(reason, error, new RetriesExhaustedError(this.core.name, this.attempts, error, reason));
  }

  private giveUp(reason: GiveUpReason, error: unknown, surfaced: unknown): void {
    const core = this.core;
    core.ended(this.begunAt);
    if (core.bus.observed) core.bus.emit({ type: 'give-up', policy: core.name, at: core.scheduler.now(), attempts: this.attempts, reason, error });
    this.downstream.error(surfaced);
  }
}

/** A backoff result as a wait in [0, maxDelay]; anything that is not a number ≥ 0 waits 0. */
function clampDelay(ms: unknown, maxDelay: number): number {
  return typeof ms !== 'number' || !(ms >= 0) ? 0 : ms > maxDelay ? maxDelay : ms;
}

/** A finite `retryAfter` ≥ 0 carried by the error, ours or a user's. */
function retryAfterOf(error: unknown): number | undefined {
  const ra = (error as { retryAfter?: unknown } | null)?.retryAfter;
  return typeof ra === 'number' && Number.isFinite(ra) && ra >= 0 ? ra : undefined;
}
