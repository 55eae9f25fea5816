/** Type tests (checked by `tsc -p tsconfig.json`): what `protect` makes of a task, policy by policy. */
import type { Either } from 'fp-ts/lib/Either.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import { of, type Observable } from 'rxjs';
import { expectTypeOf } from 'vitest';
import { circuitBreaker, fallback, fallbackLadder, timeLimit, type ResilienceError, type Tagged } from 'rx-resilience';
import { fromTagged, protect, toEither, type Answered } from 'rx-resilience/fp-ts';

interface Res {
  readonly status: number;
}
declare const res: TaskEither<Error, Res>;
declare const num: TaskEither<string, number>;

expectTypeOf(protect(circuitBreaker())(num)).toEqualTypeOf<TaskEither<string | ResilienceError, number>>();
expectTypeOf(protect(timeLimit({ duration: 10 }))(res)).toEqualTypeOf<TaskEither<Error | ResilienceError, Res>>();
const judged = protect(circuitBreaker({ isFailureResult: (r: Res) => r.status >= 500 }));
expectTypeOf(judged(res)).toEqualTypeOf<TaskEither<Error | ResilienceError, Res>>();
// @ts-expect-error a breaker judging responses does not take a task of numbers
judged(num);

// A ladder's value is tagged, with the types of its rungs; a rung it lacks is no member.
const ladder = fallbackLadder({ default: (_e: unknown, key: string) => (key === 'k' ? 0 : undefined) });
expectTypeOf(protect(ladder)(num)).toEqualTypeOf<TaskEither<string | ResilienceError, Tagged<number, 0, never>>>();
expectTypeOf(protect(ladder.forKey('k'))(res)).toEqualTypeOf<TaskEither<Error | ResilienceError, Tagged<Res, 0, never>>>();
const both = fallbackLadder({ default: 'd', degraded: null });
expectTypeOf(protect(both)(num)).toEqualTypeOf<TaskEither<string | ResilienceError, Tagged<number, string, null>>>();
expectTypeOf(protect(fallback(of(null)))(num)).toEqualTypeOf<TaskEither<string | ResilienceError, number | null>>();

declare const tagged: Tagged<number, string, null>;
expectTypeOf(fromTagged(tagged)).toEqualTypeOf<Either<Tagged<number, string, null>, Answered<number>>>();

declare const n$: Observable<number>;
expectTypeOf(n$.pipe(toEither())).toEqualTypeOf<Observable<Either<unknown, number>>>();
expectTypeOf(n$.pipe(toEither((e) => String(e)))).toEqualTypeOf<Observable<Either<string, number>>>();
