/** Streams and ladder values as fp-ts `Either`s: `toEither` and `fromTagged`. */
import * as E from 'fp-ts/lib/Either.js';
import { catchError, map, of, type Observable } from 'rxjs';
import { ConfigError, type Tagged, type TaggedFrom } from '../index.js';

/**
 * An operator turning each value into a `Right` and the error, if any, into one last `Left`, after
 * which the stream completes: the stream never errors, so a long-lived pipeline of calls (a
 * `concatMap` of them) goes on after a failed call. `onError` maps the error to your error type
 * (default: the error as it is, `unknown`); if it throws, the stream errors with what it threw.
 *
 * ```ts
 * symbols$.pipe(concatMap((symbol) => fromTaskEither(exchange.quote(symbol)).pipe(breaker, toEither())));
 * // Observable<Either<unknown, Quote>>
 * ```
 * @throws ConfigError when `onError` is given and is not a function.
 */
export function toEither(): <A>(source: Observable<A>) => Observable<E.Either<unknown, A>>;
export function toEither<L>(onError: (error: unknown) => L): <A>(source: Observable<A>) => Observable<E.Either<L, A>>;
export function toEither<L>(onError?: (error: unknown) => L): <A>(source: Observable<A>) => Observable<E.Either<unknown, A>> {
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigError('toEither', 'onError', onError, 'a function of the error');
  const left = onError ?? ((error: unknown) => error);
  return (source) =>
    source.pipe(
      map((value) => E.right(value)),
      catchError((error: unknown) => of(E.left(left(error)))),
    );
}

/** A ladder value that the primary answered: from the primary call, or a fresh cache hit served before calling it. */
export type Answered<T> = TaggedFrom<'primary', T> | TaggedFrom<'cache', T>;

/**
 * A fallback ladder's value as an `Either`, the whole tagged value on each side, so `source`,
 * `value` and `warnings` are kept: `Right` when the primary answered (a primary value or a fresh
 * hit, with no warning), `Left` when a rung stood in for a failed call (`cache`, `stale`, `default`
 * or `degraded` with its warning, or a failing primary value that no rung replaced).
 */
export function fromTagged<T, D, G>(tagged: Tagged<T, D, G>): E.Either<Tagged<T, D, G>, Answered<T>> {
  return tagged.warnings.length === 0 && (tagged.source === 'primary' || tagged.source === 'cache') ? E.right(tagged as Answered<T>) : E.left(tagged);
}
