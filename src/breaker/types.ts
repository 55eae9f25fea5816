/**
 * The circuit breaker's public types, shared by the factory (circuitBreaker.ts) and the core
 * (core.ts), so that the core never imports the factory file.
 */
import type { Observable, SchedulerLike } from 'rxjs';
import type { CircuitState } from './machine.js';
import type { CircuitBreakerSnapshot } from './snapshot.js';
import type { LatencySummary } from '../internal/histogram.js';
import type { FailureJudge } from '../internal/judge.js';

/** What the breaker counts, and when it trips. */
export type BreakerStrategy =
  | { readonly kind: 'consecutive'; readonly failures?: number }
  | ({ readonly kind: 'count'; readonly size?: number } & RateOptions)
  | ({ readonly kind: 'time'; readonly duration?: number; readonly buckets?: number } & RateOptions);

export interface RateOptions {
  /** Trip when the failure rate reaches this, in (0, 1]. Default 0.5. */
  readonly failureRateThreshold?: number;
  /** Trip when the slow-call rate reaches this, in (0, 1]; needs `slowCallDuration`. Default 1. */
  readonly slowCallRateThreshold?: number;
  /** Finished calls needed in the window before a rate can trip. Default 10. */
  readonly minimumCalls?: number;
}

/**
 * `T`: the value type of the streams the breaker guards, taken from `isFailureResult`'s parameter
 * (`unknown` without one: the breaker then guards streams of any type).
 */
export interface CircuitBreakerConfig<T = unknown> extends FailureJudge<T> {
  readonly name?: string;
  /** Default `{ kind: 'consecutive', failures: 5 }`. */
  readonly strategy?: BreakerStrategy;
  /** A call lasting at least this many ms is slow. No slow-call tracking without it. */
  readonly slowCallDuration?: number;
  /** How long the breaker stays open, in ms (default 60 000), or a backoff of the open count (1, 2, …). */
  readonly breakDuration?: number | ((opens: number, previous?: number) => number);
  /** Concurrent trial calls admitted while half-open. Default 1. */
  readonly halfOpenMaxCalls?: number;
  /** Successful trials needed to close. Default 1. */
  readonly successThreshold?: number;
  readonly scheduler?: SchedulerLike;
  /** What `exportState()` returned, to restore. */
  readonly initialState?: CircuitBreakerSnapshot;
  /**
   * Keep a histogram of call durations and report it as `stats().latency`. Default false (the
   * clock is then not read for a call that does not need it). Its window is the strategy's: the
   * last `size` calls, or the time window's buckets; for `consecutive`, a rolling `latencyWindow`.
   */
  readonly latency?: boolean;
  /** `consecutive` strategy with `latency: true`: the rolling window in ms (default 60 000). */
  readonly latencyWindow?: number;
}

interface EventBase {
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
}
interface OutcomeBase extends EventBase {
  /**
   * ms from subscribe to the end. NaN for a call that started while nothing needed the clock
   * (closed breaker, no slow-call tracking, no latency histogram, no `events$` listener yet): the
   * breaker does not read the clock on that path (a time window needs only the end).
   */
  readonly duration: number;
  /** True when the call started under an earlier state: reported, but it moves nothing (decision 8). */
  readonly late: boolean;
}

export type CircuitBreakerEvent =
  | (OutcomeBase & { readonly type: 'success'; readonly slow: boolean })
  | (OutcomeBase & { readonly type: 'failure'; readonly slow: boolean; readonly error: unknown })
  | (OutcomeBase & { readonly type: 'ignored'; readonly error: unknown })
  | (OutcomeBase & { readonly type: 'cancelled' })
  | (EventBase & { readonly type: 'rejected'; readonly state: 'open' | 'half-open' | 'isolated'; readonly retryAfter: number | undefined })
  | (EventBase & { readonly type: 'transition'; readonly from: CircuitState; readonly to: CircuitState });

export interface CircuitBreakerStats {
  readonly name: string;
  readonly state: CircuitState;
  /** Failures / finished calls in the window; 0 when it holds none. */
  readonly failureRate: number;
  readonly slowCallRate: number;
  /** Finished calls, failures, successes and slow calls in the current window. */
  readonly calls: number;
  readonly failures: number;
  readonly successes: number;
  readonly slowCalls: number;
  /** Calls rejected since the breaker was built. */
  readonly rejected: number;
  /** Outcomes since the breaker was built, late ones included. */
  readonly totals: { readonly successes: number; readonly failures: number; readonly ignored: number; readonly cancelled: number };
  readonly lastFailureAt: number | null;
  /** When an open breaker turns half-open; null in any other state. */
  readonly nextAttemptAt: number | null;
  /** Half-open trials running now and successful so far. */
  readonly halfOpen: { readonly active: number; readonly successes: number };
  /**
   * With `latency: true`: durations (ms) of the calls in the latency window that succeeded or
   * failed, late ones included; kept across transitions. Absent otherwise.
   */
  readonly latency?: LatencySummary;
  /**
   * The window's failure and slow-call rates at the moment of the last trip (closed → open) and
   * its time; null before the first. The window is cleared on every transition, so an open
   * breaker's `failureRate` is 0: this keeps the rates that opened it.
   */
  readonly lastTrip: { readonly at: number; readonly failureRate: number; readonly slowCallRate: number } | null;
  /** Scheduler time of this snapshot. */
  readonly at: number;
}

/**
 * A circuit breaker: an operator, with its state as streams and its controls attached. It guards
 * streams whose values are a `T` (any stream for `CircuitBreaker<unknown>`).
 */
export interface CircuitBreaker<T = unknown> {
  <S extends T>(source: Observable<S>): Observable<S>;
  readonly name: string;
  /** Replays the current state, then emits each change. */
  readonly state$: Observable<CircuitState>;
  /** Hot: outcomes, rejections and transitions, synchronously, in that order. */
  readonly events$: Observable<CircuitBreakerEvent>;
  /** The current snapshot, then one after every outcome, rejection and transition. */
  readonly metrics$: Observable<CircuitBreakerStats>;
  stats(): CircuitBreakerStats;
  /** Forced open until `reset()`; rejections carry no `retryAfter`. */
  isolate(): void;
  /** Opens a closed breaker as its strategy would (a break, then half-open); no effect in any other state. */
  trip(): void;
  /** Closed, window cleared, open count back to 1. */
  reset(): void;
  /** Lets every call through; outcomes are still reported. */
  disable(): void;
  /** An open breaker turns half-open now instead of at the end of its break (see `recoverWhen`); no effect in any other state. */
  endBreak(): void;
  /** A JSON-safe copy that `initialState` restores. */
  exportState(): CircuitBreakerSnapshot;
}
