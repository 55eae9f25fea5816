/**
 * The public types of the durable queue and the one small interface every store implements.
 *
 * A store keeps messages and what happened to them (acknowledged, failed n times, dead-lettered,
 * requeued). It does not decide anything: `durableQueue` decides when to deliver, retry and give
 * up; the store makes each of those facts durable and gives them back after a restart. Every
 * operation returns an `ObservableInput` (a Promise or an Observable) that completes once the
 * fact is durable; a store that answers synchronously (the in-memory one) keeps the whole queue
 * on virtual time.
 */
import type { Observable, ObservableInput } from 'rxjs';

/** One message as a store keeps it. */
export interface StoredMessage<T = unknown> {
  /** Unique, and the idempotency key a handler may use to drop duplicates. */
  readonly id: string;
  /** Messages with one key are delivered in enqueue order; `undefined` means no ordering. */
  readonly key: string | undefined;
  readonly payload: T;
  /** Scheduler time of the enqueue. */
  readonly enqueuedAt: number;
  /** Failed deliveries so far (0 for a fresh message). */
  readonly failures: number;
  /** Scheduler time before which the next delivery must not start (after a failure). */
  readonly notBefore: number;
}

/** A message that failed `maxAttempts` times. */
export interface DeadLetter<T = unknown> extends StoredMessage<T> {
  /** The last error, described in words. */
  readonly error: string;
  /** Scheduler time it was dead-lettered. */
  readonly deadAt: number;
}

/** What a store holds when it is opened: unfinished messages in enqueue order, and dead letters. */
export interface StoreContents {
  readonly pending: readonly StoredMessage[];
  readonly deadLetters: readonly DeadLetter[];
}

/** Something a store found while opening or working, for `events$`. */
export type StoreEvent =
  /** The last record of the log was torn or corrupted; `bytes` were cut off from `offset`. */
  | { readonly type: 'corrupt-tail'; readonly file: string; readonly offset: number; readonly bytes: number }
  /** A corrupted record with valid records after it: the store refuses to open. */
  | { readonly type: 'corrupt-record'; readonly file: string; readonly offset: number }
  /** A lock left by a process that no longer runs was taken over. */
  | { readonly type: 'stale-lock'; readonly file: string; readonly pid: number }
  /** Finished segments were dropped; `carried` live messages were copied forward first. */
  | { readonly type: 'compacted'; readonly removed: readonly string[]; readonly carried: number };

/**
 * The store interface. `durableQueue` calls `open()` once, then the other operations; it never
 * calls two `append`s out of order and waits for `open()` before anything else.
 */
export interface QueueStore {
  /** What this store is, for messages (`'memory'`, `'file'`, `'redis-stream'`). */
  readonly kind: string;
  /** Hot: what the store found (a torn tail, a stale lock, a compaction). */
  readonly events$: Observable<StoreEvent>;
  /** Recovers the store and takes ownership (a lock, a consumer name). */
  open(): ObservableInput<StoreContents>;
  /** Adds a message; completes once it is durable. */
  append(message: StoredMessage): ObservableInput<unknown>;
  /** Records that the message was handled: it is never delivered again. */
  ack(id: string): ObservableInput<unknown>;
  /** Records a failed delivery: `failures` so far, next delivery not before `notBefore`. */
  fail(id: string, failures: number, notBefore: number): ObservableInput<unknown>;
  /** Moves a message to the dead letters. */
  deadLetter(letter: DeadLetter): ObservableInput<unknown>;
  /** Moves a dead letter back, with no failures, behind the messages enqueued so far. */
  requeue(id: string, at: number): ObservableInput<unknown>;
  /**
   * Only stores shared by several processes: messages that became this consumer's since the last
   * call (enqueued by anyone, or claimed from a consumer that died), at most `max`. A store with
   * `poll` does not hand its own appends to the queue directly; the queue polls for them.
   */
  poll?(max: number): ObservableInput<readonly StoredMessage[]>;
  /** Releases what `open()` took (the lock). */
  close(): ObservableInput<unknown>;
}

/** The envelope a drain handler receives. */
export interface Envelope<T> {
  /** The idempotency key: the same for every delivery of one message. */
  readonly id: string;
  readonly key: string | undefined;
  readonly payload: T;
  /** 1 for the first delivery, 2 for the first redelivery after a failure, … */
  readonly attempt: number;
}

export interface EnqueueOptions {
  /** Messages with one key are delivered in enqueue order, one at a time. */
  readonly key?: string;
  /** The idempotency key; a random UUID by default. */
  readonly id?: string;
}

/** What `enqueue` emits once the message is durable. */
export interface EnqueueReceipt {
  readonly id: string;
  readonly key: string | undefined;
}

export interface DrainOptions {
  /** Messages handled at once (of different keys). Default 1. */
  readonly concurrency?: number;
  /** Draining pauses while this is false, and until its first `true`. Default: always on. */
  readonly when?: Observable<boolean>;
}

/** What `drain` emits: one value per message it finished. */
export type DrainOutcome =
  | { readonly type: 'delivered'; readonly id: string; readonly key: string | undefined; readonly attempt: number }
  | { readonly type: 'dead-lettered'; readonly id: string; readonly key: string | undefined; readonly attempt: number; readonly error: string };

export interface DurableQueueState {
  /** Messages waiting (a retry waiting for its backoff included), not in flight. */
  readonly pending: number;
  readonly inFlight: number;
  readonly deadLetters: number;
  /** Age in ms of the oldest unfinished message when the state last changed (0 when none). */
  readonly oldestAge: number;
}

export type DurableQueueEvent =
  | { readonly type: 'enqueued'; readonly queue: string; readonly at: number; readonly id: string; readonly key: string | undefined }
  | { readonly type: 'delivered'; readonly queue: string; readonly at: number; readonly id: string; readonly key: string | undefined; readonly attempt: number }
  | {
      readonly type: 'failed'; readonly queue: string; readonly at: number; readonly id: string; readonly key: string | undefined;
      readonly attempt: number; readonly error: string; readonly retryIn: number;
    }
  | { readonly type: 'dead-lettered'; readonly queue: string; readonly at: number; readonly id: string; readonly key: string | undefined; readonly attempt: number; readonly error: string }
  | { readonly type: 'requeued'; readonly queue: string; readonly at: number; readonly id: string; readonly key: string | undefined }
  | ({ readonly queue: string; readonly at: number } & StoreEvent);
