/**
 * Hedging: when the first attempt is slow to produce a value, start another and keep the first
 * to answer ("The Tail at Scale"; Polly's hedging strategy).
 *
 * State scope: the factory call holds the settings and lifetime counters; each subscription (one
 * call) holds its attempts, the hedge timer and the winner. Every attempt is one subscription to
 * the source, so the source must be cold; `fromAbortable` makes the losers' requests abort.
 */
import { Observable, Subscriber, type SchedulerLike, type Subscription } from 'rxjs';
import { EventBus } from '../internal/cell.js';
import { resolveScheduler, scheduleOnce } from '../internal/clock.js';
import { configuredName } from '../internal/names.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { checker } from '../internal/validate.js';

export interface HedgeConfig {
  readonly name?: string;
  /** Ms after an attempt started, with no value yet, before the next starts. 0 starts all at once. Default 2 000. */
  readonly delay?: number;
  /** Extra attempts at most (so `1 + maxHedges` in all). 0 disables hedging. Default 1. */
  readonly maxHedges?: number;
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
  /** Every attempt failed; `error` is the last one's. */
  | (EventBase & { readonly type: 'failed'; readonly attempts: number; readonly error: unknown });

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

/** A hedging policy: an operator, with its events attached. */
export interface Hedge {
  <T>(source: Observable<T>): Observable<T>;
  readonly name: string;
  readonly events$: Observable<HedgeEvent>;
  stats(): HedgeStats;
}

const KEYS = ['name', 'delay', 'maxHedges', 'scheduler'] as const;

export interface ParsedHedgeConfig {
  readonly name: string;
  readonly delay: number;
  readonly maxHedges: number;
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `hedge()`'s config, with its defaults (2 000 ms, one hedge). */
export function parseHedgeConfig(config: unknown): ParsedHedgeConfig {
  const name = configuredName('hedge', config);
  const check = checker(name);
  const c = check.object('', config, KEYS, true);
  return {
    name,
    delay: check.duration('delay', c.delay, 2_000, true),
    maxHedges: check.size('maxHedges', c.maxHedges, 1, 0),
    scheduler: check.scheduler('scheduler', c.scheduler),
  };
}

/**
 * Races extra attempts against a slow one. An attempt starts `delay` ms after the previous one
 * started, while none has produced a value, up to `maxHedges` extra attempts; an attempt that
 * errors before any value starts the next one at once. The first attempt to emit (or to complete)
 * wins: the others are unsubscribed and the winner's stream is relayed, its later error included.
 * The call errors only when every attempt failed, with the last error.
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
export function hedge(config: HedgeConfig = {}): Hedge {
  const c = parseHedgeConfig(config);
  return definePolicy<Hedge>(new HedgeCore(c.name, c.delay, c.maxHedges, resolveScheduler(c.scheduler)), PROTO, { delay: c.delay, maxHedges: c.maxHedges });
}

const PROTO = policyPrototype({ kind: 'hedge', streams: ['events$'], controls: ['stats'] });

class HedgeCore {
  private readonly bus = new EventBus<HedgeEvent>();
  private calls = 0;
  private hedges = 0;
  private hedgedWins = 0;
  private failed = 0;

  constructor(
    readonly name: string,
    readonly delay: number,
    readonly maxHedges: number,
    readonly scheduler: SchedulerLike,
  ) {}

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

  noteFailure(attempts: number, error: unknown): void {
    this.failed++;
    if (this.bus.observed) this.bus.emit({ type: 'failed', policy: this.name, at: this.scheduler.now(), attempts, error });
  }

  stats(): HedgeStats {
    return { name: this.name, calls: this.calls, hedges: this.hedges, hedgedWins: this.hedgedWins, failed: this.failed };
  }
}

/** One call: its attempts, the hedge timer, and the winner once there is one. */
class HedgeCall<T> {
  private readonly live = new Set<Attempt<T>>();
  private started = 0;
  winner: Attempt<T> | undefined = undefined;
  private timer: Subscription | undefined = undefined;
  /** Set while an attempt subscribes; an attempt failing then asks for a `relaunch` instead of recursing. */
  private subscribing = false;
  private relaunch = false;

  constructor(
    private readonly core: HedgeCore,
    private readonly source: Observable<T>,
    private readonly destination: Subscriber<T>,
  ) {
    // Attempts are children of the destination; the timer is ours to cancel.
    destination.add(() => this.disarm());
  }

  /**
   * Starts the next attempt, then arms the timer for the one after (or, with delay 0, starts them
   * all). An attempt that fails synchronously asks for the next one from inside `start`: that ask
   * is queued and served by this loop, so the stack stays flat whatever `maxHedges` is.
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
      if (this.core.delay > 0) return this.arm();
      reason = 'delay';
    }
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

  private arm(): void {
    this.timer?.unsubscribe();
    this.timer = scheduleOnce(this.core.scheduler, this.core.delay, () => {
      this.timer = undefined;
      if (this.winner === undefined && !this.destination.closed) this.launch('delay');
    });
  }

  private disarm(): void {
    this.timer?.unsubscribe();
    this.timer = undefined;
  }

  win(attempt: Attempt<T>): void {
    this.winner = attempt;
    this.disarm();
    for (const other of this.live) if (other !== attempt) other.unsubscribe();
    this.live.clear();
    this.core.noteWin(attempt.index, this.started);
  }

  /** An attempt failed before any attempt produced a value; the last one's error goes downstream before its teardown. */
  fail(attempt: Attempt<T>, error: unknown): void {
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
    this.core.noteFailure(this.started, error);
    this.destination.error(error);
  }
}

class Attempt<T> extends Subscriber<T> {
  constructor(
    destination: Subscriber<T>,
    private readonly call: HedgeCall<T>,
    readonly index: number,
  ) {
    super(destination);
  }

  protected override _next(value: T): void {
    if (this.call.winner === undefined) this.call.win(this);
    this.destination.next(value);
  }

  protected override _error(error: unknown): void {
    if (this.call.winner === this) {
      super._error(error);
      return;
    }
    try {
      this.call.fail(this, error);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    if (this.call.winner === undefined) this.call.win(this);
    super._complete();
  }
}
