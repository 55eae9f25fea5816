/**
 * @internal One drain session of a durable queue: the subscription of `queue.drain(...)`.
 *
 * It takes ready messages from the lanes while fewer than `concurrency` are active and `when`
 * last said true, hands each to the handler, and records the outcome in the store before acting
 * on it: an acknowledgement finishes the message (and frees its key), a failure puts it back at
 * the head of its key with the next attempt's time, the last failure moves it to the dead
 * letters. Stopping (unsubscribe, or a store error) cancels the handlers in flight and puts their
 * messages back untouched; outcomes being recorded at that moment still finish.
 */
import { defer, from, type ObservableInput, type Observable, type SchedulerLike, Subscription, type Subscriber } from 'rxjs';
import type { Backoff } from '../backoff/types.js';
import { scheduleOnce } from '../internal/clock.js';
import type { Lanes } from './lanes.js';
import type { DeadLetter, DrainOutcome, DurableQueueEvent, Envelope, QueueStore, StoredMessage } from './types.js';

type EventInput = DurableQueueEvent extends infer E ? (E extends unknown ? Omit<E, 'queue' | 'at'> : never) : never;

/** What a session needs from its queue. */
export interface QueueCore {
  readonly store: QueueStore;
  readonly lanes: Lanes;
  readonly dead: Map<string, DeadLetter>;
  /** The store has `poll`: messages come from it, not from this process's enqueues. */
  readonly shared: boolean;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly pollInterval: number;
  readonly scheduler: SchedulerLike;
  inFlight: number;
  emit(event: EventInput): void;
  changed(): void;
  describe(error: unknown): string;
  /** Wakes whichever session drains now (a write of an earlier session may free a key). */
  wake(): void;
}

export class DrainSession {
  private paused = false;
  private stopped = false;
  private pumping = false;
  private again = false;
  private polling = false;
  private active = 0;
  private readonly running = new Map<string, { message: StoredMessage; sub?: Subscription }>();
  private readonly waits = new Map<string, { message: StoredMessage; sub: Subscription }>();
  private readonly subs = new Subscription();

  constructor(
    private readonly core: QueueCore,
    private readonly handler: (envelope: Envelope<unknown>) => ObservableInput<unknown>,
    private readonly concurrency: number,
    private readonly subscriber: Subscriber<DrainOutcome>,
  ) {}

  start(when: Observable<boolean> | undefined): void {
    if (this.stopped) return;
    if (when !== undefined) {
      this.paused = true;
      this.subs.add(when.subscribe({
        next: (on) => {
          this.paused = !on;
          this.wake();
        },
        error: (error: unknown) => this.fail(error),
      }));
    }
    if (this.core.shared) {
      // One action rescheduling itself: the poll loop of a shared store.
      const poll = () => this.poll();
      const interval = this.core.pollInterval;
      this.subs.add(this.core.scheduler.schedule(function () {
        poll();
        this.schedule(undefined, interval);
      }, interval));
    }
    this.poke();
  }

  /** New messages may be in the store: polls a shared store, then starts what can start. */
  poke(): void {
    if (this.core.shared) this.poll();
    this.wake();
  }

  /** Messages out of the lanes waiting for their next attempt's time. */
  get parked(): number {
    return this.waits.size;
  }

  /** Starts what can start now (re-entrant calls fold into the running loop). */
  wake(): void {
    if (this.stopped || this.paused) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        this.pump();
      } while (this.again && !this.stopped && !this.paused);
    } finally {
      this.pumping = false;
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.subs.unsubscribe();
    const { lanes } = this.core;
    for (const { message, sub } of this.running.values()) {
      sub?.unsubscribe();
      this.active--;
      this.core.inFlight--;
      lanes.putBack(message);
    }
    this.running.clear();
    for (const { message, sub } of this.waits.values()) {
      sub.unsubscribe();
      lanes.putBack(message);
    }
    this.waits.clear();
    this.core.changed();
  }

  private pump(): void {
    const { lanes, scheduler } = this.core;
    while (this.active < this.concurrency && !this.stopped && !this.paused) {
      const head = lanes.claimNext();
      if (head === undefined) return;
      const now = scheduler.now();
      if (head.notBefore > now) {
        this.waits.set(head.id, {
          message: head,
          sub: scheduleOnce(scheduler, head.notBefore - now, () => {
            this.waits.delete(head.id);
            lanes.putBack(head);
            this.wake();
          }),
        });
        continue;
      }
      this.deliver(head);
    }
  }

  private deliver(message: StoredMessage): void {
    this.active++;
    this.core.inFlight++;
    this.core.changed();
    const entry: { message: StoredMessage; sub?: Subscription } = { message };
    this.running.set(message.id, entry);
    const envelope: Envelope<unknown> = { id: message.id, key: message.key, payload: message.payload, attempt: message.failures + 1 };
    const sub = defer(() => this.handler(envelope)).subscribe({
      error: (error: unknown) => {
        this.running.delete(message.id);
        this.failed(message, error);
      },
      complete: () => {
        this.running.delete(message.id);
        this.record(message, this.core.store.ack(message.id), () => {
          this.core.lanes.finish(message);
          this.core.emit({ type: 'delivered', id: message.id, key: message.key, attempt: envelope.attempt });
          this.outcome({ type: 'delivered', id: message.id, key: message.key, attempt: envelope.attempt });
        });
      },
    });
    if (this.running.has(message.id)) entry.sub = sub;
  }

  private failed(message: StoredMessage, error: unknown): void {
    const { core } = this;
    const failures = message.failures + 1;
    const text = core.describe(error);
    const now = core.scheduler.now();
    if (failures >= core.maxAttempts) {
      const letter: DeadLetter = { ...message, failures, error: text, deadAt: now };
      this.record(message, core.store.deadLetter(letter), () => {
        core.dead.set(message.id, letter);
        core.lanes.finish(message);
        core.emit({ type: 'dead-lettered', id: message.id, key: message.key, attempt: failures, error: text });
        this.outcome({ type: 'dead-lettered', id: message.id, key: message.key, attempt: failures, error: text });
      });
      return;
    }
    const delay = core.backoff(failures);
    const retryIn = Number.isFinite(delay) && delay > 0 ? delay : 0;
    const notBefore = now + retryIn;
    this.record(message, core.store.fail(message.id, failures, notBefore), () => {
      core.lanes.putBack({ ...message, failures, notBefore });
      core.emit({ type: 'failed', id: message.id, key: message.key, attempt: failures, error: text, retryIn });
    });
  }

  /** Waits for `write` to be durable, then `then()`; a failed write puts the message back and ends the drain. */
  private record(message: StoredMessage, write: ObservableInput<unknown>, then: () => void): void {
    const settle = () => {
      this.active--;
      this.core.inFlight--;
    };
    from(write).subscribe({
      error: (error: unknown) => {
        settle();
        this.core.lanes.putBack(message);
        this.core.changed();
        this.fail(error);
      },
      complete: () => {
        settle();
        then();
        this.core.changed();
        this.core.wake();
      },
    });
  }

  private outcome(outcome: DrainOutcome): void {
    if (!this.stopped) this.subscriber.next(outcome);
  }

  private poll(): void {
    const { store, lanes } = this.core;
    if (this.stopped || this.paused || this.polling || store.poll === undefined) return;
    const room = this.concurrency * 2 - lanes.waiting;
    if (room <= 0) return;
    this.polling = true;
    this.subs.add(from(store.poll(room)).subscribe({
      next: (messages) => {
        for (const message of messages) if (!lanes.has(message.id)) lanes.push(message);
        if (messages.length > 0) this.core.changed();
      },
      error: (error: unknown) => this.fail(error),
      complete: () => {
        this.polling = false;
        this.wake();
      },
    }));
  }

  /** Stops and completes the drain (the queue is closing). */
  end(): void {
    this.stop();
    this.subscriber.complete();
  }

  private fail(error: unknown): void {
    if (this.stopped) return;
    this.stop();
    this.subscriber.error(error);
  }
}
