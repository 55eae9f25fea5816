/**
 * `queueOnFailure(queue, toMessage)`: store and forward for one call. When the call fails (after
 * the policies inside it: time limit, breaker, retry …), the message `toMessage(input, error)` is
 * enqueued and, once it is durable, the call completes with a tagged `Queued` result instead of
 * erroring, so the caller can answer "accepted, will be processed".
 *
 * State scope: none of its own; each call enqueues at most once.
 */
import { catchError, Observable } from 'rxjs';
import { map } from 'rxjs/operators';
import { checker } from '../internal/validate.js';
import type { DurableQueue } from './durableQueue.js';

/** What a failed call is turned into. */
export interface QueueMessage<M> {
  readonly payload: M;
  readonly key?: string;
  /** The idempotency key; a random UUID by default. */
  readonly id?: string;
}

/** The result of a call that failed and was queued. */
export interface Queued {
  readonly type: 'queued';
  readonly queue: string;
  readonly id: string;
  readonly key: string | undefined;
  /** The error that made the call fail. */
  readonly error: unknown;
}

export interface QueueOnFailureOptions {
  /** Which errors are queued; the others pass through. Default: every error. */
  readonly when?: (error: unknown) => boolean;
}

/** Given the call's input, the operator for that call. */
export type QueueOnFailure<I> = (input: I) => <T>(source: Observable<T>) => Observable<T | Queued>;

/**
 * Builds the per-call operator. Values the call emitted before failing have already been
 * delivered; an enqueue that fails errors the call with the store's error.
 *
 * ```ts
 * import { durableQueue, queueOnFailure } from 'rx-resilience';
 * const orQueue = queueOnFailure(queue, (order: Order, error) => ({ payload: order, key: order.account }));
 * const place = (order: Order) => defer(() => api.place(order)).pipe(timeLimit({ duration: 2_000 }), breaker, orQueue(order));
 * place(order).subscribe((r) => (isQueued(r) ? reply(202) : reply(200, r)));
 * ```
 * @throws ConfigError when `queue`, `toMessage` or an option is invalid.
 */
export function queueOnFailure<I, M>(
  queue: DurableQueue<M>,
  toMessage: (input: I, error: unknown) => QueueMessage<M>,
  options: QueueOnFailureOptions = {},
): QueueOnFailure<I> {
  const check = checker('queue-on-failure');
  if (typeof queue !== 'object' || queue === null || typeof queue.enqueue !== 'function') check.fail('queue', queue, 'a durableQueue()');
  const build = check.fn<(input: I, error: unknown) => QueueMessage<M>>('toMessage', toMessage);
  if (build === undefined) return check.fail('toMessage', toMessage, 'a function (input, error) => { payload, key? }');
  const o = check.object('options', options, ['when'], true);
  const when = check.fn<(error: unknown) => boolean>('options.when', o.when) ?? (() => true);
  return (input: I) => <T>(source: Observable<T>): Observable<T | Queued> =>
    source.pipe(
      catchError((error: unknown): Observable<T | Queued> => {
        if (!when(error)) throw error;
        const message = build(input, error);
        const enqueueOptions = { ...(message.key === undefined ? {} : { key: message.key }), ...(message.id === undefined ? {} : { id: message.id }) };
        return queue.enqueue(message.payload, enqueueOptions).pipe(
          map((receipt): Queued => ({ type: 'queued', queue: queue.name, id: receipt.id, key: receipt.key, error })),
        );
      }),
    );
}

/** True for the result of a call that was queued. */
export function isQueued(value: unknown): value is Queued {
  return typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'queued' &&
    typeof (value as { id?: unknown }).id === 'string';
}
