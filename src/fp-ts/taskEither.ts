/**
 * fp-ts tasks through policies: `fromTaskEither` (a `TaskEither` as a one-call Observable) and
 * `protect` (a `TaskEither` run through a policy, still a `TaskEither`).
 */
import * as E from 'fp-ts/lib/Either.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import { defer, lastValueFrom, type Observable } from 'rxjs';
import { ConfigError, isResilienceError, type Fallback, type ResilienceError, type Tagged, type TaggedFrom, type TagSource } from '../index.js';

/**
 * A `TaskEither` as a cold Observable: each subscription runs the task once; a `Right` is its one
 * value, then it completes; a `Left` is its error (the left value itself, so that a policy's
 * `isFailure` sees your error type).
 */
export function fromTaskEither<E, A>(task: TaskEither<E, A>): Observable<A> {
  return run(task, undefined);
}

function run<E, A>(task: TaskEither<E, A>, lefts: Set<unknown> | undefined): Observable<A> {
  return defer(async () => {
    const result = await task();
    if (E.isRight(result)) return result.right;
    lefts?.add(result.left);
    throw result.left;
  });
}

/** Any policy, or any operator: a function from an Observable to an Observable. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- matches each policy's own generic call signature
export type AnyOperator = (source: Observable<any>) => Observable<unknown>;

/** The value type a policy guards: `T` of `CircuitBreaker<T>` (`unknown` for most). */
export type GuardedBy<P> = P extends (source: Observable<infer T>) => Observable<unknown> ? T : never;

type Emitted<P> = P extends (source: Observable<never>) => Observable<infer R> ? R : never;
type RungValue<R> = [R] extends [never] ? never : R extends TaggedFrom<TagSource, infer V> ? V : never;
type Rung<P, S extends TagSource> = RungValue<Extract<Emitted<P>, { readonly source: S }>>;

/**
 * The value of a protected task of `A`: `Tagged<A, D, G>` through a fallback ladder, `A | X`
 * through a `fallback` to an `X`, `A` through any policy that keeps the value type.
 */
export type Protected<P, A> = Emitted<P> extends TaggedFrom<TagSource, unknown>
  ? Tagged<A, Rung<P, 'default'>, Rung<P, 'degraded'>>
  : P extends Fallback<infer X, infer _T>
    ? A | X
    : A;

/**
 * Runs a `TaskEither` through a policy: `protect(policy)(task)` is a `TaskEither` that subscribes
 * the policy to the task (one subscription per run, so a retry or a hedge runs the task again) and
 * resolves to `Right` of the policy's value, or `Left` of the task's own `Left` or of the policy's
 * `ResilienceError` (a `CircuitOpenError`, a `TimeLimitError`, a `RetriesExhaustedError` …). It
 * never rejects, unless the task itself breaks its contract and rejects: then it rejects with that.
 *
 * Cancellation aside: a `Task` cannot be cancelled, so when a policy gives up on an attempt (a time
 * limit, a losing hedge) the attempt's promise still runs to its end, and its result is dropped.
 *
 * ```ts
 * import { pipe } from 'fp-ts/lib/function.js';
 * const quote = (symbol: string) => pipe(exchange.quote(symbol), protect(breaker), protect(retry));
 * // TaskEither<QuoteError | ResilienceError, Quote>
 * ```
 * @throws ConfigError when `policy` is not a function.
 */
export function protect<P extends AnyOperator>(policy: P): <E, A extends GuardedBy<P>>(task: TaskEither<E, A>) => TaskEither<E | ResilienceError, Protected<P, A>> {
  if (typeof policy !== 'function') throw new ConfigError('protect', 'policy', policy, 'a policy or an operator (a function of an Observable)');
  return <E, A>(task: TaskEither<E, A>) => () => {
    const lefts = new Set<unknown>();
    return lastValueFrom(run(task, lefts).pipe(policy)).then(
      (value) => E.right(value as Protected<P, A>),
      (error: unknown) => {
        if (lefts.has(error) || isResilienceError(error)) return E.left(error as E | ResilienceError);
        throw error;
      },
    );
  };
}
