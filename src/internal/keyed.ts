/**
 * Keyed calls, shared by policies that serve a call under a string key (a cache, a fallback
 * ladder): turning a function into keyed calls, and replaying stored values to one subscriber.
 */
import { defer, from, Observable, type ObservableInput, type Subscriber } from 'rxjs';

/** The default key of a wrapped call: its arguments as JSON. */
export function argumentsKey(...args: unknown[]): string {
  return JSON.stringify(args);
}

/**
 * `fn` as a function whose every call is served by `serve` under `keyOf(...args)`; `fn` runs only
 * when `serve` subscribes to the source it was given, once per subscription.
 */
export function wrapKeyed<A extends unknown[], T, R>(
  serve: (key: string, source: Observable<T>) => Observable<R>,
  fn: (...args: A) => ObservableInput<T>,
  keyOf: (...args: A) => string = argumentsKey,
): (...args: A) => Observable<R> {
  return (...args) => new Observable<R>((subscriber) => serve(keyOf(...args), defer(() => from(fn(...args)))).subscribe(subscriber));
}

/** Emits each value (mapped by `as`), then completes; stops as soon as the subscriber closes. */
export function replay<T, R>(values: readonly T[], subscriber: Subscriber<R>, as: (value: T) => R): void {
  for (const value of values) {
    subscriber.next(as(value));
    if (subscriber.closed) return;
  }
  subscriber.complete();
}
