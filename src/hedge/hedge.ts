/**
 * Hedging: when the first attempt is slow to produce a value, start another and keep the first
 * to answer ("The Tail at Scale"; Polly's hedging strategy).
 *
 * State scope: the factory call holds the settings, the lifetime counters and one queue of the
 * calls waiting for their next hedge, with at most one scheduler action for all of them; each
 * subscription (one call) holds its attempts, its place in the queue and the winner. Every
 * attempt is one subscription to the source, so the source must be cold; `fromAbortable` makes the losers' requests abort.
 *
 * Nothing is scheduled per call. Every call waits `delay` after its latest attempt started, so
 * appending to the queue keeps it sorted; the one action is armed for its head. A call answered
 * early only leaves the queue: the action is cancelled lazily (when it runs and finds no call due
 * and none waiting, it does not re-arm), so once the calls have ended it ends by itself within
 * `delay`.
 */
import { Observable, type SchedulerLike } from 'rxjs';
import { Alarm } from '../internal/alarm.js';
import { EventBus } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import { LinkedList } from '../internal/linkedList.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { parseHedgeConfig } from './config.js';
import { HedgeCall, type Failure } from './hedgeCall.js';

/** @typeParam T The values of the streams the policy guards (what `isFailureResult` judges). */
export interface HedgeConfig<T = unknown> {
  readonly name?: string;
  /** Ms after an attempt started, with no value yet, before the next starts. 0 starts all at once. Default 2 000. */
  readonly delay?: number;
  /** Extra attempts at most (so `1 + maxHedges` in all). 0 disables hedging. Default 1. */
  readonly maxHedges?: number;
  /**
   * Return false for errors that are not failures (the same meaning as the breaker's): such an
   * error is an answer, and wins like a value. Default: every error is a failure.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /**
   * Return true for values that make an attempt a failure (e.g. an HTTP 503 response): such a
   * value does not win; the attempt is unsubscribed and counts as failed, like an error. When
   * every attempt failed and the last one failed with a value, that value is delivered and the
   * call completes.
   */
  readonly isFailureResult?: (value: T) => boolean;
  readonly scheduler?: SchedulerLike;
}

interface EventBase {
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
}

export type HedgeEvent =
  /** An extra attempt started (`attempt` ≥ 2), after `delay` or because an attempt failed. */
  | (EventBase & { readonly type: 'hedge'; readonly attempt: number; readonly reason: 'delay' | 'error' })
  /** An attempt produced the first value (or completed first): the others were unsubscribed. */
  | (EventBase & { readonly type: 'won'; readonly attempt: number; readonly attempts: number })
  /** Every attempt failed; `error` is the last one's, or `value` when it failed with a value (`isFailureResult`). */
  | (EventBase & { readonly type: 'failed'; readonly attempts: number; readonly error: unknown; readonly value?: unknown });

export interface HedgeStats {
  readonly name: string;
  /** Subscriptions (calls) since the policy was built. */
  readonly calls: number;
  /** Extra attempts started. */
  readonly hedges: number;
  /** Calls won by an extra attempt. */
  readonly hedgedWins: number;
  /** Calls in which every attempt failed. */
  readonly failed: number;
}

/**
 * A hedging policy: an operator, with its events attached.
 * @typeParam T What the guarded streams emit: `isFailureResult`'s argument (any stream when unknown).
 */
export interface Hedge<T = unknown> {
  <V extends T>(source: Observable<V>): Observable<V>;
  readonly name: string;
  readonly events$: Observable<HedgeEvent>;
  stats(): HedgeStats;
}

/**
 * Races extra attempts against a slow one. An attempt starts `delay` ms after the previous one
 * started, while none has produced a value, up to `maxHedges` extra attempts; an attempt that
 * errors before any value starts the next one at once. The first attempt to emit (or to complete)
 * wins: the others are unsubscribed and the winner's stream is relayed, its later error included.
 * The call errors only when every attempt failed, with the last error. With `isFailureResult`, a
 * failing value does not win: it fails its attempt as an error would (and is the answer only when
 * every attempt failed, it being the last failure).
 *
 * ```text
 * attempt 1:       --------a|      (unsubscribed at 6)
 * attempt 2:            ---b|      (starts at 3)
 * hedge({ delay: 3 }) ------b|
 * ```
 *
 * ```ts
 * import { hedge } from 'rx-resilience';
 * const read = (key: string) => defer(() => replicas.read(key)).pipe(hedge({ delay: 50, maxHedges: 2 }));
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function hedge<T = unknown>(config: HedgeConfig<T> = {}): Hedge<T> {
  const c = parseHedgeConfig(config);
  return definePolicy<Hedge<T>>(new HedgeCore(c.name, c.delay, c.maxHedges, c.isFailure, c.isFailureResult, resolveScheduler(c.scheduler)), PROTO, { delay: c.delay, maxHedges: c.maxHedges });
}

const PROTO = policyPrototype({ kind: 'hedge', streams: ['events$'], controls: ['stats'] });

/** @internal The state a hedge policy shares between its calls. */
export class HedgeCore {
  private readonly bus = new EventBus<HedgeEvent>();
  /** Calls waiting for their next hedge, earliest first (each waits the same `delay`). */
  readonly waiting = new LinkedList<HedgeCall<unknown>>();
  private readonly alarm: Alarm;
  private calls = 0;
  private hedges = 0;
  private hedgedWins = 0;
  private failed = 0;

  constructor(
    readonly name: string,
    readonly delay: number,
    readonly maxHedges: number,
    readonly isFailure: ((error: unknown) => boolean) | undefined,
    readonly isFailureResult: ((value: unknown) => boolean) | undefined,
    readonly scheduler: SchedulerLike,
  ) {
    this.alarm = new Alarm(scheduler, () => this.waiting.head?.at, () => this.hedgeDue());
  }

  /** Queues `call` for its next hedge, `delay` from now. */
  wait(call: HedgeCall<unknown>): void {
    const now = this.scheduler.now();
    call.at = now + this.delay;
    this.waiting.push(call);
    this.alarm.request(call.at, now);
  }

  /** Starts the next attempt of every call whose delay has run out. */
  private hedgeDue(): void {
    for (let call = this.waiting.head; call !== undefined && call.at <= this.scheduler.now(); call = this.waiting.head) {
      this.waiting.remove(call);
      call.due();
    }
  }

  get events$(): Observable<HedgeEvent> {
    return this.bus.events$;
  }

  apply<T>(source: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      this.calls++;
      new HedgeCall(this, source, subscriber).launch('delay');
    });
  }

  noteHedge(attempt: number, reason: 'delay' | 'error'): void {
    this.hedges++;
    if (this.bus.observed) this.bus.emit({ type: 'hedge', policy: this.name, at: this.scheduler.now(), attempt, reason });
  }

  noteWin(attempt: number, attempts: number): void {
    if (attempt > 1) this.hedgedWins++;
    if (this.bus.observed) this.bus.emit({ type: 'won', policy: this.name, at: this.scheduler.now(), attempt, attempts });
  }

  noteFailure(attempts: number, failure: Failure): void {
    this.failed++;
    if (this.bus.observed) this.bus.emit({ type: 'failed', policy: this.name, at: this.scheduler.now(), attempts, error: failure.error, ...(failure.isValue ? { value: failure.value } : {}) });
  }

  stats(): HedgeStats {
    return { name: this.name, calls: this.calls, hedges: this.hedges, hedgedWins: this.hedgedWins, failed: this.failed };
  }
}
