import { mergeMap, Observable, of, take, throwError, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { circuitBreaker, CircuitOpenError, ConfigError, fallback, isResilienceError, type FallbackEvent } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

const boom = new Error('boom');

describe('fallback', () => {
  it('switches to the alternative on an error, after the values already delivered', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--#', undefined, boom);
      const alternative = cold('-x|');
      expectObservable(source.pipe(fallback(alternative))).toBe('--a---x|');
      expectSubscriptions(source.subscriptions).toBe('^----!');
      expectSubscriptions(alternative.subscriptions).toBe('-----^-!');
    });
  });

  it('leaves values and completion alone and never subscribes the alternative without an error', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const alternative = cold('x|');
      expectObservable(cold('-a-b|').pipe(fallback(alternative))).toBe('-a-b|');
      expectSubscriptions(alternative.subscriptions).toBe([]);
    });
  });

  it('gives the error to an alternative function, once per error', () => {
    const seen: unknown[] = [];
    const policy = fallback((error) => {
      seen.push(error);
      return of(`after ${(error as Error).message}`);
    });
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('--#', undefined, boom).pipe(policy)).toBe('--(x|)', { x: 'after boom' });
      expectObservable(cold('#', undefined, new Error('other')).pipe(policy)).toBe('(x|)', { x: 'after other' });
    });
    expect(seen).toEqual([new Error('other'), boom]); // in time order: frame 0, then frame 2
  });

  it('passes errors that when refuses through unchanged', () => {
    let policy: ReturnType<typeof fallback> | undefined;
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const alternative = cold('x|');
      policy = fallback(alternative, { when: (e) => e instanceof TypeError });
      expectObservable(cold('-#', undefined, boom).pipe(policy)).toBe('-#', undefined, boom);
      expectObservable(cold('-#', undefined, new TypeError('t')).pipe(policy)).toBe('-x|');
      expectSubscriptions(alternative.subscriptions).toBe('-^!');
    });
    expect(policy!.stats()).toMatchObject({ fallbacks: 1, passed: 1 });
  });

  it('tries a chain of alternatives in the order they are piped', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const mirror = cold('-#', undefined, new Error('mirror down'));
      const chain = cold('-#', undefined, boom).pipe(fallback(mirror), fallback(of('default')));
      expectObservable(chain).toBe('--(d|)', { d: 'default' });
    });
  });

  it('handles our own rejections too, e.g. an open breaker (decision 15)', () => {
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 1_000, scheduler: new VirtualTimeScheduler() });
    throwError(() => boom).pipe(breaker).subscribe({ error: () => undefined });
    const errors: unknown[] = [];
    const values: string[] = [];
    of('live').pipe(breaker, fallback((error) => {
      errors.push(error);
      return of('cached');
    })).subscribe((v) => values.push(v));
    expect(values).toEqual(['cached']);
    expect(errors[0]).toBeInstanceOf(CircuitOpenError);
  });

  it('accepts any ObservableInput: promise, array, iterable', async () => {
    const values: unknown[] = [];
    await new Promise<void>((resolve) => throwError(() => boom).pipe(fallback(Promise.resolve(1))).subscribe({ next: (v) => values.push(v), complete: resolve }));
    throwError(() => boom).pipe(fallback([2, 3])).subscribe((v) => values.push(v));
    throwError(() => boom).pipe(fallback(new Set([4]))).subscribe((v) => values.push(v));
    expect(values).toEqual([1, 2, 3, 4]);
  });

  it('sends throws from when or the alternative function downstream', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const bad = new Error('predicate bug');
      expectObservable(cold('-#').pipe(fallback(of(1), { when: () => { throw bad; } }))).toBe('-#', undefined, bad);
      expectObservable(cold('-#').pipe(fallback(() => { throw bad; }))).toBe('-#', undefined, bad);
    });
  });

  it('unsubscribes the alternative when the caller leaves, also through mergeMap', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const alternative = cold('----x|');
      const guarded = timer(1).pipe(mergeMap(() => cold('-#').pipe(fallback(alternative))));
      expectObservable(guarded, '^----!').toBe('-');
      expectSubscriptions(alternative.subscriptions).toBe('--^--!');
    });
  });

  it('stops a synchronous firehose in the alternative under take', () => {
    let produced = 0;
    const firehose = new Observable<number>((s) => {
      while (!s.closed) s.next(produced++);
    });
    const seen: number[] = [];
    throwError(() => boom).pipe(fallback(firehose), take(2)).subscribe((v) => seen.push(v));
    expect(seen).toEqual([0, 1]);
    expect(produced).toBe(2);
  });

  it('reports each switch in events$ with the error and scheduler time', () => {
    const policy = fallback(of(0), { name: 'fb' });
    const events: FallbackEvent[] = [];
    policy.events$.subscribe((e) => events.push(e));
    testScheduler().run(({ cold }) => {
      cold('---#', undefined, boom).pipe(policy).subscribe();
    });
    expect(events).toEqual([{ type: 'fallback', policy: 'fb', at: 3, error: boom }]);
    expect(policy.stats()).toEqual({ name: 'fb', fallbacks: 1, passed: 0 });
  });

  it('widens the result type to T | A', () => {
    const num$ = of(1).pipe(fallback(of('none')));
    expectTypeOf(num$).toEqualTypeOf<Observable<number | string>>();
    const fromFn$ = of(1).pipe(fallback(() => Promise.resolve(null)));
    expectTypeOf(fromFn$).toEqualTypeOf<Observable<number | null>>();
    const same$ = of(1).pipe(fallback([2]));
    expectTypeOf(same$).toEqualTypeOf<Observable<number>>();
  });
});

describe('fallback config', () => {
  const bad: [field: string, alternative: unknown, config: unknown, allowed: RegExp][] = [
    ['alternative', 42, undefined, /ObservableInput/],
    ['alternative', null, undefined, /ObservableInput/],
    ['config', of(1), 'all', /an object/],
    ['wehn', of(1), { wehn: () => true }, /known options/],
    ['when', of(1), { when: true }, /a function/],
    ['name', of(1), { name: '' }, /non-empty string/],
    ['scheduler', of(1), { scheduler: 1 }, /SchedulerLike/],
  ];

  it.each(bad)('refuses a bad %s', (field, alternative, config, allowed) => {
    let error: unknown;
    try {
      fallback(alternative as never, config as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(isResilienceError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).toMatch(allowed);
  });

  it('generates a stable name', () => {
    expect(fallback(of(1)).name).toMatch(/^fallback-\d+$/);
  });
});
