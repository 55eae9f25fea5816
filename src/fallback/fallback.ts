/**
 * Fallback: on an error that `when` accepts, switch to an alternative.
 *
 * State scope: the factory call holds the alternative, the predicate and the lifetime counters
 * (shared by every pipeline the fallback is piped into); each subscription holds nothing of its
 * own beyond RxJS `catchError`'s.
 */
import { catchError, from, Observable, type ObservableInput, type SchedulerLike } from 'rxjs';
import { EventBus } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import { configuredName } from '../internal/names.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { checker } from '../internal/validate.js';

export interface FallbackConfig {
  readonly name?: string;
  /** Which errors switch to the alternative. Default: every error (docs/decisions.md, decision 15). */
  readonly when?: (error: unknown) => boolean;
  /** Only the clock of the `at` field of events. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

export interface FallbackEvent {
  readonly type: 'fallback';
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
  /** The error that was replaced. */
  readonly error: unknown;
}

export interface FallbackStats {
  readonly name: string;
  /** Errors replaced by the alternative since the fallback was built. */
  readonly fallbacks: number;
  /** Errors that `when` refused and that passed through unchanged. */
  readonly passed: number;
}

/** A fallback: an operator widening `T` to `T | A`, with its events attached. */
export interface Fallback<A> {
  <T>(source: Observable<T>): Observable<T | A>;
  readonly name: string;
  /** Hot: one `fallback` event each time the alternative takes over. */
  readonly events$: Observable<FallbackEvent>;
  stats(): FallbackStats;
}

const KEYS = ['name', 'when', 'scheduler'] as const;

export interface ParsedFallbackConfig {
  readonly name: string;
  readonly when: ((error: unknown) => boolean) | undefined;
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `fallback()`'s config (the alternative is the factory's own argument). */
export function parseFallbackConfig(config: unknown): ParsedFallbackConfig {
  const name = configuredName('fallback', config);
  const check = checker(name);
  const c = check.object('', config, KEYS, true);
  return { name, when: check.fn<(error: unknown) => boolean>('when', c.when), scheduler: check.scheduler('scheduler', c.scheduler) };
}

/**
 * Replaces an error of the source with an alternative stream.
 *
 * <span class="informal">`catchError` with a predicate, events and validation at build time.</span>
 *
 * The alternative is an `ObservableInput`, or a function of the error returning one (called
 * once per error). Values the source emitted before its error have already been delivered; the
 * alternative's values follow them. Errors that `when` refuses pass through unchanged. A chain of
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
 *   fallback((error) => mirror.price(sku), { when: (e) => e instanceof NetworkError }),
 *   fallback(of(null)),
 * ); // Observable<Price | null>
 * ```
 * @throws ConfigError when the alternative or the config is invalid.
 */
export function fallback<A>(alternative: (error: unknown) => ObservableInput<A>, config?: FallbackConfig): Fallback<A>;
export function fallback<A>(alternative: ObservableInput<A>, config?: FallbackConfig): Fallback<A>;
export function fallback<A>(alternative: ObservableInput<A> | ((error: unknown) => ObservableInput<A>), config: FallbackConfig = {}): Fallback<A> {
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
  return definePolicy<Fallback<A>>(new FallbackCore(c.name, next, c.when, resolveScheduler(c.scheduler)), PROTO);
}

const PROTO = policyPrototype({ kind: 'fallback', streams: ['events$'], controls: ['stats'] });

class FallbackCore<A> {
  private readonly bus = new EventBus<FallbackEvent>();
  private fallbacks = 0;
  private passed = 0;

  constructor(
    readonly name: string,
    private readonly next: (error: unknown) => ObservableInput<A>,
    private readonly when: ((error: unknown) => boolean) | undefined,
    private readonly scheduler: SchedulerLike,
  ) {}

  get events$(): Observable<FallbackEvent> {
    return this.bus.events$;
  }

  apply<T>(source: Observable<T>): Observable<T> {
    // The policy's public call signature widens to `T | A`; the kernel's shape says `T`.
    return source.pipe(catchError((error: unknown) => this.handle(error))) as Observable<T>;
  }

  /**
   * Throws from `when` or the alternative's factory become the stream's error. An error `when`
   * refuses is rethrown from the selector, so that it reaches downstream before the source's
   * teardown, as it would with no operator at all (returning `throwError` would tear down first).
   */
  private handle(error: unknown): ObservableInput<A> {
    if (this.when !== undefined && !this.when(error)) {
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
