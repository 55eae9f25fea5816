/**
 * Hedging: when the first attempt is slow to produce a value, start another and keep the first
 * to answer ("The Tail at Scale"; Polly's hedging strategy).
 *
 * State scope: the factory call holds the settings, the lifetime counters and one queue of the
 * calls waiting for their next hedge, with at most one scheduler action for all of them; each
 * subscription (one call) holds its attempts, its place in the queue and the winner. Every
 * attempt is one subscription to the source, so the source must be cold (e.g.
 * `defer(() => fetch(...))`).
 *
 * Nothing is scheduled per call. Every call waits `delay` after its latest attempt started, so
 * appending to the queue keeps it sorted; the one action is armed for its head. A call answered
 * early only leaves the queue: the action is cancelled lazily (when it runs and finds no call due
 * and none waiting, it does not re-arm), so once the calls have ended it ends by itself within
 * `delay`.
 */
import { Observable, Subscriber, type SchedulerLike } from 'rxjs';
import { Alarm } from '../internal/alarm.js';
import { EventBus } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import { LinkedList, type Linked } from '../internal/linkedList.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { parseHedgeConfig } from './config.js';

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
  return definePolicy<Hedge<T>>(new HedgeCore(c.name, c.delay, c.maxHedges, c.isFailure, c.isFailureResult, resolveScheduler(c.scheduler)), PROTO);
}

const PROTO = policyPrototype({ kind: 'hedge', streams: ['events$'], controls: ['stats'] });

class HedgeCore {
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

/** How an attempt failed: an error, or a value `isFailureResult` matched. */
interface Failure {
  readonly error: unknown;
  readonly value: unknown;
  readonly isValue: boolean;
}

/** One call: its attempts, its place in the queue of calls waiting to hedge, and the winner once there is one. */
class HedgeCall<T> implements Linked<HedgeCall<unknown>> {
  at = 0;
  list: LinkedList<HedgeCall<unknown>> | undefined = undefined;
  older: HedgeCall<unknown> | undefined = undefined;
  newer: HedgeCall<unknown> | undefined = undefined;
  private readonly live = new Set<Attempt<T>>();
  private started = 0;
  winner: Attempt<T> | undefined = undefined;
  /** Set while an attempt subscribes; an attempt failing then asks for a `relaunch` instead of recursing. */
  private subscribing = false;
  private relaunch = false;

  constructor(
    readonly core: HedgeCore,
    private readonly source: Observable<T>,
    private readonly destination: Subscriber<T>,
  ) {
    // Attempts are children of the destination; the place in the queue is ours to leave.
    destination.add(() => this.disarm());
  }

  /**
   * Starts the next attempt, then queues the call for the one after (or, with delay 0, starts
   * them all). An attempt that fails synchronously asks for the next one from inside `start`: that
   * ask is queued and served by this loop, so the stack stays flat whatever `maxHedges` is.
   */
  launch(reason: 'delay' | 'error'): void {
    this.disarm();
    for (;;) {
      this.start(reason);
      if (this.relaunch) {
        // The attempt failed while subscribing: the next one starts once that subscribe returned.
        this.relaunch = false;
        if (this.destination.closed) return;
        reason = 'error';
        continue;
      }
      if (this.winner !== undefined || this.destination.closed || this.started > this.core.maxHedges) return;
      if (this.core.delay > 0) return this.core.wait(this as HedgeCall<unknown>);
      reason = 'delay';
    }
  }

  /** Its delay ran out. */
  due(): void {
    if (this.winner === undefined && !this.destination.closed) this.launch('delay');
  }

  private start(reason: 'delay' | 'error'): void {
    const attempt = new Attempt(this.destination, this, ++this.started);
    if (attempt.index > 1) this.core.noteHedge(attempt.index, reason);
    this.live.add(attempt);
    this.subscribing = true;
    try {
      this.source.subscribe(attempt);
    } finally {
      this.subscribing = false;
    }
  }

  private disarm(): void {
    this.core.waiting.remove(this as HedgeCall<unknown>);
  }

  win(attempt: Attempt<T>): void {
    this.winner = attempt;
    this.disarm();
    for (const other of this.live) if (other !== attempt) other.unsubscribe();
    this.live.clear();
    this.core.noteWin(attempt.index, this.started);
  }

  /**
   * An attempt failed before any attempt answered. The last one's failure goes downstream (an
   * error, or a failing value and completion) before its teardown.
   */
  fail(attempt: Attempt<T>, failure: Failure): void {
    this.live.delete(attempt);
    if (this.started <= this.core.maxHedges) {
      // The failed attempt is torn down before the next one starts, as RxJS `retry` does.
      attempt.unsubscribe();
      if (this.subscribing) this.relaunch = true;
      else this.launch('error');
      return;
    }
    if (this.live.size > 0) return;
    this.disarm();
    this.core.noteFailure(this.started, failure);
    if (!failure.isValue) return this.destination.error(failure.error);
    this.destination.next(failure.value as T);
    this.destination.complete();
  }
}

/**
 * One attempt. Until a winner is chosen it judges what it receives: a value (unless
 * `isFailureResult` matches it), a completion, or an error `isFailure` refuses, wins; anything
 * else fails the attempt. The winner's stream is relayed as it is.
 */
class Attempt<T> extends Subscriber<T> {
  constructor(
    destination: Subscriber<T>,
    private readonly call: HedgeCall<T>,
    readonly index: number,
  ) {
    super(destination);
  }

  protected override _next(value: T): void {
    if (this.call.winner === undefined) {
      const judge = this.call.core.isFailureResult;
      if (judge !== undefined) {
        let failing: boolean;
        try {
          failing = judge(value) === true;
        } catch (thrown) {
          return this.failWith({ error: thrown, value: undefined, isValue: false });
        }
        if (failing) return this.failWith({ error: undefined, value, isValue: true });
      }
      this.call.win(this);
    }
    this.destination.next(value);
  }

  protected override _error(error: unknown): void {
    if (this.call.winner === undefined && !this.answers(error)) return this.failWith({ error, value: undefined, isValue: false });
    if (this.call.winner === undefined) this.call.win(this);
    super._error(error);
  }

  protected override _complete(): void {
    if (this.call.winner === undefined) this.call.win(this);
    super._complete();
  }

  /** Whether `error` is an answer rather than a failure (`isFailure` says false); a throwing `isFailure` makes it a failure. */
  private answers(error: unknown): boolean {
    const isFailure = this.call.core.isFailure;
    if (isFailure === undefined) return false;
    try {
      return isFailure(error) === false;
    } catch {
      return false;
    }
  }

  private failWith(failure: Failure): void {
    this.isStopped = true;
    try {
      this.call.fail(this, failure);
    } finally {
      this.unsubscribe();
    }
  }
}
