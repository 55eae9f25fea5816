/**
 * @internal The circuit breaker's core: admission, outcomes, transitions, timers and streams.
 * One core per `circuitBreaker()` call, shared by every pipeline the breaker is piped into.
 */
import type { Observable, SchedulerLike, Subscriber, Subscription } from 'rxjs';
import { CircuitOpenError } from '../errors.js';
import { CallSubscriber, Guarded, type Outcome } from '../internal/call.js';
import { EventBus, Outbox, SnapshotStream, StateCell } from '../internal/cell.js';
import { resolveScheduler, scheduleOnce } from '../internal/clock.js';
import { withLatency, type LatencyWindow } from '../internal/histogram.js';
import { checker, MAX_DURATION } from '../internal/validate.js';
import type { CircuitBreakerEvent, CircuitBreakerStats } from './types.js';
import { DEFAULT_BREAK_DURATION, type ParsedBreakerConfig } from './config.js';
import { CLOSED, transition, type CircuitState, type Machine, type Signal } from './machine.js';
import { fromSnapshot, toSnapshot, type CircuitBreakerSnapshot } from './snapshot.js';
import type { Strategy } from './strategy.js';

/** Admission results. */
const REJECTED = 0;
const ADMITTED = 1;
const TRIAL = 2;

export class BreakerCore {
  readonly name: string;
  private readonly scheduler: SchedulerLike;
  private readonly strategy: Strategy;
  /** True when every call needs its start time: slow-call tracking or latency. */
  private readonly startTimed: boolean;
  /** True when every call needs its end time: those, or a time window. */
  private readonly endTimed: boolean;
  /** With `latency: true`: durations of the calls that succeeded or failed, late ones included. */
  private readonly latency: LatencyWindow | undefined;
  private machine: Machine = CLOSED;
  /** Bumped on every transition; a call from an earlier epoch is late. */
  private epoch = 0;
  private trialsActive = 0;
  private trialSuccesses = 0;
  private previousBreak: number | undefined = undefined;
  private timer: Subscription | undefined = undefined;
  private readonly cell: StateCell<CircuitState>;
  /** Every emission waits until the change that made it is complete (see `Outbox`). */
  private readonly outbox = new Outbox();
  /** Created on first subscription to `events$`: an idle breaker stays small. */
  private eventBus: EventBus<CircuitBreakerEvent> | undefined = undefined;
  private readonly metrics = new SnapshotStream<CircuitBreakerStats>(() => this.stats(), this.outbox);
  private rejected = 0;
  private successes = 0;
  private failures = 0;
  private ignored = 0;
  private cancelled = 0;
  private lastFailureAt: number | null = null;
  /** What a `breakDuration` function threw while the current call was being judged. */
  private thrown: { error: unknown } | undefined = undefined;
  /** The window's rates when the breaker last tripped (closed → open), kept after the window is cleared. */
  private lastTrip: CircuitBreakerStats['lastTrip'] = null;

  constructor(readonly config: ParsedBreakerConfig) {
    this.name = config.name;
    this.scheduler = resolveScheduler(config.scheduler);
    this.strategy = config.makeStrategy();
    this.latency = config.makeLatency?.();
    this.startTimed = config.slowCallDuration !== undefined || this.latency !== undefined;
    this.endTimed = this.startTimed || config.timeWindow;
    if (config.initialState !== undefined) this.restore(config.initialState);
    this.cell = new StateCell<CircuitState>(this.machine.kind, Object.is, this.outbox);
    if (this.machine.kind === 'open') this.armHalfOpen(this.machine.until - this.scheduler.now());
  }

  /**
   * Takes the state the snapshot implies now: a break that has already ended is over (half-open,
   * window cleared, as the original's action at `until` would have left it).
   */
  private restore(saved: unknown): void {
    const { machine, trialSuccesses, lastTrip } = fromSnapshot(checker(this.name), saved, this.strategy);
    this.lastTrip = lastTrip;
    this.machine = machine;
    this.trialSuccesses = trialSuccesses;
    if (machine.kind !== 'open') return;
    if (typeof this.config.breakDuration === 'function') this.previousBreak = machine.until - machine.openedAt;
    const now = this.scheduler.now();
    if (now >= machine.until) {
      this.machine = transition(machine, 'elapsed', now, () => 0);
      this.strategy.clear();
    }
  }

  get state$(): Observable<CircuitState> {
    return this.cell.changes$;
  }

  get events$(): Observable<CircuitBreakerEvent> {
    return (this.eventBus ??= new EventBus(this.outbox)).events$;
  }

  /** The event bus when someone listens, else undefined: build no payload for nobody. */
  private get bus(): EventBus<CircuitBreakerEvent> | undefined {
    const bus = this.eventBus;
    return bus !== undefined && bus.observed ? bus : undefined;
  }

  get metrics$(): Observable<CircuitBreakerStats> {
    return this.metrics.snapshots$;
  }

  apply<T>(source: Observable<T>): Observable<T> {
    return new Guarded(this, source);
  }

  /** One subscription to a guarded source: a call, or a rejection. */
  admit<T>(subscriber: Subscriber<T>, source: Observable<T>): void {
    // A closed breaker that needs no start time and has no listener admits a call without
    // reading the clock, and with nothing to hold back (its admission emits nothing).
    if (this.machine.kind === 'closed' && !this.startTimed && this.bus === undefined) {
      new BreakerCall(subscriber, this, Number.NaN, this.epoch, false).run(source);
      return;
    }
    const now = this.scheduler.now();
    const outbox = this.outbox;
    outbox.hold();
    let admission: number;
    let rejection: CircuitOpenError | undefined;
    try {
      admission = this.admission(now);
      if (admission === REJECTED) rejection = this.reject(now);
    } finally {
      outbox.release();
    }
    // The rejection reaches the caller after its emissions: a listener has seen complete state.
    if (rejection !== undefined) return subscriber.error(rejection);
    new BreakerCall(subscriber, this, now, this.epoch, admission === TRIAL).run(source);
  }

  private admission(now: number): number {
    let m = this.machine;
    if (m.kind === 'open' && now >= m.until) {
      this.signal('elapsed', now);
      m = this.machine;
    }
    switch (m.kind) {
      case 'closed':
      case 'disabled':
        return ADMITTED;
      case 'half-open':
        if (this.trialsActive >= this.config.halfOpenMaxCalls) return REJECTED;
        this.trialsActive++;
        return TRIAL;
      default:
        return REJECTED;
    }
  }

  private reject(now: number): CircuitOpenError {
    const m = this.machine;
    const state = m.kind === 'open' ? 'open' : m.kind === 'isolated' ? 'isolated' : 'half-open';
    const retryAfter = m.kind === 'open' ? m.until - now : undefined;
    this.rejected++;
    this.bus?.emit({ type: 'rejected', policy: this.name, at: now, state, retryAfter });
    this.publishMetrics();
    return new CircuitOpenError(this.name, state, retryAfter);
  }

  /** Records the end of a call admitted at `startedAt` in `epoch`. */
  finish(outcome: Outcome, error: unknown, startedAt: number, epoch: number, trial: boolean): void {
    // A call admitted without reading the clock (see `admit`) that succeeded, with nobody
    // listening: counted, and recorded at the time only a time window needs.
    if (startedAt !== startedAt && outcome === 'success' && this.bus === undefined && !this.metrics.observed) {
      this.successes++;
      if (epoch !== this.epoch) return;
      const now = this.endTimed ? this.scheduler.now() : Number.NaN;
      if (this.strategy.record(now, false, false) && this.machine.kind === 'closed') {
        this.control('trip', now);
        this.rethrow();
      }
      return;
    }
    const now = startedAt === startedAt || outcome !== 'success' || this.endTimed || this.bus !== undefined || this.metrics.observed ? this.scheduler.now() : Number.NaN;
    const duration = now - startedAt;
    const slowLimit = this.config.slowCallDuration;
    const slow = slowLimit !== undefined && duration >= slowLimit;
    const late = epoch !== this.epoch;
    const outbox = this.outbox;
    outbox.hold();
    try {
      this.count(outcome, now);
      if (this.latency !== undefined && (outcome === 'success' || outcome === 'failure')) this.latency.record(duration, now);
      this.bus?.emit(outcomeEvent(outcome, this.name, now, duration, late, slow, error));
      if (!late) this.judge(outcome, slow, trial, now);
      this.publishMetrics();
    } finally {
      outbox.release();
    }
    this.rethrow();
  }

  /** The breaker has opened (for the default break); the call that tripped it carries the error. */
  private rethrow(): void {
    const thrown = this.thrown;
    if (thrown !== undefined) {
      this.thrown = undefined;
      throw thrown.error;
    }
  }

  private count(outcome: Outcome, now: number): void {
    switch (outcome) {
      case 'success':
        this.successes++;
        break;
      case 'failure':
        this.failures++;
        this.lastFailureAt = now;
        break;
      case 'ignored':
        this.ignored++;
        break;
      case 'cancelled':
        this.cancelled++;
    }
  }

  /** Moves the state machine for an outcome of the current epoch. */
  private judge(outcome: Outcome, slow: boolean, trial: boolean, now: number): void {
    if (outcome === 'ignored' || outcome === 'cancelled') {
      if (trial) this.trialsActive--;
      return;
    }
    const failure = outcome === 'failure';
    if (trial) {
      this.trialsActive--;
      if (failure || slow) this.signal('trial-failed', now);
      else if (++this.trialSuccesses >= this.config.successThreshold) this.signal('trials-passed', now);
      return;
    }
    // Closed or disabled (open and isolated admit no call of their own epoch).
    if (this.strategy.record(now, failure, slow) && this.machine.kind === 'closed') this.signal('trip', now);
  }

  private signal(signal: Signal, at: number): void {
    // A call admitted without reading the clock (see `admit`) can still decide a transition
    // (a success that completes a count window's minimumCalls): read the clock for it here.
    const now = at === at ? at : this.scheduler.now();
    const from = this.machine;
    const to = transition(from, signal, now, (opens) => this.breakFor(opens));
    if (signal === 'reset') {
      this.strategy.clear();
      this.previousBreak = undefined;
    }
    if (to === from) return;
    if (signal === 'trip') {
      const { calls, failures, slowCalls } = this.strategy.counts(now);
      this.lastTrip = { at: now, failureRate: calls === 0 ? 0 : failures / calls, slowCallRate: calls === 0 ? 0 : slowCalls / calls };
    }
    this.machine = to;
    this.epoch++;
    this.trialsActive = 0;
    this.trialSuccesses = 0;
    this.strategy.clear();
    this.timer?.unsubscribe();
    this.timer = undefined;
    if (to.kind === 'open') this.armHalfOpen(to.until - now);
    else if (to.kind === 'closed') this.previousBreak = undefined;
    this.bus?.emit({ type: 'transition', policy: this.name, at: now, from: from.kind, to: to.kind });
    this.cell.set(to.kind);
  }

  private breakFor(opens: number): number {
    const duration = this.config.breakDuration;
    if (typeof duration === 'number') return duration;
    let ms: unknown;
    try {
      ms = duration(opens, this.previousBreak);
    } catch (error) {
      this.thrown = { error };
    }
    const result = typeof ms === 'number' && Number.isFinite(ms) && ms >= 0 ? Math.min(ms, MAX_DURATION) : DEFAULT_BREAK_DURATION;
    this.previousBreak = result;
    return result;
  }

  /** One action on the scheduler at the end of the break, so `state$` shows half-open without traffic. */
  private armHalfOpen(delay: number): void {
    this.timer = scheduleOnce(this.scheduler, delay, () => {
      this.timer = undefined;
      const m = this.machine;
      if (m.kind !== 'open') return;
      const now = this.scheduler.now();
      // A real clock may wake a millisecond early: wait for the rest.
      if (now < m.until) this.armHalfOpen(m.until - now);
      else this.control('elapsed');
    });
  }

  private control(signal: Signal, now = this.scheduler.now()): void {
    const outbox = this.outbox;
    outbox.hold();
    try {
      this.signal(signal, now);
      this.publishMetrics();
    } finally {
      outbox.release();
    }
  }

  isolate(): void {
    this.control('isolate');
  }

  trip(): void {
    this.control('trip');
  }

  reset(): void {
    this.control('reset');
  }

  /** Open: ends the break now (half-open, the trial calls decide). Any other state: nothing. */
  endBreak(): void {
    if (this.machine.kind === 'open') this.control('elapsed');
  }

  disable(): void {
    this.control('disable');
  }

  exportState(): CircuitBreakerSnapshot {
    return toSnapshot(this.machine, this.strategy, this.trialSuccesses, this.lastTrip);
  }

  stats(): CircuitBreakerStats {
    const now = this.scheduler.now();
    const { calls, failures, slowCalls } = this.strategy.counts(now);
    const m = this.machine;
    const stats: CircuitBreakerStats = {
      name: this.name,
      state: m.kind,
      failureRate: calls === 0 ? 0 : failures / calls,
      slowCallRate: calls === 0 ? 0 : slowCalls / calls,
      calls,
      failures,
      successes: calls - failures,
      slowCalls,
      rejected: this.rejected,
      totals: { successes: this.successes, failures: this.failures, ignored: this.ignored, cancelled: this.cancelled },
      lastFailureAt: this.lastFailureAt,
      nextAttemptAt: m.kind === 'open' ? m.until : null,
      halfOpen: { active: this.trialsActive, successes: this.trialSuccesses },
      lastTrip: this.lastTrip,
      at: now,
    };
    return withLatency(stats, this.latency, now);
  }

  private publishMetrics(): void {
    this.metrics.publish();
  }
}

class BreakerCall<T> extends CallSubscriber<T> {
  constructor(
    destination: Subscriber<T>,
    private readonly core: BreakerCore,
    private readonly startedAt: number,
    private readonly epoch: number,
    private readonly trial: boolean,
  ) {
    super(destination, core.config);
  }

  protected settle(outcome: Outcome, error: unknown): void {
    this.core.finish(outcome, error, this.startedAt, this.epoch, this.trial);
  }
}

function outcomeEvent(outcome: Outcome, policy: string, at: number, duration: number, late: boolean, slow: boolean, error: unknown): CircuitBreakerEvent {
  switch (outcome) {
    case 'success':
      return { type: 'success', policy, at, duration, late, slow };
    case 'failure':
      return { type: 'failure', policy, at, duration, late, slow, error };
    case 'ignored':
      return { type: 'ignored', policy, at, duration, late, error };
    case 'cancelled':
      return { type: 'cancelled', policy, at, duration, late };
  }
}
