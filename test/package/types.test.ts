/** Type-level checks of the public shapes (checked by `tsc` in `npm test`, asserted at run time by vitest). */
import { map, of, type Observable } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import { circuitBreaker, durableQueue, isQueued, memoryQueueStore, queueOnFailure, type CircuitBreakerEvent, type CircuitState, type Envelope, type Queued } from 'rx-resilience';

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

  it('a queue keeps its payload type, and queueOnFailure adds Queued to the value type', () => {
    const queue = durableQueue<{ order: string }>({ store: memoryQueueStore() });
    const orQueue = queueOnFailure(queue, (input: string) => ({ payload: { order: input } }));
    const result = of(1).pipe(orQueue('o-1'));
    expectTypeOf(result).toEqualTypeOf<Observable<number | Queued>>();
    expectTypeOf(result.pipe(map((r) => (isQueued(r) ? r.id : r)))).toEqualTypeOf<Observable<string | number>>();
    queue.drain((m) => {
      expectTypeOf(m).toEqualTypeOf<Envelope<{ order: string }>>();
      return of(m.payload.order);
    });
    // @ts-expect-error the payload must be the queue's type
    const wrong = () => queueOnFailure(queue, (input: string) => ({ payload: input }));
    expectTypeOf(wrong).toBeFunction();
  });
});
