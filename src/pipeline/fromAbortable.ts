/**
 * A call that can really be cancelled: an Observable around a function that takes an `AbortSignal`
 * and returns a promise (a `fetch`, a database driver's query, anything that takes a `signal`).
 *
 * `defer(() => fetch(url))` cannot cancel: unsubscribing drops the promise, the request runs on.
 * Every policy that ends a call early (a time limit, a hedge's losers, a bulkhead's queue timeout,
 * the caller unsubscribing) does it by unsubscribing, so the call must turn an unsubscribe into an
 * abort to stop the work downstream.
 */
import { Observable } from 'rxjs';
import { ConfigError } from '../errors.js';

/**
 * Each subscription calls `call` at once (synchronously, inside `subscribe`) with a fresh
 * `AbortSignal`, emits the promise's value and completes, or errors with its rejection (or with what
 * `call` threw). Unsubscribing before the promise settles aborts the signal; once it has settled,
 * nothing is aborted. A rejection that arrives after the unsubscribe (the abort's own `AbortError`)
 * goes nowhere.
 *
 * ```ts
 * import { fromAbortable } from 'rx-resilience';
 *
 * const quote$ = fromAbortable(async (signal) => {
 *   const response = await fetch('https://example.com/quote', { signal });
 *   return response.json() as Promise<{ price: number }>;
 * });
 * ```
 * @throws ConfigError when `call` is not a function.
 */
export function fromAbortable<T>(call: (signal: AbortSignal) => PromiseLike<T>): Observable<T> {
  if (typeof call !== 'function') throw new ConfigError('fromAbortable', 'call', call, 'a function (signal) => promise');
  return new Observable<T>((subscriber) => {
    const controller = new AbortController();
    let settled = false;
    const settle = () => (settled = true);
    try {
      Promise.resolve(call(controller.signal)).then(
        (value) => {
          if (settle() && !subscriber.closed) {
            subscriber.next(value);
            subscriber.complete();
          }
        },
        (error: unknown) => {
          if (settle() && !subscriber.closed) subscriber.error(error);
        },
      );
    } catch (error) {
      settled = true;
      subscriber.error(error);
    }
    return () => {
      if (!settled) controller.abort();
    };
  });
}
