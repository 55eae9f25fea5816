/**
 * Type tests (checked by `tsc -p tsconfig.json`): a fallback ladder's `Tagged` is a union
 * discriminated by `source`, whose `value` has the type of the rung it came from.
 */
import { of, throwError, type Observable } from 'rxjs';
import { match, P } from 'ts-pattern';
import { expectTypeOf } from 'vitest';
import { fallbackLadder, type Tagged, type TaggedFrom, type TagSource } from 'rx-resilience';

interface Price {
  readonly amount: number;
}
declare const price$: Observable<Price>;

const ladder = fallbackLadder({ default: 0, degraded: 'unavailable' as const });
price$.pipe(ladder).subscribe((r) => {
  expectTypeOf(r).toEqualTypeOf<Tagged<Price, number, 'unavailable'>>();
  expectTypeOf(r.source).toEqualTypeOf<TagSource>();
  switch (r.source) {
    case 'primary':
    case 'cache':
    case 'stale':
      expectTypeOf(r.value).toEqualTypeOf<Price>();
      expectTypeOf(r.degraded).toEqualTypeOf<false>();
      break;
    case 'default':
      expectTypeOf(r.value).toEqualTypeOf<number>();
      break;
    case 'degraded':
      expectTypeOf(r.value).toEqualTypeOf<'unavailable'>();
      expectTypeOf(r.degraded).toEqualTypeOf<true>();
      break;
    default:
      expectTypeOf(r).toBeNever();
  }
  if (r.degraded) expectTypeOf(r.value).toEqualTypeOf<'unavailable'>();
  else expectTypeOf(r.value).toEqualTypeOf<Price | number>();
});

// ts-pattern narrows on `source` (and on `degraded`), and checks that every rung is handled.
price$.pipe(ladder).subscribe((r) =>
  match(r)
    .with({ source: P.union('primary', 'cache', 'stale') }, ({ value }) => expectTypeOf(value).toEqualTypeOf<Price>())
    .with({ source: 'default' }, ({ value }) => expectTypeOf(value).toEqualTypeOf<number>())
    .with({ degraded: true }, ({ value }) => expectTypeOf(value).toEqualTypeOf<'unavailable'>())
    .exhaustive(),
);

// A ladder without `default` or `degraded` has no such member: matching them is an error.
const bare = fallbackLadder();
of(1).pipe(bare).subscribe((r) => {
  expectTypeOf(r).toEqualTypeOf<TaggedFrom<'primary', number> | TaggedFrom<'cache', number> | TaggedFrom<'stale', number>>();
  // @ts-expect-error this ladder never serves a default
  if (r.source === 'default') return;
});
expectTypeOf<Extract<Tagged<number, never, never>, { source: 'default' | 'degraded' }>>().toBeNever();

// `Tagged<T>` alone carries `T` from every rung, as before.
expectTypeOf<Tagged<string>['value']>().toEqualTypeOf<string>();
expectTypeOf<Extract<Tagged<string>, { source: 'degraded' }>['degraded']>().toEqualTypeOf<true>();
throwError(() => new Error('down')).pipe(fallbackLadder({ default: 'd' })).subscribe((r) => expectTypeOf(r.value).toEqualTypeOf<never | string>());
