/** Type-level checks of the public shapes (checked by `tsc` in `npm test`, asserted at run time by vitest). */
import { map, of, type Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import { circuitBreaker, type CircuitBreakerEvent, type CircuitState } from 'rx-resilience';

describe('public types', () => {
  it('a breaker is a generic operator that keeps the value type', () => {
    const breaker = circuitBreaker();
    expectTypeOf(of(1).pipe(breaker)).toEqualTypeOf<Observable<number>>();
    expectTypeOf(of('a').pipe(breaker, map((s) => s.length))).toEqualTypeOf<Observable<number>>();
    expectTypeOf(breaker.state$).toEqualTypeOf<Observable<CircuitState>>();
  });

  it('events are a tagged union on type', () => {
    const describe = (e: CircuitBreakerEvent) => (e.type === 'transition' ? `${e.from}->${e.to}` : e.type === 'rejected' ? String(e.retryAfter) : e.duration);
    expectTypeOf(describe).returns.toEqualTypeOf<string | number>();
  });

  it('refuses an unknown strategy kind and a misspelt option at compile time', () => {
    // @ts-expect-error unknown strategy kind
    const bad = () => circuitBreaker({ strategy: { kind: 'sliding' } });
    // @ts-expect-error misspelt option
    const typo = () => circuitBreaker({ breakDurration: 5 });
    expectTypeOf(bad).toBeFunction();
    expectTypeOf(typo).toBeFunction();
  });
});
