/**
 * @internal The machinery every store-backed limiter shares: modes, keys, wait queues, counts and
 * streams. The algorithm lives in the store; a limiter is this core plus its parameters.
 *
 * Reject mode asks the store once per call. Wait mode keeps one FIFO lane per key with waiters:
 * a call that finds its key's lane empty asks the store at once (admitted, rejected when the wait
 * would pass `maxWait`, or queued); a call that finds waiters queues behind them and asks only for
 * an estimate (`queued` = waiters ahead), which never takes. The head is woken when the store says
 * it would be admitted and takes then: a waiter that leaves before its turn has taken nothing.
 */
import type { Observable, SchedulerLike, Subscriber, TeardownLogic } from 'rxjs';
import { Guarded, type Gate } from '../internal/call.js';
import { ConfigError, RateLimitedError } from '../errors.js';
import { EventBus, Outbox, WatchedCell } from '../internal/cell.js';
import { scheduleOnce } from '../internal/clock.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { isPending, scopedKey, slack, type RateParams, type RateStore, type TakeResult } from './store.js';
import { Lane, Waiter } from './lane.js';
import type { LimiterMode, RateLimiter, RateLimiterEvent, RateLimiterState, RateLimiterStats } from './types.js';

/** The key of the limiter used directly as an operator. */
export const DEFAULT_KEY = '';

export interface LimiterSetup {
  readonly name: string;
  readonly scheduler: SchedulerLike;
  readonly mode: LimiterMode;
  readonly maxWait: number;
  readonly cost: number;
  readonly store: RateStore;
  readonly params: RateParams;
}

const PROTO = policyPrototype({ kind: 'rate-limiter', state: ['state$'], streams: ['events$'], controls: ['stats', 'forKey'] });

/** The policy object of a limiter core: the operator with its streams and controls. */
export function limiterPolicy<P = RateLimiter>(core: LimiterCore, proto: object = PROTO, settings?: object): P {
  return definePolicy<P>(core, proto, settings);
}

type Sweepable = RateStore & { sweep(now: number): number; readonly size: number };

export class LimiterCore {
  readonly name: string;
  protected readonly scheduler: SchedulerLike;
  /** Replaced by the adaptive limiter when its limit moves. */
  protected params: RateParams;
  private readonly mode: LimiterMode;
  private readonly maxWait: number;
  private readonly cost: number;
  private readonly store: RateStore;
  /** The default key as the store sees it: scoped by this limiter's name. */
  private readonly defaultStoreKey: string;
  private readonly lanes = new Map<string, Lane>();
  /** Every emission waits until the operation that made it is complete (see `Outbox`). */
  protected readonly outbox = new Outbox();
  protected readonly bus = new EventBus<RateLimiterEvent>(this.outbox);
  protected readonly cell: WatchedCell<RateLimiterState>;
  private remaining: number;
  private waiting = 0;
  private admitted = 0;
  private rejected = 0;
  private cancelled = 0;

  constructor(setup: LimiterSetup) {
    this.name = setup.name;
    this.scheduler = setup.scheduler;
    this.params = setup.params;
    this.mode = setup.mode;
    this.maxWait = setup.maxWait;
    this.cost = setup.cost;
    this.store = setup.store;
    this.defaultStoreKey = scopedKey(this.name, DEFAULT_KEY);
    this.remaining = this.limit;
    this.cell = new WatchedCell(() => ({ remaining: this.remaining, limit: this.limit, waiting: this.waiting, rejected: this.rejected }), this.outbox);
  }

  get limit(): number {
    return this.params.kind === 'token-bucket' ? this.params.capacity : this.params.limit;
  }

  get state$(): Observable<RateLimiterState> {
    return this.cell.changes$;
  }

  get events$(): Observable<RateLimiterEvent> {
    return this.bus.events$;
  }

  apply<T>(source: Observable<T>): Observable<T> {
    return new Guarded(this, source);
  }

  /** One subscription to a source guarded under the default key. */
  admit<T>(subscriber: Subscriber<T>, source: Observable<T>): TeardownLogic {
    return this.enter(source, subscriber, DEFAULT_KEY, this.defaultStoreKey);
  }

  forKey(key: string): <T>(source: Observable<T>) => Observable<T> {
    if (typeof key !== 'string') throw new ConfigError(this.name, 'key', key, 'a string');
    const storeKey = scopedKey(this.name, key);
    const gate: Gate = { admit: (subscriber, source) => this.enter(source, subscriber, key, storeKey) };
    return <T>(source: Observable<T>) => new Guarded(gate, source);
  }

  stats(): RateLimiterStats {
    const now = this.scheduler.now();
    const store = this.store as Partial<Sweepable>;
    let keys = this.lanes.size;
    if (typeof store.sweep === 'function') {
      store.sweep(now);
      keys = store.size ?? keys;
    }
    const remaining = store.peek === undefined ? this.remaining : store.peek(this.defaultStoreKey, now, this.params);
    return { name: this.name, remaining, limit: this.limit, waiting: this.waiting, rejected: this.rejected, admitted: this.admitted, cancelled: this.cancelled, keys };
  }

  /** Subscribes an admitted call upstream; the adaptive limiter watches its outcome. */
  protected run<T>(source: Observable<T>, subscriber: Subscriber<T>): void {
    source.subscribe(subscriber);
  }

  private enter<T>(source: Observable<T>, subscriber: Subscriber<T>, key: string, storeKey: string): TeardownLogic {
    const outbox = this.outbox;
    outbox.hold();
    try {
      return this.take(source, subscriber, key, storeKey);
    } finally {
      outbox.release();
    }
  }

  private take<T>(source: Observable<T>, subscriber: Subscriber<T>, key: string, storeKey: string): TeardownLogic {
    if (this.mode === 'wait') return this.arrive(source as Observable<unknown>, subscriber as Subscriber<unknown>, key, storeKey);
    const now = this.scheduler.now();
    const result = this.store.take(storeKey, this.cost, now, this.params, 0);
    if (isPending(result)) {
      result.then(
        (r) => {
          if (subscriber.closed) return; // a remote store has no give-back: the tokens are spent
          this.outbox.run(() => {
            if (r.allowed) this.letThrough(source, subscriber, key, this.scheduler.now(), 0, r.remaining);
            else this.refuse(subscriber, key, this.scheduler.now(), r);
          });
        },
        (error: unknown) => subscriber.error(error),
      );
    } else if (result.allowed) {
      this.letThrough(source, subscriber, key, now, 0, result.remaining);
    } else {
      this.refuse(subscriber, key, now, result);
    }
    return undefined;
  }

  private letThrough<T>(source: Observable<T>, subscriber: Subscriber<T>, key: string, now: number, waited: number, remaining: number): void {
    this.admitted++;
    if (key === DEFAULT_KEY) this.remaining = remaining;
    if (this.bus.observed) this.bus.emit({ type: 'admitted', policy: this.name, at: now, key, cost: this.cost, waited });
    this.cell.refresh();
    this.run(source, subscriber);
  }

  private refuse(subscriber: Subscriber<unknown>, key: string, now: number, result: TakeResult): void {
    const retryAfter = result.retryAfter;
    this.rejected++;
    if (key === DEFAULT_KEY) this.remaining = result.remaining;
    if (this.bus.observed) this.bus.emit({ type: 'rejected', policy: this.name, at: now, key, cost: this.cost, retryAfter });
    this.cell.refresh();
    subscriber.error(new RateLimitedError(this.name, retryAfter, key === DEFAULT_KEY ? undefined : key));
  }

  private tooLong(wait: number, now: number): boolean {
    return wait > this.maxWait + slack(now);
  }

  /** Wait mode: a call arrives for `key`. */
  private arrive(source: Observable<unknown>, subscriber: Subscriber<unknown>, key: string, storeKey: string): TeardownLogic {
    const now = this.scheduler.now();
    const existing = this.lanes.get(key);
    if (existing === undefined) {
      const result = this.store.take(storeKey, this.cost, now, this.params, 0);
      if (!isPending(result)) {
        if (result.allowed) return this.letThrough(source, subscriber, key, now, 0, result.remaining);
        if (this.tooLong(result.retryAfter, now)) return this.refuse(subscriber, key, now, result);
      }
      const lane = new Lane(key, storeKey);
      this.lanes.set(key, lane);
      const waiter = this.enqueue(lane, source, subscriber, now);
      if (isPending(result)) this.awaitHead(lane, waiter, result);
      else {
        this.queued(key, now, 0, result.retryAfter);
        this.sleep(lane, result.retryAfter);
      }
      return () => this.leave(lane, waiter);
    }
    const lane = existing;
    const ahead = lane.waiters.size;
    const waiter = this.enqueue(lane, source, subscriber, now);
    // Ahead of nobody only while a remote store answers for a head that left: the pump decides.
    if (ahead === 0) return () => this.leave(lane, waiter);
    const estimate = this.store.take(storeKey, this.cost, now, this.params, ahead);
    if (isPending(estimate)) {
      estimate.then(
        (r) => {
          // `retryAfter` counts from the arrival, when the estimate was asked.
          if (!waiter.done && lane.first() !== waiter && this.tooLong(r.retryAfter, now)) this.outbox.run(() => this.reject(lane, waiter, r));
        },
        () => undefined, // the head's own take decides
      );
    } else if (this.tooLong(estimate.retryAfter, now)) {
      this.reject(lane, waiter, estimate);
      return undefined;
    } else {
      this.queued(key, now, ahead, estimate.retryAfter);
    }
    return () => this.leave(lane, waiter);
  }

  private enqueue(lane: Lane, source: Observable<unknown>, subscriber: Subscriber<unknown>, now: number): Waiter {
    const waiter = new Waiter(source, subscriber, now);
    lane.waiters.add(waiter);
    this.waiting++;
    return waiter;
  }

  private queued(key: string, now: number, ahead: number, retryAfter: number): void {
    if (this.bus.observed) this.bus.emit({ type: 'queued', policy: this.name, at: now, key, cost: this.cost, ahead, retryAfter });
    this.cell.refresh();
  }

  private reject(lane: Lane, waiter: Waiter, result: TakeResult): void {
    lane.remove(waiter);
    this.waiting--;
    this.refuse(waiter.subscriber, lane.key, this.scheduler.now(), result);
  }

  /** Wakes the head when the store says it would be admitted. */
  private sleep(lane: Lane, delay: number): void {
    lane.timer = scheduleOnce(this.scheduler, delay, () => {
      lane.timer = undefined;
      this.outbox.run(() => this.pump(lane));
    });
  }

  /** Lets the head ask the store, while nothing else is pending for the lane. */
  private pump(lane: Lane): void {
    while (!lane.busy && lane.timer === undefined) {
      const head = lane.first();
      if (head === undefined) {
        if (this.lanes.get(lane.key) === lane) this.lanes.delete(lane.key);
        return;
      }
      const now = this.scheduler.now();
      const result = this.store.take(lane.storeKey, this.cost, now, this.params, 0);
      if (isPending(result)) return this.awaitHead(lane, head, result);
      this.decide(lane, head, result, now);
    }
  }

  private awaitHead(lane: Lane, head: Waiter, pending: PromiseLike<TakeResult>): void {
    lane.busy = true;
    pending.then(
      (r) =>
        this.outbox.run(() => {
          lane.busy = false;
          if (!head.done) this.decide(lane, head, r, this.scheduler.now());
          this.pump(lane);
        }),
      (error: unknown) =>
        this.outbox.run(() => {
          lane.busy = false;
          if (!head.done) {
            lane.remove(head);
            this.waiting--;
            head.subscriber.error(error);
          }
          this.pump(lane);
        }),
    );
  }

  private decide(lane: Lane, head: Waiter, result: TakeResult, now: number): void {
    if (result.allowed) {
      lane.remove(head);
      this.waiting--;
      this.letThrough(head.source, head.subscriber, lane.key, now, now - head.arrivedAt, result.remaining);
    } else if (this.tooLong(now - head.arrivedAt + result.retryAfter, now)) {
      this.reject(lane, head, result);
    } else {
      this.sleep(lane, result.retryAfter);
    }
  }

  /** A waiter unsubscribed: it leaves its place, having taken nothing. */
  private leave(lane: Lane, waiter: Waiter): void {
    if (waiter.done) return;
    this.outbox.run(() => this.left(lane, waiter));
  }

  private left(lane: Lane, waiter: Waiter): void {
    const wasHead = lane.first() === waiter;
    lane.remove(waiter);
    this.waiting--;
    this.cancelled++;
    const now = this.scheduler.now();
    if (this.bus.observed) this.bus.emit({ type: 'cancelled', policy: this.name, at: now, key: lane.key, waited: now - waiter.arrivedAt });
    this.cell.refresh();
    if (!wasHead) return;
    lane.timer?.unsubscribe();
    lane.timer = undefined;
    this.pump(lane);
  }
}
