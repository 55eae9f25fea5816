/**
 * Time limit.
 *
 * State scope: the policy (factory-call scope) owns one deadline queue and at most one action on
 * the scheduler, shared by every call piped through it; each subscription (one call) holds its
 * start time, the time of its last value and its places in the queue.
 *
 * Design: RxJS `timeout` schedules a timer per call, and another per value with `each`; almost
 * none of them ever fire. Here calls wait in three FIFO lists, one per limit (`duration`, `first`,
 * `each`). Within one list every deadline is `now + the same limit`, so appending keeps it sorted
 * and the head is the earliest: enqueue, dequeue and "a value arrived, move to the tail" are O(1)
 * pointer updates. One scheduler action (an `Alarm`) is armed for the earliest head. When it runs, it times out
 * every call whose deadline has come and re-arms for the next head. A call that ends early is
 * only unlinked: the action is never cancelled for it, it is cancelled lazily. When it wakes and
 * finds no deadline left it simply does not re-arm, so once the calls have ended the action ends
 * by itself, no later than the last deadline any of them had. Nothing is scheduled per call: N
 * concurrent calls cost one action instead of N, N sequential calls cost about one action per
 * limit's length of time (not one each), a stream with `each` costs no timer per value, and a
 * call that completes during its synchronous subscribe costs no timer at all.
 */
import { Observable, Subscriber, type SchedulerLike } from 'rxjs';
import { TimeLimitError } from '../errors.js';
import { EventBus } from '../internal/cell.js';
import { Alarm } from '../internal/alarm.js';
import { resolveScheduler } from '../internal/clock.js';
import { type LatencySummary, type LatencyWindow, recordSince, withLatency } from '../internal/histogram.js';
import { LinkedList, type Linked } from '../internal/linkedList.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { parseTimeLimitConfig } from './config.js';

export interface TimeLimitConfig {
  readonly name?: string;
  /** The whole call must end within this many ms of subscribing. */
  readonly duration?: number;
  /** The first value must arrive within this many ms of subscribing. */
  readonly first?: number;
  /** At most this many ms between values (and before the first, unless `first` is given). */
  readonly each?: number;
  readonly scheduler?: SchedulerLike;
  /** Keep a histogram of call durations (timed-out calls included), reported as `stats().latency`. Default false. */
  readonly latency?: boolean;
  /** With `latency: true`: the rolling window of the histogram, in ms. Default 60 000. */
  readonly latencyWindow?: number;
}

/** What `stats()` returns. */
export interface TimeLimitStats {
  readonly name: string;
  /**
   * With `latency: true`: durations (ms, subscribe to end) of the calls that completed, errored
   * or timed out in the last `latencyWindow` ms; cancelled calls are left out. Absent otherwise.
   */
  readonly latency?: LatencySummary;
}

/** Which limit ran out. */
export type TimeLimitKind = 'duration' | 'first' | 'each';

export interface TimeLimitEvent {
  readonly type: 'timeout';
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
  readonly limit: TimeLimitKind;
  /** The limit, in ms. */
  readonly after: number;
  /** Time since the call was subscribed, in ms. */
  readonly elapsed: number;
}

/** A time limit: an operator, with its timeouts as events. */
export interface TimeLimit {
  <T>(source: Observable<T>): Observable<T>;
  readonly name: string;
  /** Hot: one event per call timed out, before its error is delivered. */
  readonly events$: Observable<TimeLimitEvent>;
  stats(): TimeLimitStats;
}

/**
 * Errors with `TimeLimitError` when the call does not complete within `duration`, produce its
 * first value within `first`, or a next value within `each` ms (any combination, at least one).
 * On expiry the source is unsubscribed, which cancels its work, then the error is delivered.
 *
 * ```text
 * source:                            ------a------|
 * timeLimit({ duration: 8 }):        ------a-#         (source unsubscribed at frame 8)
 * ```
 *
 * ```ts
 * import { fromAbortable, timeLimit } from 'rx-resilience';
 * fromAbortable((signal) => fetch(url, { signal })).pipe(timeLimit({ duration: 2_000 })).subscribe({
 *   error: (e) => console.log(e.code, e.limit, e.after), // TIME_LIMIT duration 2000
 * });
 * ```
 * @throws ConfigError when the config is invalid or gives no limit.
 */
export function timeLimit(config: TimeLimitConfig): TimeLimit {
  const c = parseTimeLimitConfig(config);
  return definePolicy<TimeLimit>(new LimitCore(c.name, c.duration, c.first, c.each, resolveScheduler(c.scheduler), c.makeLatency?.()), PROTO, { duration: c.duration, first: c.first, each: c.each });
}

const PROTO = policyPrototype({ kind: 'time-limit', streams: ['events$'], controls: ['stats'] });

/** A call's place in one deadline list: the call itself for `duration`, a small slot for `first`/`each`. */
interface Node extends Linked<Node> {
  at: number;
  list: LinkedList<Node> | undefined;
  older: Node | undefined;
  newer: Node | undefined;
  kind: TimeLimitKind;
  readonly call: LimitCall<unknown>;
}

class GapSlot implements Node {
  at = 0;
  list: LinkedList<Node> | undefined = undefined;
  older: Node | undefined = undefined;
  newer: Node | undefined = undefined;

  constructor(
    readonly call: LimitCall<unknown>,
    public kind: TimeLimitKind,
  ) {}
}

class LimitCore {
  readonly bus = new EventBus<TimeLimitEvent>();
  /** One FIFO per kind: deadlines only ever grow from head to tail. */
  readonly durations = new LinkedList<Node>();
  readonly firsts = new LinkedList<Node>();
  readonly gaps = new LinkedList<Node>();
  private readonly alarm: Alarm;

  constructor(
    readonly name: string,
    readonly duration: number | undefined,
    readonly first: number | undefined,
    readonly each: number | undefined,
    readonly scheduler: SchedulerLike,
    private readonly latency: LatencyWindow | undefined,
  ) {
    this.alarm = new Alarm(scheduler, () => this.earliest()?.at, () => this.expireDue());
  }

  get events$(): Observable<TimeLimitEvent> {
    return this.bus.events$;
  }

  stats(): TimeLimitStats {
    return withLatency({ name: this.name }, this.latency, this.scheduler.now());
  }

  /** A call that started at `startedAt` completed, errored or timed out. */
  ended(startedAt: number): void {
    recordSince(this.latency, this.scheduler, startedAt);
  }

  apply<T>(source: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const call = new LimitCall(subscriber, this);
      subscriber.add(call);
      call.start(source);
    });
  }

  /** Puts `node` at the tail of `list` with deadline `at` (leaving any list it was in); `now` is the current time. */
  place(node: Node, list: LinkedList<Node>, at: number, now: number): void {
    node.at = at;
    list.push(node);
    this.alarm.request(at, now);
  }

  /** Takes `node` out of its list. The action is left armed: it ends by itself when it finds nothing due. */
  leave(node: Node): void {
    node.list!.remove(node);
  }

  /** Times out every call whose deadline has come. */
  private expireDue(): void {
    for (let due = this.earliest(); due !== undefined && due.at <= this.scheduler.now(); due = this.earliest()) {
      due.call.expire(due.kind, this.limitOf(due.kind));
    }
  }

  /** The head with the earliest deadline; on a tie `duration`, then `first`, then `each`. */
  private earliest(): Node | undefined {
    let best = this.durations.head;
    const first = this.firsts.head;
    if (first !== undefined && (best === undefined || first.at < best.at)) best = first;
    const gap = this.gaps.head;
    if (gap !== undefined && (best === undefined || gap.at < best.at)) best = gap;
    return best;
  }

  private limitOf(kind: TimeLimitKind): number {
    return (kind === 'duration' ? this.duration : kind === 'first' ? this.first : this.each)!;
  }
}

/**
 * One call. It is its own node in the `duration` list. It forwards to the downstream subscriber by
 * hand (it is added to the downstream's teardown rather than chained as its destination), which
 * keeps the path of a call that never times out short.
 */
class LimitCall<T> extends Subscriber<T> implements Node {
  at = 0;
  list: LinkedList<Node> | undefined = undefined;
  older: Node | undefined = undefined;
  newer: Node | undefined = undefined;
  kind: TimeLimitKind = 'duration';
  readonly call: LimitCall<unknown> = this;
  private readonly startedAt: number;
  /** Set once the synchronous part of the subscribe is over and the call still runs. */
  private queued = false;
  private seen = false;
  private lastAt = 0;
  private gap: GapSlot | undefined = undefined;

  constructor(
    private readonly downstream: Subscriber<T>,
    private readonly core: LimitCore,
  ) {
    super();
    this.startedAt = core.scheduler.now();
  }

  start(source: Observable<T>): void {
    source.subscribe(this);
    if (this.closed) return;
    this.queued = true;
    const core = this.core;
    const now = core.scheduler.now();
    if (core.duration !== undefined) core.place(this, core.durations, this.startedAt + core.duration, now);
    if (this.seen) {
      if (core.each) core.place((this.gap = new GapSlot(this, 'each')), core.gaps, this.lastAt + core.each, now);
    } else if (core.first !== undefined) {
      core.place((this.gap = new GapSlot(this, 'first')), core.firsts, this.startedAt + core.first, now);
    } else if (core.each !== undefined) {
      core.place((this.gap = new GapSlot(this, 'each')), core.gaps, this.startedAt + core.each, now);
    }
  }

  protected override _next(value: T): void {
    const core = this.core;
    if (this.queued) {
      const now = core.scheduler.now();
      if (this.overdue(now)) return;
      if (core.each) {
        this.lastAt = now;
        const gap = (this.gap ??= new GapSlot(this, 'each'));
        gap.kind = 'each';
        core.place(gap, core.gaps, now + core.each, now);
      } else if (!this.seen && this.gap?.list !== undefined) {
        core.leave(this.gap);
      }
    } else if (core.each) {
      this.lastAt = core.scheduler.now();
    }
    this.seen = true;
    this.downstream.next(value);
  }

  /** The source's error goes downstream first, then the source is torn down (as RxJS operators do). */
  protected override _error(error: unknown): void {
    if (this.queued && this.overdue(this.core.scheduler.now())) return;
    this.release();
    this.core.ended(this.startedAt);
    try {
      this.downstream.error(error);
    } finally {
      this.unsubscribe();
    }
  }

  protected override _complete(): void {
    if (this.queued && this.overdue(this.core.scheduler.now())) return;
    this.release();
    this.core.ended(this.startedAt);
    try {
      this.downstream.complete();
    } finally {
      this.unsubscribe();
    }
  }

  override unsubscribe(): void {
    if (!this.closed) this.release();
    super.unsubscribe();
  }

  /** The deadline `kind` has come: unsubscribe the source, report, then error downstream. */
  expire(kind: TimeLimitKind, after: number): void {
    const core = this.core;
    this.unsubscribe();
    core.ended(this.startedAt);
    const now = core.scheduler.now();
    if (core.bus.observed) core.bus.emit({ type: 'timeout', policy: core.name, at: now, limit: kind, after, elapsed: now - this.startedAt });
    this.downstream.error(new TimeLimitError(core.name, kind, after));
  }

  /**
   * A deadline is met by a notification that arrives at or before it. One that arrives after a
   * deadline the scheduler has not fired yet (a late real clock) times the call out instead.
   */
  private overdue(now: number): boolean {
    const gap = this.gap;
    const gapDue = gap !== undefined && gap.list !== undefined && gap.at < now;
    if (this.list !== undefined && this.at < now && (!gapDue || this.at <= gap.at)) {
      this.expire('duration', this.core.duration!);
      return true;
    }
    if (!gapDue) return false;
    this.expire(gap.kind, gap.kind === 'first' ? this.core.first! : this.core.each!);
    return true;
  }

  /** Leaves every deadline list. */
  private release(): void {
    if (this.list !== undefined) this.core.leave(this);
    if (this.gap?.list !== undefined) this.core.leave(this.gap);
  }
}
