/**
 * Durable queue: store and forward.
 *
 * State scope: the queue (factory-call scope) owns its waiting messages, dead letters and the one
 * drain session that may be active; a store owns what survives the process.
 *
 * Design: every fact the queue learns is made durable by the store before the queue acts on it.
 * An enqueue is acknowledged (its Observable completes) only once the store says the message is
 * durable; a message counts as handled only once its acknowledgement is recorded, and the next
 * message of its key starts only then, so a crash at any moment redelivers (at least once) and
 * never reorders a key. A failure is recorded with its count and the time of the next attempt, so
 * a restart neither forgets the backoff nor resets `maxAttempts`. A process killed during a
 * delivery records nothing: the message is redelivered with the same attempt number.
 */
import { AsyncSubject, defer, from, Observable, type ObservableInput, type SchedulerLike } from 'rxjs';
import { concatMap } from 'rxjs/operators';
import type { Backoff } from '../backoff/types.js';
import { ConfigError } from '../errors.js';
import { describeError } from '../internal/describeError.js';
import { EventBus, StateCell } from '../internal/cell.js';
import { shallowEqual } from '../internal/equal.js';
import { resolveScheduler } from '../internal/clock.js';
import { checker } from '../internal/validate.js';
import { parseDurableQueueConfig } from './config.js';
import { DrainSession, type QueueCore } from './drain.js';
import { Lanes } from './lanes.js';
import type {
  DeadLetter, DrainOptions, DrainOutcome, DurableQueueEvent, DurableQueueState, EnqueueOptions, EnqueueReceipt, Envelope,
  QueueStore, StoreContents, StoredMessage,
} from './types.js';

export interface DurableQueueConfig {
  readonly name?: string;
  /** Where messages live: `memoryQueueStore()`, `fileStore()` (rx-resilience/file-store), `redisStreamStore()`. */
  readonly store: QueueStore;
  /** Deliveries of one message before it is dead-lettered (the first included). Default 5. */
  readonly maxAttempts?: number;
  /** Delay before the n-th redelivery. Default `exponential({ initial: 100, max: 30_000, jitter: 'full' })`. */
  readonly backoff?: Backoff;
  /** How often a shared store (one with `poll`) is asked for new messages while draining, in ms. Default 100. */
  readonly pollInterval?: number;
  readonly scheduler?: SchedulerLike;
}

/** A durable queue: enqueue now, deliver later, at least once, in order per key. */
export interface DurableQueue<T = unknown> {
  readonly name: string;
  /**
   * Starts writing at once (eager: a forgotten subscription loses nothing). The Observable emits
   * the receipt and completes once the message is durable, for any subscriber, however late;
   * it errors if the store could not write it.
   */
  enqueue(payload: T, options?: EnqueueOptions): Observable<EnqueueReceipt>;
  /**
   * Delivers while subscribed: each message to `handler`; done when the handler's Observable
   * completes; redelivered after an error (with the backoff), dead-lettered after `maxAttempts`.
   * Emits one outcome per message finished. Unsubscribing cancels the handlers in flight; their
   * messages stay queued. Errors when the store fails. One drain at a time.
   */
  drain(handler: (envelope: Envelope<T>) => ObservableInput<unknown>, options?: DrainOptions): Observable<DrainOutcome>;
  /** The dead letters now (after the store is open). */
  deadLetters(): Observable<readonly DeadLetter<T>[]>;
  /** Moves dead letters (all, or those with the given ids) back to the queue, eagerly; emits how many. */
  requeue(ids?: string | readonly string[]): Observable<number>;
  /** Replays the current state, then every change. */
  readonly state$: Observable<DurableQueueState>;
  /** Hot: enqueued, delivered, failed, dead-lettered, requeued, and what the store reports. */
  readonly events$: Observable<DurableQueueEvent>;
  stats(): DurableQueueState;
  /** Completes the drain, if any (its handlers in flight are cancelled), and releases the store (its lock). */
  close(): Observable<void>;
}


/**
 * Builds a durable queue on a store and opens the store at once.
 *
 * ```ts
 * import { durableQueue, memoryQueueStore } from 'rx-resilience';
 * const queue = durableQueue<Payment>({ name: 'payments', store: memoryQueueStore(), maxAttempts: 5 });
 * queue.enqueue(payment, { key: payment.account }).subscribe(() => console.log('accepted'));
 * queue.drain((m) => api.charge(m.payload, { idempotencyKey: m.id }), { when: breaker.state$.pipe(map((s) => s === 'closed')) }).subscribe();
 * ```
 * @throws ConfigError when an option is invalid.
 */
export function durableQueue<T = unknown>(config: DurableQueueConfig): DurableQueue<T> {
  const c = parseDurableQueueConfig(config);
  return new Queue<T>(c.name, c.store, c.maxAttempts, c.backoff, c.pollInterval, resolveScheduler(c.scheduler));
}

class Queue<T> implements DurableQueue<T>, QueueCore {
  readonly lanes = new Lanes();
  readonly dead = new Map<string, DeadLetter>();
  readonly shared: boolean;
  inFlight = 0;
  private session: DrainSession | undefined = undefined;
  private readonly opened = new AsyncSubject<StoreContents>();
  private readonly cell: StateCell<DurableQueueState>;
  private readonly bus = new EventBus<DurableQueueEvent>();

  constructor(
    readonly name: string,
    readonly store: QueueStore,
    readonly maxAttempts: number,
    readonly backoff: Backoff,
    readonly pollInterval: number,
    readonly scheduler: SchedulerLike,
  ) {
    this.shared = typeof store.poll === 'function';
    this.cell = new StateCell<DurableQueueState>(this.snapshot(), shallowEqual);
    store.events$.subscribe((e) => this.emit(e));
    // Deferred: a store whose open() throws or returns no stream fails the queue's opening, not its construction.
    defer(() => store.open()).subscribe({
      next: (contents) => {
        for (const message of contents.pending) this.lanes.push(message);
        for (const letter of contents.deadLetters) this.dead.set(letter.id, letter);
        this.changed();
        this.opened.next(contents);
      },
      error: (error: unknown) => this.opened.error(error),
      complete: () => this.opened.complete(),
    });
  }

  get state$() {
    return this.cell.changes$;
  }

  get events$() {
    return this.bus.events$;
  }

  stats(): DurableQueueState {
    return this.snapshot();
  }

  enqueue(payload: T, options: EnqueueOptions = {}): Observable<EnqueueReceipt> {
    const check = checker(this.name);
    const o = check.object('options', options, ['key', 'id'], true);
    const key = check.name('options.key', o.key);
    const id = check.name('options.id', o.id) ?? globalThis.crypto.randomUUID();
    const message: StoredMessage = { id, key, payload, enqueuedAt: this.scheduler.now(), failures: 0, notBefore: 0 };
    return eager(this.afterOpen(() => from(this.store.append(message))), () => {
      if (!this.shared) this.lanes.push(message);
      this.emit({ type: 'enqueued', id, key });
      this.changed();
      this.session?.poke();
      return { id, key };
    });
  }

  drain(handler: (envelope: Envelope<T>) => ObservableInput<unknown>, options: DrainOptions = {}): Observable<DrainOutcome> {
    const check = checker(this.name);
    const o = check.object('drain options', options, ['concurrency', 'when'], true);
    const concurrency = check.integer('concurrency', o.concurrency, 1);
    const when = o.when as Observable<boolean> | undefined;
    if (when !== undefined && typeof (when as { subscribe?: unknown }).subscribe !== 'function') check.fail('when', when, 'an Observable<boolean>');
    return new Observable<DrainOutcome>((subscriber) => {
      if (this.session !== undefined) {
        subscriber.error(new ConfigError(this.name, 'drain', 'a second drain', 'one drain at a time per queue'));
        return undefined;
      }
      const session = new DrainSession(this, handler as (e: Envelope<unknown>) => ObservableInput<unknown>, concurrency, subscriber);
      this.session = session;
      const opening = this.opened.subscribe({ complete: () => session.start(when), error: (e: unknown) => subscriber.error(e) });
      return () => {
        opening.unsubscribe();
        session.stop();
        if (this.session === session) this.session = undefined;
      };
    });
  }

  deadLetters(): Observable<readonly DeadLetter<T>[]> {
    return this.afterOpen(() => [[...this.dead.values()] as DeadLetter<T>[]]);
  }

  requeue(ids?: string | readonly string[]): Observable<number> {
    let count = 0;
    const one = (id: string) => new Observable<never>((s) => {
      const letter = this.dead.get(id);
      if (letter === undefined) return s.complete();
      const at = this.scheduler.now();
      return from(this.store.requeue(id, at)).subscribe({
        error: (error: unknown) => s.error(error),
        complete: () => {
          this.dead.delete(id);
          const { error: _error, deadAt: _deadAt, ...message } = letter;
          if (!this.shared) this.lanes.push({ ...message, failures: 0, notBefore: at });
          count++;
          this.emit({ type: 'requeued', id, key: letter.key });
          this.changed();
          this.session?.poke();
          s.complete();
        },
      });
    });
    return eager(
      this.afterOpen(() => {
        const targets = ids === undefined ? [...this.dead.keys()] : typeof ids === 'string' ? [ids] : [...ids];
        return from(targets).pipe(concatMap(one));
      }),
      () => count,
    );
  }

  close(): Observable<void> {
    this.session?.end();
    this.session = undefined;
    return eager(this.afterOpen(() => from(this.store.close())), () => undefined);
  }

  /* QueueCore: what a drain session needs from the queue. */

  emit(event: DistributiveOmit<DurableQueueEvent, 'queue' | 'at'>): void {
    if (this.bus.observed) this.bus.emit({ ...event, queue: this.name, at: this.scheduler.now() } as DurableQueueEvent);
  }

  changed(): void {
    this.cell.set(this.snapshot());
  }

  wake(): void {
    this.session?.wake();
  }

  describe(error: unknown): string {
    return describeError(error);
  }

  private snapshot(): DurableQueueState {
    const oldest = this.lanes.oldestEnqueuedAt;
    return {
      pending: this.lanes.waiting + (this.session?.parked ?? 0),
      inFlight: this.inFlight,
      deadLetters: this.dead.size,
      oldestAge: oldest === undefined ? 0 : Math.max(0, this.scheduler.now() - oldest),
    };
  }

  private afterOpen<R>(then: () => ObservableInput<R>): Observable<R> {
    return this.opened.pipe(concatMap(() => from(then())));
  }
}

type DistributiveOmit<U, K extends PropertyKey> = U extends unknown ? Omit<U, K> : never;

/** Subscribes now; the result replays `done()` and completion (or the error) to any subscriber. */
function eager<R>(work: Observable<unknown>, done: () => R): Observable<R> {
  const result = new AsyncSubject<R>();
  work.subscribe({
    error: (error: unknown) => result.error(error),
    complete: () => {
      result.next(done());
      result.complete();
    },
  });
  return result.asObservable();
}
