/**
 * `memoryQueueStore()`: a queue store that keeps everything in this process. It survives a
 * `durableQueue` being dropped and a new one opened on it (a "crash" of the queue, not of the
 * process), which is what tests and property tests need; it does not survive the process.
 * Answers are synchronous unless `delay` is given, so a queue on it runs on virtual time. With a
 * `delay`, opening the store again drops the writes not yet durable, as a crash would: they
 * never land and never complete.
 */
import { EMPTY, NEVER, Observable, of, timer, type SchedulerLike } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { resolveScheduler } from '../internal/clock.js';
import { checker } from '../internal/validate.js';
import type { DeadLetter, QueueStore, StoreContents, StoreEvent, StoredMessage } from './types.js';

export interface MemoryQueueStoreOptions {
  /** Each write becomes durable this many ms (scheduler time) after it is made. Default 0 (at once). */
  readonly delay?: number;
  readonly scheduler?: SchedulerLike;
}

export interface MemoryQueueStore extends QueueStore {
  /** Messages held now, dead letters included (acknowledged ones are gone). */
  readonly size: number;
}

type Entry = { message: StoredMessage; dead?: DeadLetter };

/** Builds an in-process queue store (for tests, and for queues that need not survive a restart). */
export function memoryQueueStore(options: MemoryQueueStoreOptions = {}): MemoryQueueStore {
  const check = checker('memory-queue-store');
  const config = check.object('', options, ['delay', 'scheduler'], true);
  const delay = check.duration('delay', config.delay, 0, true);
  const scheduler = resolveScheduler(check.scheduler('scheduler', config.scheduler));
  // Insertion order is enqueue order; a requeue moves the message to the end.
  const entries = new Map<string, Entry>();

  // Each open() starts a new epoch: a delayed write made before it never lands, as after a crash.
  let epoch = 0;
  const commit = (apply: () => void): Observable<true> => {
    if (delay === 0) {
      return new Observable<true>((subscriber) => {
        apply();
        subscriber.next(true);
        subscriber.complete();
      });
    }
    const made = epoch;
    return timer(delay, scheduler).pipe(mergeMap(() => (made === epoch ? (apply(), of(true as const)) : NEVER)));
  };

  const update = (id: string, change: (entry: Entry) => void) => commit(() => {
    const entry = entries.get(id);
    if (entry !== undefined) change(entry);
  });

  return {
    kind: 'memory',
    events$: EMPTY as Observable<StoreEvent>,
    get size() {
      return entries.size;
    },
    open: () => {
      epoch++;
      const contents: StoreContents = {
        pending: [...entries.values()].filter((e) => e.dead === undefined).map((e) => e.message),
        deadLetters: [...entries.values()].flatMap((e) => (e.dead === undefined ? [] : [e.dead])),
      };
      return of(contents);
    },
    append: (message) => commit(() => void entries.set(message.id, { message })),
    ack: (id) => commit(() => void entries.delete(id)),
    fail: (id, failures, notBefore) => update(id, (e) => void (e.message = { ...e.message, failures, notBefore })),
    deadLetter: (letter) => update(letter.id, (e) => void (e.dead = letter)),
    requeue: (id, at) => commit(() => {
      const entry = entries.get(id);
      if (entry?.dead === undefined) return;
      entries.delete(id);
      entries.set(id, { message: { ...entry.message, failures: 0, notBefore: at } });
    }),
    close: () => of(true),
  };
}
