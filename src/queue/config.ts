/** @internal Validation of `durableQueue()`'s config. */
import type { Observable, SchedulerLike } from 'rxjs';
import { exponential } from '../backoff/exponential.js';
import type { Backoff } from '../backoff/types.js';
import { configuredName } from '../internal/names.js';
import { checker } from '../internal/validate.js';
import type { QueueStore } from './types.js';

export interface ParsedDurableQueueConfig {
  readonly name: string;
  readonly store: QueueStore;
  readonly maxAttempts: number;
  readonly backoff: Backoff;
  readonly pollInterval: number;
  readonly scheduler: SchedulerLike | undefined;
}

const KEYS = ['name', 'store', 'maxAttempts', 'backoff', 'pollInterval', 'scheduler'];
const STORE_METHODS = ['open', 'append', 'ack', 'fail', 'deadLetter', 'requeue', 'close'] as const;

/** Checks `durableQueue()`'s config: a queue store (required), with the defaults of attempts, backoff and polling. */
export function parseDurableQueueConfig(config: unknown): ParsedDurableQueueConfig {
  const name = configuredName('durable-queue', config);
  const check = checker(name);
  const o = check.object('', config, KEYS);
  const store = o.store as QueueStore;
  if (typeof store !== 'object' || store === null) check.fail('store', store, 'a queue store (memoryQueueStore(), fileStore(), redisStreamStore())');
  for (const method of STORE_METHODS) {
    if (typeof store[method] !== 'function') check.fail(`store.${method}`, store[method], 'a function');
  }
  if (typeof (store.events$ as Partial<Observable<unknown>> | null | undefined)?.subscribe !== 'function') check.fail('store.events$', store.events$, 'an Observable of store events');
  const maxAttempts = check.integer('maxAttempts', o.maxAttempts, 5);
  const backoff = check.fn<Backoff>('backoff', o.backoff) ?? exponential({ initial: 100, max: 30_000, jitter: 'full' });
  const pollInterval = check.duration('pollInterval', o.pollInterval, 100);
  return { name, store, maxAttempts, backoff, pollInterval, scheduler: check.scheduler('scheduler', o.scheduler) };
}
