/**
 * Fallback: on an error that `isFailure` accepts, or a value that `isFailureResult` matches,
 * switch to an alternative.
 *
 * State scope: the factory call holds the alternative, the predicate and the lifetime counters
 * (shared by every pipeline the fallback is piped into); each subscription holds nothing of its
 * own beyond RxJS `catchError`'s.
 */
import { catchError, from, Observable, type ObservableInput, type SchedulerLike } from 'rxjs';
import { judgeValues, parseJudge, replaces, unbox, type ParsedJudge } from './judge.js';
import { EventBus } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import type { FailureJudge } from '../internal/judge.js';
import { configuredName } from '../internal/names.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { checker } from '../internal/validate.js';

/**
 * `isFailure`: which errors switch to the alternative (default: every error, docs/decisions.md,
 * decision 15). `isFailureResult`: which values switch to it; its parameter type `T` is the value
 * type of the streams the fallback guards (default `unknown`: any stream).
 */
export interface FallbackConfig<T = unknown> extends FailureJudge<T> {
  readonly name?: string;
  /** @deprecated The older name of `isFailure`; giving both is a `ConfigError`. */
  readonly when?: (error: unknown) => boolean;
  /** Only the clock of the `at` field of events. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

export interface FallbackEvent {
  readonly type: 'fallback';
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
  /** The error that was replaced; a `FailureResultError` (with `value`) for a failing value. */
  readonly error: unknown;
}

export interface FallbackStats {
  readonly name: string;
  /** Errors replaced by the alternative since the fallback was built. */
  readonly fallbacks: number;
  /** Errors that `isFailure` refused and that passed through unchanged. */
  readonly passed: number;
}

/** A fallback: an operator on streams of a `T`, widening their value type `S` to `S | A`, with its events attached. */
export interface Fallback<A, T = unknown> {
  <S extends T>(source: Observable<S>): Observable<S | A>;
  readonly name: string;
  /** Hot: one `fallback` event each time the alternative takes over. */
  readonly events$: Observable<FallbackEvent>;
  stats(): FallbackStats;
}

const KEYS = ['name', 'isFailure', 'isFailureResult', 'when', 'scheduler'] as const;

export interface ParsedFallbackConfig {
  readonly name: string;
  readonly judge: ParsedJudge;
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `fallback()`'s config (the alternative is the factory's own argument). */
export function parseFallbackConfig(config: unknown): ParsedFallbackConfig {
  const name = configuredName('fallback', config);
  const check = checker(name);
  const c = check.object('', config, KEYS, true);
  return { name, judge: parseJudge(check, c), scheduler: check.scheduler('scheduler', c.scheduler) };
}

/**
 * Replaces an error of the source with an alternative stream.
 *
 * <span class="informal">`catchError` with a predicate, events and validation at build time.</span>
 *
 * The alternative is an `ObservableInput`, or a function of the error returning one (called
 * once per error). Values the source emitted before its error have already been delivered; the
 * alternative's values follow them. Errors that `isFailure` refuses pass through unchanged. A value
 * that `isFailureResult` matches is not delivered: the source is unsubscribed and the alternative
 * takes over, given a `FailureResultError` carrying the value. A chain of
 * alternatives is written by piping several fallbacks: the first one piped is tried first.
 *
 * ```text
 * source:                    --a--#
 * fallback(cold('-x|')):     --a---x|
 * ```
 *
 * ```ts
 * import { fallback } from 'rx-resilience';
 * const price$ = defer(() => api.price(sku)).pipe(
 *   fallback((error) => mirror.price(sku), { isFailure: (e) => e instanceof NetworkError }),
 *   fallback(of(null)),
 * ); // Observable<Price | null>
 * ```
 * @throws ConfigError when the alternative or the config is invalid.
 */
export function fallback<A, T = unknown>(alternative: (error: unknown) => ObservableInput<A>, config?: FallbackConfig<T>): Fallback<A, T>;
export function fallback<A, T = unknown>(alternative: ObservableInput<A>, config?: FallbackConfig<T>): Fallback<A, T>;
export function fallback<A, T = unknown>(alternative: ObservableInput<A> | ((error: unknown) => ObservableInput<A>), config: FallbackConfig<T> = {}): Fallback<A, T> {
  const c = parseFallbackConfig(config);
  let next: (error: unknown) => ObservableInput<A>;
  if (typeof alternative === 'function') {
    next = alternative;
  } else {
    let stream: Observable<A>;
    try {
      stream = from(alternative);
    } catch {
      return checker(c.name).fail('alternative', alternative, 'an ObservableInput or a function of the error returning one');
    }
    next = () => stream;
  }
  return definePolicy<Fallback<A, T>>(new FallbackCore(c.name, next, c.judge, resolveScheduler(c.scheduler)), PROTO);
}

const PROTO = policyPrototype({ kind: 'fallback', streams: ['events$'], controls: ['stats'] });

class FallbackCore<A> {
  private readonly bus = new EventBus<FallbackEvent>();
  private fallbacks = 0;
  private passed = 0;

  constructor(
    readonly name: string,
    private readonly next: (error: unknown) => ObservableInput<A>,
    private readonly judge: ParsedJudge,
    private readonly scheduler: SchedulerLike,
  ) {}

  get events$(): Observable<FallbackEvent> {
    return this.bus.events$;
  }

  apply<T>(source: Observable<T>): Observable<T> {
    // The policy's public call signature widens to `T | A`; the kernel's shape says `T`.
    const judged = judgeValues(this.name, source, this.judge.isFailureResult);
    return judged.pipe(catchError((error: unknown) => this.handle(unbox(error)))) as Observable<T>;
  }

  /**
   * Throws from `isFailure`, `isFailureResult` or the alternative's factory become the stream's
   * error. An error `isFailure` refuses is rethrown from the selector, so that it reaches
   * downstream before the source's teardown, as it would with no operator at all (returning
   * `throwError` would tear down first).
   */
  private handle(error: unknown): ObservableInput<A> {
    if (!replaces(this.judge, error)) {
      this.passed++;
      throw error;
    }
    this.fallbacks++;
    if (this.bus.observed) this.bus.emit({ type: 'fallback', policy: this.name, at: this.scheduler.now(), error });
    return this.next(error);
  }

  stats(): FallbackStats {
    return { name: this.name, fallbacks: this.fallbacks, passed: this.passed };
  }
}
