/**
 * Adaptive concurrency: a bulkhead whose limit follows measured latency and failures, as Netflix
 * concurrency-limits does (AIMD, Gradient2 or Vegas).
 *
 * State scope: the pool (active count, queue, totals, streams) and the algorithm's state live at
 * factory-call scope and are shared by every pipeline the policy is piped into; each subscription
 * (one call) holds its slot or its place in the queue, its start time and the number of calls in
 * flight when it started, which become its sample when it ends.
 */
import type { Observable, SchedulerLike } from 'rxjs';
import { parseQueueOptions, POOL_KEYS } from '../bulkhead/config.js';
import { SlotPool, type BulkheadEvent, type BulkheadState, type ConcurrencyLimitEvent, type PoolConfig } from '../bulkhead/pool.js';
import type { Outcome } from '../internal/call.js';
import { StateCell } from '../internal/cell.js';
import type { FailureJudge } from '../internal/judge.js';
import { checker } from '../internal/validate.js';
import { configuredName } from '../internal/names.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { LIMIT_KEYS, parseAlgorithm, parseBounds, parseWindowed } from './config.js';
import type { LimitAlgorithm } from './types.js';

type LimitFn = number | ((limit: number) => number);

/** The algorithm by name (with Netflix's defaults), or with its parameters. */
export type ConcurrencyLimitAlgorithm =
  | 'aimd'
  | 'gradient2'
  | 'vegas'
  /** Loss based: ×`backoffRatio` (in [0.5, 1), default 0.9) on a failure or a round trip over `timeout` ms (default 5 000), +1 otherwise. */
  | { readonly kind: 'aimd'; readonly backoffRatio?: number; readonly timeout?: number }
  /** Latency gradient: `smoothing` (0, 1] default 0.2, `queueSize` default 4, `longWindow` samples default 600. */
  | { readonly kind: 'gradient2'; readonly smoothing?: number; readonly queueSize?: LimitFn; readonly longWindow?: number }
  /** Queue estimate from the least round trip: `alpha`/`beta`/`threshold` default 3/6/1 × log10 of the limit, `smoothing` default 1, `probeMultiplier` default 30, `random` for the probe jitter. */
  | {
      readonly kind: 'vegas';
      readonly alpha?: LimitFn;
      readonly beta?: LimitFn;
      readonly threshold?: LimitFn;
      readonly smoothing?: number;
      readonly probeMultiplier?: number;
      readonly random?: () => number;
    };

/** `T`: the value type of the guarded streams, from `isFailureResult`'s parameter (default `unknown`: any stream). */
export interface AdaptiveConcurrencyConfig<T = unknown> extends FailureJudge<T> {
  readonly name?: string;
  /** Default `'vegas'`. */
  readonly algorithm?: ConcurrencyLimitAlgorithm;
  /** Integers with minLimit ≤ initialLimit ≤ maxLimit. Defaults 20, 1 and 200. */
  readonly initialLimit?: number;
  readonly minLimit?: number;
  readonly maxLimit?: number;
  /**
   * Sample windows: the algorithm sees one aggregate (average round trip, most in flight, any
   * failure) per window of `clamp(2 · least round trip, minTime, maxTime)` ms with at least `size`
   * calls. Default `{ minTime: 1000, maxTime: 1000, size: 10 }` (Netflix's `WindowedLimit`);
   * `false` moves the limit on every call.
   */
  readonly window?: false | { readonly minTime?: number; readonly maxTime?: number; readonly size?: number };
  /** As for `bulkhead()`: default 0 (reject at once when the limit is reached). */
  readonly maxQueued?: number;
  readonly queueTimeout?: number;
  readonly scheduler?: SchedulerLike;
}

export type AdaptiveConcurrencyEvent = BulkheadEvent | ConcurrencyLimitEvent;
export type AdaptiveConcurrencyStats = BulkheadState;
export type { ConcurrencyLimitEvent } from '../bulkhead/pool.js';

/** An adaptive concurrency limit guarding streams whose values are a `T` (any stream for `unknown`). */
export interface AdaptiveConcurrency<T = unknown> {
  <S extends T>(source: Observable<S>): Observable<S>;
  readonly name: string;
  /** Replays the current state (`limit` is the current limit), then emits each change. */
  readonly state$: Observable<BulkheadState>;
  /** Replays the current limit, then emits each change, right after its `limit` event. */
  readonly limit$: Observable<number>;
  /** Hot: the bulkhead's events, and `limit` when the limit moves. */
  readonly events$: Observable<AdaptiveConcurrencyEvent>;
  stats(): AdaptiveConcurrencyStats;
  /** An operator on the same pool whose calls wait with this priority (higher first). */
  withPriority(priority: number): <S extends T>(source: Observable<S>) => Observable<S>;
}

/**
 * Builds an adaptive concurrency limit: a bulkhead that finds how many calls a dependency can take
 * at once, lowering the limit when latency grows (queueing) or calls fail, raising it while
 * latency stays flat. Every call that succeeds or fails is a sample (round trip from upstream
 * subscription to the end, calls in flight when it started); ignored errors, rejections and
 * cancelled calls are not.
 *
 * ```text
 * load rises past the dependency's knee (latency grows):  limit 20 → 24 → 27 … → 23 (near the knee)
 * load drops:                                            latency flat again, nothing rejected
 * ```
 *
 * ```ts
 * import { adaptiveConcurrency } from 'rx-resilience';
 * const limiter = adaptiveConcurrency({ name: 'search', algorithm: 'gradient2', minLimit: 5, maxLimit: 100 });
 * defer(() => api.search(q)).pipe(limiter).subscribe(...);   // BulkheadFullError when at the limit
 * limiter.limit$.subscribe((n) => console.log('limit', n));
 * ```
 *
 * An ignored error (`isFailure` returns false) is no sample; a failure, or a value matched by
 * `isFailureResult` (typed by the guarded stream's value type), is a drop.
 * @throws ConfigError when the config is invalid.
 */
export function adaptiveConcurrency<T = unknown>(config: AdaptiveConcurrencyConfig<T> = {}): AdaptiveConcurrency<T> {
  const name = configuredName('adaptive-concurrency', config);
  const check = checker(name);
  const c = check.object('', config, [...POOL_KEYS, ...LIMIT_KEYS, 'isFailure', 'isFailureResult'], true);
  const bounds = parseBounds(check, c);
  const algorithm = parseWindowed(check, c.window, parseAlgorithm(check, c.algorithm, bounds));
  const judge = { isFailure: check.fn<(e: unknown) => boolean>('isFailure', c.isFailure), isFailureResult: check.fn<(v: unknown) => boolean>('isFailureResult', c.isFailureResult) };
  const pool: PoolConfig = { name, judge, limit: algorithm.limit(algorithm.initial), ...parseQueueOptions(check, c) };
  return definePolicy<AdaptiveConcurrency<T>>(new AdaptiveCore(pool, algorithm), PROTO);
}

const PROTO = policyPrototype({ kind: 'adaptive-concurrency', state: ['state$', 'limit$'], streams: ['events$'], controls: ['stats', 'withPriority'] });

class AdaptiveCore extends SlotPool {
  private state: unknown;
  private readonly limitCell: StateCell<number>;

  constructor(
    config: PoolConfig,
    private readonly algorithm: LimitAlgorithm<unknown>,
  ) {
    super(config);
    this.state = algorithm.initial;
    this.sampling = true;
    this.limitCell = new StateCell(config.limit, Object.is, this.outbox);
  }

  get limit$(): Observable<number> {
    return this.limitCell.changes$;
  }

  protected override sample(outcome: Outcome, rtt: number, inflight: number, now: number): void {
    if (outcome !== 'success' && outcome !== 'failure') return;
    this.state = this.algorithm.next(this.state, { rtt, inflight, dropped: outcome === 'failure', at: now });
    const to = this.algorithm.limit(this.state);
    const from = this.limit;
    if (to === from) return;
    if (this.bus.observed) this.bus.emit({ type: 'limit', policy: this.name, at: now, from, to });
    this.limitCell.set(to);
    this.setLimit(to);
  }
}
