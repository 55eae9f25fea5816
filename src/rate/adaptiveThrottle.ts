/**
 * Client-side adaptive throttling (Google SRE book, "Handling Overload").
 *
 * State scope: the request and accept counts live at factory-call scope and are shared by every
 * pipeline the throttle is piped into; a subscription (one call) reports its outcome once.
 */
import { Observable, type Subscriber } from 'rxjs';
import { isLocalRejection, RateLimitedError } from '../errors.js';
import { CallSubscriber, type Outcome } from '../internal/call.js';
import { EventBus, Outbox, WatchedCell } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import type { FailureJudge } from '../internal/judge.js';
import { checker } from '../internal/validate.js';
import { configuredName } from '../internal/names.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { COUNT_BUCKETS, WindowCounts } from './counts.js';
import type { SchedulerLike } from 'rxjs';

/**
 * `T`: the value type of the guarded streams, from `isFailureResult`'s parameter (default `unknown`:
 * any stream). `isFailure` returning false means the backend still accepted the call (an accept).
 */
export interface AdaptiveThrottleConfig<T = unknown> extends FailureJudge<T> {
  readonly name?: string;
  /** Accepts multiplier: the backend may see up to `k` times the requests it accepts. Default 2. */
  readonly k?: number;
  /** Window of the request and accept counts, in ms. Default 120 000 (the book's two minutes). */
  readonly window?: number;
  /** Random source in [0, 1), for the local rejections. Default `Math.random`. */
  readonly random?: () => number;
  readonly scheduler?: SchedulerLike;
}

export interface AdaptiveThrottleState {
  /** Requests in the window, local rejections included. */
  readonly requests: number;
  /** Calls in the window that the backend accepted (succeeded). */
  readonly accepts: number;
  /** `max(0, (requests − k·accepts) / (requests + 1))`. */
  readonly rejectProbability: number;
  /** Calls rejected locally since the throttle was built. */
  readonly rejected: number;
}

export interface AdaptiveThrottleStats extends AdaptiveThrottleState {
  readonly name: string;
  readonly admitted: number;
}

export type AdaptiveThrottleEvent =
  | { readonly type: 'admitted'; readonly policy: string; readonly at: number; readonly rejectProbability: number }
  | { readonly type: 'rejected'; readonly policy: string; readonly at: number; readonly rejectProbability: number };

/** An adaptive throttle guarding streams whose values are a `T` (any stream for `unknown`). */
export interface AdaptiveThrottle<T = unknown> {
  <S extends T>(source: Observable<S>): Observable<S>;
  readonly name: string;
  readonly state$: Observable<AdaptiveThrottleState>;
  readonly events$: Observable<AdaptiveThrottleEvent>;
  stats(): AdaptiveThrottleStats;
}

export interface ParsedAdaptiveThrottleConfig {
  readonly name: string;
  readonly k: number;
  readonly window: number;
  readonly random: () => number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `adaptiveThrottle()`'s config, with its defaults (k 2, a 120 s window, `Math.random`). */
export function parseAdaptiveThrottleConfig(config: unknown): ParsedAdaptiveThrottleConfig {
  const name = configuredName('adaptive-throttle', config);
  const check = checker(name);
  const c = check.object('', config, ['name', 'k', 'window', 'random', 'isFailure', 'isFailureResult', 'scheduler'], true);
  return {
    name,
    k: check.number('k', c.k, 2, 1, 1_000),
    window: check.duration('window', c.window, 120_000, false, COUNT_BUCKETS),
    random: check.fn<() => number>('random', c.random) ?? Math.random,
    isFailure: check.fn<(error: unknown) => boolean>('isFailure', c.isFailure),
    isFailureResult: check.fn<(value: unknown) => boolean>('isFailureResult', c.isFailureResult),
    scheduler: check.scheduler('scheduler', c.scheduler),
  };
}

/**
 * Builds a client-side adaptive throttle: each call is rejected locally, before it reaches the
 * backend, with probability `max(0, (requests − k·accepts) / (requests + 1))` over the last
 * `window` ms. While the backend accepts calls the probability is 0; when it starts refusing,
 * the client sheds load in proportion. A rejection is a `RateLimitedError` with no `retryAfter`
 * (it is a draw, not a wait).
 *
 * ```text
 * window: 10 requests, 2 accepted, k = 2  →  p = (10 − 4) / 11 ≈ 0.55
 * ```
 *
 * ```ts
 * import { adaptiveThrottle } from 'rx-resilience';
 * const throttle = adaptiveThrottle({ name: 'search-backend', k: 2 });
 * defer(() => backend.search(q)).pipe(throttle).subscribe(...);
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function adaptiveThrottle<T = unknown>(config: AdaptiveThrottleConfig<T> = {}): AdaptiveThrottle<T> {
  const c = parseAdaptiveThrottleConfig(config);
  return definePolicy<AdaptiveThrottle<T>>(new ThrottleCore(c.name, { ...c, scheduler: resolveScheduler(c.scheduler) }), PROTO);
}

const PROTO = policyPrototype({ kind: 'adaptive-throttle', state: ['state$'], streams: ['events$'], controls: ['stats'] });

interface ThrottleSetup {
  readonly k: number;
  readonly window: number;
  readonly random: () => number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
  readonly scheduler: SchedulerLike;
}

class ThrottleCore {
  private readonly counts: WindowCounts;
  /** Every emission waits until the operation that made it is complete (see `Outbox`). */
  private readonly outbox = new Outbox();
  private readonly bus = new EventBus<AdaptiveThrottleEvent>(this.outbox);
  private readonly cell: WatchedCell<AdaptiveThrottleState>;
  private admitted = 0;
  private rejected = 0;

  constructor(readonly name: string, readonly setup: ThrottleSetup) {
    this.counts = new WindowCounts(setup.window, COUNT_BUCKETS);
    this.cell = new WatchedCell(() => this.state(setup.scheduler.now()), this.outbox);
  }

  get state$(): Observable<AdaptiveThrottleState> {
    return this.cell.changes$;
  }

  get events$(): Observable<AdaptiveThrottleEvent> {
    return this.bus.events$;
  }

  apply<T>(source: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const now = this.setup.scheduler.now();
      const p = this.probability(now);
      this.counts.addRequest(now);
      if (p > 0 && this.setup.random() < p) {
        this.rejected++;
        if (this.bus.observed) this.bus.emit({ type: 'rejected', policy: this.name, at: now, rejectProbability: p });
        this.cell.refresh();
        subscriber.error(new RateLimitedError(this.name, undefined));
        return;
      }
      this.admitted++;
      if (this.bus.observed) this.bus.emit({ type: 'admitted', policy: this.name, at: now, rejectProbability: p });
      this.cell.refresh();
      new ThrottleCall(subscriber, this).run(source);
    });
  }

  /** The backend accepted a call that succeeded, or failed with an error `isFailure` refuses. */
  record(outcome: Outcome, error: unknown): void {
    if (outcome !== 'success' && (outcome !== 'ignored' || isLocalRejection(error))) return;
    this.counts.addAccept(this.setup.scheduler.now());
    this.cell.refresh();
  }

  stats(): AdaptiveThrottleStats {
    return { name: this.name, ...this.state(this.setup.scheduler.now()), admitted: this.admitted };
  }

  private probability(now: number): number {
    const [requests, accepts] = this.counts.totals(now);
    return Math.max(0, (requests - this.setup.k * accepts) / (requests + 1));
  }

  private state(now: number): AdaptiveThrottleState {
    const [requests, accepts] = this.counts.totals(now);
    return { requests, accepts, rejectProbability: Math.max(0, (requests - this.setup.k * accepts) / (requests + 1)), rejected: this.rejected };
  }
}

class ThrottleCall<T> extends CallSubscriber<T> {
  constructor(destination: Subscriber<T>, private readonly core: ThrottleCore) {
    super(destination, core.setup);
  }

  protected settle(outcome: Outcome, error: unknown): void {
    this.core.record(outcome, error);
  }
}
