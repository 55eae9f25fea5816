/**
 * @internal The slot-and-queue mechanism behind `bulkhead()` and `adaptiveConcurrency()`.
 *
 * A call (one subscription) takes a slot when its upstream is subscribed and gives it back exactly
 * once when it errors, completes or is unsubscribed (a `CallSubscriber` settles it). When every
 * slot is busy it waits in a `WaitQueue` (priority, then FIFO), with an optional timeout through
 * the scheduler; when the queue is full it is rejected at subscribe time. A released slot goes to
 * the next waiter synchronously, in the same turn (for a cancelled call, right after its upstream
 * is torn down, so upstream never sees more than `limit` subscriptions at once). The limit is a field, so an adaptive policy
 * moves it (`setLimit`) and overrides `sample` to hear how each call went.
 *
 * State changes are published once per operation, after every waiter that can start has started,
 * so `state$` never shows a free slot next to a waiting call.
 */
import type { Observable, SchedulerLike, Subscriber, Subscription } from 'rxjs';
import { BulkheadFullError, QueueTimeoutError } from '../errors.js';
import { CallSubscriber, Guarded, type CallJudge, type Gate, type Outcome } from '../internal/call.js';
import { EventBus, Outbox, WatchedCell } from '../internal/cell.js';
import { scheduleOnce } from '../internal/clock.js';
import { withLatency, type LatencySummary, type LatencyWindow } from '../internal/histogram.js';
import { checker } from '../internal/validate.js';
import { checkPriority } from './config.js';
import type { BulkheadEvent, BulkheadState, ConcurrencyLimitEvent } from './types.js';
import { WaitQueue, type QueueNode } from './waitQueue.js';
import type { LinkedList } from '../internal/linkedList.js';

export type { BulkheadEvent, BulkheadState, ConcurrencyLimitEvent } from './types.js';

export interface PoolConfig {
  readonly name: string;
  readonly scheduler: SchedulerLike;
  readonly limit: number;
  readonly maxQueued: number;
  readonly queueTimeout: number | undefined;
  readonly judge: CallJudge;
  /** Durations of the calls that held a slot and succeeded or failed, when asked for. */
  readonly latency?: LatencyWindow | undefined;
}

export class SlotPool {
  readonly name: string;
  readonly judge: CallJudge;
  protected readonly scheduler: SchedulerLike;
  protected limit: number;
  private readonly maxQueued: number;
  private readonly queueTimeout: number | undefined;
  private active = 0;
  private readonly queue = new WaitQueue<Waiter>();
  private admitted = 0;
  private rejected = 0;
  private timedOut = 0;
  private cancelled = 0;
  private draining = false;
  /** While > 0, a released slot is not handed over yet (a cancelled call is still tearing down upstream). */
  private holds = 0;
  /** With no subscriber to `state$`, nothing is published (`state$` catches up on subscribe). */
  private readonly cell: WatchedCell<BulkheadState>;
  /** Every emission waits until the operation that made it is complete (see `Outbox`). */
  protected readonly outbox = new Outbox();
  protected readonly bus = new EventBus<BulkheadEvent | ConcurrencyLimitEvent>(this.outbox);
  /** True when `sample` must hear every finished call. */
  protected sampling = false;
  private readonly latency: LatencyWindow | undefined;

  constructor(config: PoolConfig) {
    this.name = config.name;
    this.judge = config.judge;
    this.scheduler = config.scheduler;
    this.limit = config.limit;
    this.maxQueued = config.maxQueued;
    this.queueTimeout = config.queueTimeout;
    this.latency = config.latency;
    this.cell = new WatchedCell(() => this.snapshot(), this.outbox);
  }

  get state$(): Observable<BulkheadState> {
    return this.cell.changes$;
  }

  get events$(): Observable<BulkheadEvent | ConcurrencyLimitEvent> {
    return this.bus.events$;
  }

  stats(): BulkheadState & { readonly latency?: LatencySummary } {
    const state = this.snapshot();
    return withLatency(state, this.latency, this.scheduler.now());
  }

  apply<T>(source: Observable<T>): Observable<T> {
    return new Guarded(this, source);
  }

  /** One subscription to a guarded source: a slot, a place in the queue, or a rejection. */
  admit<T>(subscriber: Subscriber<T>, source: Observable<T>, priority = 0): void {
    const outbox = this.outbox;
    let refusal: BulkheadFullError | undefined;
    outbox.hold();
    try {
      // The clock is read only when someone needs the time: an adaptive limit, latency or an events$ subscriber.
      if (this.active < this.limit && this.queue.size === 0) this.start(subscriber, source, priority, 0, this.sampling || this.latency !== undefined || this.bus.observed ? this.scheduler.now() : undefined);
      else if (this.queue.size < this.maxQueued) this.enqueue(subscriber, source, priority);
      else refusal = this.reject(priority);
    } finally {
      outbox.release();
    }
    // The caller hears of its rejection after the listeners heard of it.
    if (refusal !== undefined) subscriber.error(refusal);
  }

  /** An operator on this pool whose calls wait with `priority` (higher first, FIFO within one). */
  withPriority(priority: number): <T>(source: Observable<T>) => Observable<T> {
    const p = checkPriority(checker(this.name), priority);
    const gate: Gate = { admit: (subscriber, source) => this.admit(subscriber, source, p) };
    return <T>(source: Observable<T>) => new Guarded(gate, source);
  }

  /** Called when a running call ends, before waiters start: how it went, how long it ran, how many ran with it. */
  protected sample(_outcome: Outcome, _rtt: number, _inflight: number, _now: number): void {}

  /** Moves the limit; a higher one starts waiters at once, a lower one admits nothing until calls end. */
  protected setLimit(limit: number): void {
    this.outbox.run(() => {
      this.limit = limit;
      this.drain();
    });
  }

  private start<T>(subscriber: Subscriber<T>, source: Observable<T>, priority: number, waited: number, now: number | undefined): void {
    const inflight = ++this.active;
    this.admitted++;
    if (this.bus.observed) this.bus.emit({ type: 'admitted', policy: this.name, at: now ?? this.scheduler.now(), priority, waited });
    this.publish();
    new SlotCall(subscriber, this, now, inflight).run(source);
  }

  private enqueue<T>(subscriber: Subscriber<T>, source: Observable<T>, priority: number): void {
    const now = this.scheduler.now();
    const waiter = new Waiter(this, subscriber as Subscriber<unknown>, source, priority, now);
    this.queue.push(waiter);
    const timeout = this.queueTimeout;
    if (timeout !== undefined) waiter.timer = scheduleOnce(this.scheduler, timeout, () => this.expire(waiter));
    subscriber.add(waiter);
    if (this.bus.observed) this.bus.emit({ type: 'queued', policy: this.name, at: now, priority, queued: this.queue.size });
    this.publish();
  }

  private reject(priority: number): BulkheadFullError {
    this.rejected++;
    if (this.bus.observed) this.bus.emit({ type: 'rejected', policy: this.name, at: this.scheduler.now(), priority });
    this.publish();
    return new BulkheadFullError(this.name, this.limit, this.maxQueued);
  }

  /** A running call ended (exactly once per call). */
  release(outcome: Outcome, startedAt: number | undefined, inflight: number): void {
    this.outbox.hold();
    try {
      this.settled(outcome, startedAt, inflight);
    } finally {
      this.outbox.release();
    }
  }

  private settled(outcome: Outcome, startedAt: number | undefined, inflight: number): void {
    this.active--;
    if (outcome === 'cancelled') this.cancelled++;
    const observed = this.bus.observed;
    if (observed || this.sampling || this.latency !== undefined) {
      const now = this.scheduler.now();
      const duration = startedAt === undefined ? undefined : now - startedAt;
      if (observed) this.bus.emit({ type: 'released', policy: this.name, at: now, outcome, duration });
      if (duration !== undefined && this.latency !== undefined && (outcome === 'success' || outcome === 'failure')) this.latency.record(duration, now);
      // A limit callback that throws fails this call (see `CallSubscriber`); waiters still start.
      if (this.sampling && duration !== undefined) {
        try {
          this.sample(outcome, duration, inflight, now);
        } finally {
          this.drain();
        }
        return;
      }
    }
    this.drain();
  }

  /** A waiter was unsubscribed: it leaves the queue (no-op once it started or timed out). */
  leave(waiter: Waiter): void {
    if (!this.queue.remove(waiter)) return;
    this.outbox.run(() => this.left(waiter));
  }

  private left(waiter: Waiter): void {
    waiter.timer?.unsubscribe();
    waiter.timer = undefined;
    this.cancelled++;
    if (this.bus.observed) {
      const now = this.scheduler.now();
      this.bus.emit({ type: 'cancelled', policy: this.name, at: now, priority: waiter.priority, waited: now - waiter.enqueuedAt });
    }
    this.publish();
  }

  private expire(waiter: Waiter): void {
    waiter.timer = undefined;
    if (!this.queue.remove(waiter)) return;
    this.outbox.run(() => {
      this.timedOut++;
      if (this.bus.observed) {
        const now = this.scheduler.now();
        this.bus.emit({ type: 'timed-out', policy: this.name, at: now, priority: waiter.priority, waited: now - waiter.enqueuedAt });
      }
      this.publish();
    });
    waiter.subscriber.error(new QueueTimeoutError(this.name, this.queueTimeout as number));
  }

  /** Defers handing over slots until `resume()`. */
  hold(): void {
    this.holds++;
  }

  resume(): void {
    if (--this.holds > 0) return;
    const outbox = this.outbox;
    outbox.hold();
    try {
      this.drain();
    } finally {
      outbox.release();
    }
  }

  /** Starts waiters while slots are free; a call that ends synchronously inside it just frees its slot for the loop. */
  private drain(): void {
    if (this.draining || this.holds > 0) return;
    if (this.active < this.limit && this.queue.size > 0) {
      this.draining = true;
      try {
        const now = this.scheduler.now();
        let waiter: Waiter | undefined;
        while (this.active < this.limit && (waiter = this.queue.shift()) !== undefined) {
          waiter.timer?.unsubscribe();
          waiter.timer = undefined;
          this.start(waiter.subscriber, waiter.source, waiter.priority, now - waiter.enqueuedAt, now);
        }
      } finally {
        this.draining = false;
      }
    }
    this.publish();
  }

  private publish(): void {
    if (!this.draining && this.holds === 0) this.cell.refresh();
  }

  private snapshot(): BulkheadState {
    return {
      active: this.active,
      queued: this.queue.size,
      limit: this.limit,
      maxQueued: this.maxQueued,
      admitted: this.admitted,
      rejected: this.rejected,
      timedOut: this.timedOut,
      cancelled: this.cancelled,
    };
  }
}

/** A call waiting for a slot; as a teardown of its subscriber, unsubscribing makes it leave. */
class Waiter implements QueueNode {
  older: QueueNode | undefined = undefined;
  newer: QueueNode | undefined = undefined;
  list: LinkedList<QueueNode> | undefined = undefined;
  timer: Subscription | undefined = undefined;

  constructor(
    private readonly pool: SlotPool,
    readonly subscriber: Subscriber<unknown>,
    readonly source: Observable<unknown>,
    readonly priority: number,
    readonly enqueuedAt: number,
  ) {}

  unsubscribe(): void {
    this.pool.leave(this);
  }
}

/** One running call: holds its slot until it settles. */
class SlotCall<T> extends CallSubscriber<T> {
  constructor(
    destination: Subscriber<T>,
    private readonly pool: SlotPool,
    private readonly startedAt: number | undefined,
    private readonly inflight: number,
  ) {
    super(destination, pool.judge as CallJudge<T>);
  }

  protected settle(outcome: Outcome): void {
    this.pool.release(outcome, this.startedAt, this.inflight);
  }

  /** On cancellation the slot is released before upstream is torn down: hand it over only after. */
  override unsubscribe(): void {
    if (this.closed) return super.unsubscribe();
    const pool = this.pool;
    pool.hold();
    try {
      super.unsubscribe();
    } finally {
      pool.resume();
    }
  }
}
