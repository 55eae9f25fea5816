/**
 * Type tests (checked by `tsc -p tsconfig.json`): `isFailureResult` is typed by the guarded
 * stream's value type in every policy that judges outcomes, so a predicate of the wrong shape does
 * not compile; a policy without one guards streams of any type, as before.
 */
import { defer, of, type Observable } from 'rxjs';
import { expectTypeOf } from 'vitest';
import {
  adaptiveConcurrency,
  adaptiveRateLimit,
  adaptiveThrottle,
  circuitBreaker,
  fallback,
  fallbackLadder,
  type CircuitBreaker,
  type FailureJudge,
  type Fallback,
  type FallbackLadder,
  type Tagged,
} from 'rx-resilience';

interface Res {
  readonly status: number;
}
interface JsonRes extends Res {
  readonly body: string;
}
declare const res$: Observable<Res>;
declare const json$: Observable<JsonRes>;
declare const numbers$: Observable<number>;

// A predicate typed for `Res` narrows the policy to streams of `Res` (and its subtypes).
const breaker = circuitBreaker({ isFailureResult: (r: Res) => r.status >= 500 });
expectTypeOf(breaker).toEqualTypeOf<CircuitBreaker<Res>>();
expectTypeOf(res$.pipe(breaker)).toEqualTypeOf<Observable<Res>>();
expectTypeOf(json$.pipe(breaker)).toEqualTypeOf<Observable<JsonRes>>();
// @ts-expect-error a breaker judging responses does not guard a stream of numbers
numbers$.pipe(breaker);
// @ts-expect-error a predicate of the wrong shape for the stream does not compile
res$.pipe(circuitBreaker({ isFailureResult: (s: string) => s === 'down' }));
// @ts-expect-error an unannotated predicate's parameter is `unknown`: annotate it, or give the type argument
circuitBreaker({ isFailureResult: (r) => r.status >= 500 });
expectTypeOf(circuitBreaker<Res>({ isFailureResult: (r) => r.status >= 500 })).toEqualTypeOf<CircuitBreaker<Res>>();

// Without isFailureResult a policy guards streams of any type, keeping each stream's type.
const any = circuitBreaker({ name: 'any' });
expectTypeOf(any).toEqualTypeOf<CircuitBreaker>();
expectTypeOf(numbers$.pipe(any)).toEqualTypeOf<Observable<number>>();
expectTypeOf(res$.pipe(any)).toEqualTypeOf<Observable<Res>>();
// A typed breaker is still a CircuitBreaker for the registry, health and the exporter.
expectTypeOf(breaker).toMatchTypeOf<CircuitBreaker>();

// One judge, typed once, shared by every policy that decides on an outcome.
const judge: FailureJudge<Res> = { isFailure: (e) => !(e instanceof TypeError), isFailureResult: (r) => r.status >= 500 };
res$.pipe(adaptiveConcurrency(judge), adaptiveRateLimit({ base: 10, ...judge }), adaptiveThrottle(judge), circuitBreaker(judge));
// @ts-expect-error adaptiveConcurrency judging responses does not guard numbers
numbers$.pipe(adaptiveConcurrency(judge));
// @ts-expect-error adaptiveRateLimit judging responses does not guard numbers
numbers$.pipe(adaptiveRateLimit({ base: 10, ...judge }));
// @ts-expect-error adaptiveThrottle judging responses does not guard numbers
numbers$.pipe(adaptiveThrottle(judge));
// @ts-expect-error withPriority keeps the limiter's value type
numbers$.pipe(adaptiveConcurrency(judge).withPriority(1));

// fallback: the alternative's type widens the stream's; the judge narrows what it guards.
const toNull = fallback(of(null), judge);
expectTypeOf(toNull).toEqualTypeOf<Fallback<null, Res>>();
expectTypeOf(json$.pipe(toNull)).toEqualTypeOf<Observable<JsonRes | null>>();
// @ts-expect-error a fallback judging responses does not guard numbers
numbers$.pipe(toNull);
expectTypeOf(numbers$.pipe(fallback(of('x')))).toEqualTypeOf<Observable<number | string>>();

// fallbackLadder: Tagged<S, D, G>, and the judge narrows S.
const ladder = fallbackLadder({ default: { status: 0, cached: true }, degraded: 'offline' as const, ...judge });
expectTypeOf(ladder).toEqualTypeOf<FallbackLadder<{ status: number; cached: boolean }, 'offline', Res>>();
expectTypeOf(res$.pipe(ladder)).toEqualTypeOf<Observable<Tagged<Res, { status: number; cached: boolean }, 'offline'>>>();
expectTypeOf(ladder.wrap((_id: string) => defer(() => json$), (id) => id)).returns.toEqualTypeOf<Observable<Tagged<JsonRes, { status: number; cached: boolean }, 'offline'>>>();
// @ts-expect-error a ladder judging responses does not guard numbers
numbers$.pipe(ladder.forKey('k'));
// @ts-expect-error nor wrap a function returning numbers
ladder.wrap(() => numbers$);

// The README's example ("One judge for every policy").
declare function get(url: string): Observable<Response>;
const readmeJudge: FailureJudge<Response> = { isFailureResult: (res) => res.status >= 500 };
const readmeBreaker = circuitBreaker({ name: 'catalog', ...readmeJudge });
const readmeLadder = fallbackLadder({ name: 'catalog', default: null, ...readmeJudge });
const item$ = defer(() => get('/items/1')).pipe(readmeBreaker, readmeLadder);
expectTypeOf(item$).toEqualTypeOf<Observable<Tagged<Response, null, never>>>();
