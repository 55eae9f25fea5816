/**
 * Adaptive rate limiter: an exact sliding window whose limit follows the success rate
 * of the calls it admitted.
 *
 * State scope: the limit, the current judging period and the window's state live at factory-call
 * scope and are shared by every pipeline the limiter is piped into; a subscription (one call)
 * holds only its place in the queue while it waits, then reports its outcome once.
 */
import type { Observable, Subscriber } from 'rxjs';
import { CallSubscriber, type Outcome } from '../internal/call.js';
import { EventBus, StateCell } from '../internal/cell.js';
import type { FailureJudge } from '../internal/judge.js';
import { checker, MAX_SIZE } from '../internal/validate.js';
import { configuredName } from '../internal/names.js';
import { policyPrototype } from '../internal/policy.js';
import { LIMITER_KEYS, parseLimiter, positive } from './config.js';
import { LimiterCore, limiterPolicy, type LimiterSetup } from './core.js';
import type { LimiterOptions, RateLimiter, RateLimiterEvent } from './types.js';

/** `T`: the value type of the guarded streams, from `isFailureResult`'s parameter (default `unknown`: any stream). */
export interface AdaptiveRateLimitConfig<T = unknown> extends Omit<LimiterOptions, 'maxKeys'>, FailureJudge<T> {
  /** Calls per `window` to start with (seed: `requests_per_minute`). Required. */
  readonly base: number;
  /** Lowest limit. Default 1. */
  readonly min?: number;
  /** Highest limit. Default `base`. */
  readonly max?: number;
  /** A period whose success rate is below this lowers the limit. Default 0.8 (seed `adaptive_threshold`). */
  readonly threshold?: number;
  /** Factor applied on a bad period, in (0, 1). Default 0.7 (seed `backoff_factor`). */
  readonly decrease?: number;
  /** Factor applied on a good period, > 1. Default 1.2 (seed `recovery_factor`). */
  readonly increase?: number;
  /** Sliding window of the limit, and the length of a judging period, in ms. Default 60 000. */
  readonly window?: number;
  /** Finished calls a period needs before it is judged. Default 10. */
  readonly minimumCalls?: number;
}

export type AdaptiveRateLimitEvent =
  | RateLimiterEvent
  | { readonly type: 'rate'; readonly policy: string; readonly at: number; readonly from: number; readonly to: number; readonly successRate: number };

/** An adaptive rate limiter guarding streams whose values are a `T` (any stream for `unknown`). */
export interface AdaptiveRateLimiter<T = unknown> extends Omit<RateLimiter, 'events$' | 'forKey'> {
  <S extends T>(source: Observable<S>): Observable<S>;
  /** Replays the current rate (calls per window, fractional; the limit is its floor), then each change. */
  readonly rate$: Observable<number>;
  readonly events$: Observable<AdaptiveRateLimitEvent>;
}

export interface ParsedAdaptiveRateLimitConfig {
  readonly setup: LimiterSetup;
  readonly tuning: Tuning;
}

const KEYS = [...LIMITER_KEYS.filter((k) => k !== 'maxKeys'), 'base', 'min', 'max', 'threshold', 'decrease', 'increase', 'window', 'minimumCalls', 'isFailure', 'isFailureResult'];

/** Checks `adaptiveRateLimit()`'s config: `base` required, `min` <= `base` <= `max`, with their defaults. */
export function parseAdaptiveRateLimitConfig(config: unknown): ParsedAdaptiveRateLimitConfig {
  const name = configuredName('adaptive-rate-limit', config);
  const check = checker(name);
  const c = check.object('', config, KEYS);
  const base = positive(check, 'base', c.base);
  if (base < 1 || base > MAX_SIZE) check.fail('base', base, `a number in [1, ${MAX_SIZE}]`);
  const min = check.number('min', c.min, 1, 1, base);
  const max = check.number('max', c.max, base, base, MAX_SIZE);
  const decrease = check.number('decrease', c.decrease, 0.7, 0, 1);
  if (decrease === 0 || decrease === 1) check.fail('decrease', decrease, 'a number in (0, 1)');
  const increase = check.number('increase', c.increase, 1.2, 1, 1_000);
  if (increase === 1) check.fail('increase', increase, 'a number in (1, 1000]');
  const window = check.duration('window', c.window, 60_000, false, 1);
  const parsed = parseLimiter(check, c, Math.floor(min), 'floor(min)', true);
  return {
    setup: { name, ...parsed, params: { kind: 'sliding-window', limit: Math.floor(base), window } },
    tuning: {
      base, min, max, decrease, increase, window,
      threshold: check.threshold('threshold', c.threshold, 0.8),
      minimumCalls: check.integer('minimumCalls', c.minimumCalls, 10),
      isFailure: check.fn<(error: unknown) => boolean>('isFailure', c.isFailure),
      isFailureResult: check.fn<(value: unknown) => boolean>('isFailureResult', c.isFailureResult),
    },
  };
}

/** What `adaptiveRateLimit()` returns (the name its factory suggests). */
export type AdaptiveRateLimit<T = unknown> = AdaptiveRateLimiter<T>;

/**
 * Builds an adaptive rate limiter. It admits up to `floor(rate)` calls per sliding `window`,
 * starting at `base`. Calls are judged in periods: once a period has lasted `window` ms and seen
 * `minimumCalls` finished calls, its success rate decides — below `threshold`, the rate is
 * multiplied by `decrease` (not below `min`); otherwise by `increase` (not above `max`) — and a
 * new period starts. Cancelled calls and ignored errors count for nothing; our own rejections
 * are never counted. Modes, cost and `retryAfter` work as in `tokenBucket`.
 *
 * ```text
 * period 1: 10 calls, 6 succeed (0.6 < 0.8)  → rate 100 → 70
 * period 2: 10 calls, 9 succeed (0.9 ≥ 0.8)  → rate  70 → 84
 * ```
 *
 * ```ts
 * import { adaptiveRateLimit } from 'rx-resilience';
 * const limiter = adaptiveRateLimit({ name: 'aws-pricing', base: 100, window: 60_000 });
 * limiter.rate$.subscribe((r) => console.log('rate per minute', r));
 * defer(() => pricing.get(sku)).pipe(limiter).subscribe(...);
 * ```
 * @throws ConfigError when the config is invalid (also `cost > min`).
 */
export function adaptiveRateLimit<T = unknown>(config: AdaptiveRateLimitConfig<T>): AdaptiveRateLimit<T> {
  const c = parseAdaptiveRateLimitConfig(config);
  return limiterPolicy<AdaptiveRateLimiter<T>>(new AdaptiveCore(c.setup, c.tuning), PROTO);
}

const PROTO = policyPrototype({ kind: 'adaptive-rate-limit', state: ['state$', 'rate$'], streams: ['events$'], controls: ['stats'] });

interface Tuning {
  readonly base: number;
  readonly min: number;
  readonly max: number;
  readonly threshold: number;
  readonly decrease: number;
  readonly increase: number;
  readonly window: number;
  readonly minimumCalls: number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
}

class AdaptiveCore extends LimiterCore {
  private readonly rateCell: StateCell<number>;
  private periodStart: number;
  private successes = 0;
  private failures = 0;

  constructor(setup: LimiterSetup, readonly tuning: Tuning) {
    super(setup);
    this.rateCell = new StateCell(tuning.base, Object.is, this.outbox);
    this.periodStart = this.scheduler.now();
  }

  get rate$(): Observable<number> {
    return this.rateCell.changes$;
  }

  protected override run<T>(source: Observable<T>, subscriber: Subscriber<T>): void {
    new AdaptiveCall(subscriber, this).run(source);
  }

  /** Counts an outcome in the current period, and judges the period once it is complete. */
  record(outcome: Outcome): void {
    if (outcome === 'success') this.successes++;
    else if (outcome === 'failure') this.failures++;
    else return;
    const now = this.scheduler.now();
    const calls = this.successes + this.failures;
    const t = this.tuning;
    if (now - this.periodStart < t.window || calls < t.minimumCalls) return;
    const successRate = this.successes / calls;
    const from = this.rateCell.value;
    const to = successRate < t.threshold ? Math.max(t.min, from * t.decrease) : Math.min(t.max, from * t.increase);
    this.periodStart = now;
    this.successes = 0;
    this.failures = 0;
    if (to === from) return;
    this.params = { kind: 'sliding-window', limit: Math.floor(to), window: t.window };
    this.outbox.run(() => {
      if (this.bus.observed) (this.bus as EventBus<AdaptiveRateLimitEvent>).emit({ type: 'rate', policy: this.name, at: now, from, to, successRate });
      this.rateCell.set(to);
      this.cell.refresh();
    });
  }
}

class AdaptiveCall<T> extends CallSubscriber<T> {
  constructor(destination: Subscriber<T>, private readonly core: AdaptiveCore) {
    super(destination, core.tuning);
  }

  protected settle(outcome: Outcome): void {
    this.core.record(outcome);
  }
}
