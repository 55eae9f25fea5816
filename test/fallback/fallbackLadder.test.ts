import { mergeMap, Observable, of, take, throwError, timer, VirtualTimeScheduler } from 'rxjs';
import { match } from 'ts-pattern';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { cache, ConfigError, fallbackLadder, isResilienceError, type FallbackLadderEvent, type Tagged } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

const boom = new Error('boom');
const primary = <T>(value: T): Tagged<T> => ({ value, source: 'primary', degraded: false, warnings: [] });
const at = <T>(frame: number, obs: Observable<T>) => timer(frame).pipe(mergeMap(() => obs));

describe('fallbackLadder', () => {
  it('tags primary values, stores them, and serves a fresh hit tagged cache without calling the primary', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const ladder = fallbackLadder({ cache: cache({ ttl: 10 }) });
      const source = cold('-a|');
      expectObservable(source.pipe(ladder)).toBe('-p|', { p: primary('a') });
      expectObservable(at(5, source.pipe(ladder))).toBe('-----(c|)', { c: { value: 'a', source: 'cache', degraded: false, warnings: [] } });
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('walks down the rungs: stale within staleFor, then default, then degraded', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const prices = cache({ ttl: 10, staleTtl: 100 });
      const ladder = fallbackLadder({ cache: prices, staleFor: 20, default: (_e: unknown, key: string) => (key === 'eu' ? 0 : undefined), degraded: -1 });
      const up = cold('-a|', { a: 42 });
      const down = cold('-#', undefined, boom);
      expectObservable(up.pipe(ladder.forKey('us'))).toBe('-p|', { p: primary(42) });
      // The primary fails at 16: the entry (stored at 2) is 14 ms old, 4 ms past its ttl: stale.
      expectObservable(at(15, down.pipe(ladder.forKey('us')))).toBe('----------------(s|)', {
        s: { value: 42, source: 'stale', degraded: false, warnings: ['primary failed (Error: boom); served a stale cached value stored 14 ms ago'] },
      });
      // Failing at 41 it is 39 ms old, 29 past its ttl: beyond staleFor. No default for 'us': degraded.
      expectObservable(at(40, down.pipe(ladder.forKey('us')))).toBe('-----------------------------------------(d|)', {
        d: { value: -1, source: 'degraded', degraded: true, warnings: ['primary failed (Error: boom); running in degraded mode'] },
      });
      expectObservable(down.pipe(ladder.forKey('eu'))).toBe('-(f|)', {
        f: { value: 0, source: 'default', degraded: false, warnings: ['primary failed (Error: boom); served the default value'] },
      });
    });
  });

  it('serves a fresh entry stored while the failing call ran, tagged cache with a warning', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = cache({ ttl: 100 });
      const ladder = fallbackLadder({ cache: store });
      expectObservable(cold('----------#', undefined, boom).pipe(ladder)).toBe('----------(c|)', {
        c: { value: 'b', source: 'cache', degraded: false, warnings: ['primary failed (Error: boom); served a cached value stored 7 ms ago'] },
      });
      // The call in flight is detached by invalidate, so a second call runs and stores 'b' at 3.
      timer(1).subscribe(() => store.invalidate('default'));
      expectObservable(at(1, cold('-b|').pipe(ladder))).toBe('--p|', { p: primary('b') });
    });
  });

  it('passes the error on when no rung has a value, or when `when` refuses it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = cache({ ttl: 5, staleTtl: 50 });
      const picky = fallbackLadder({ cache: store, default: 'd', when: (e) => e !== 'fatal' });
      const bare = fallbackLadder({ cache: store });
      cold('a|').pipe(picky).subscribe();
      expectObservable(at(10, cold('#', undefined, 'fatal').pipe(picky))).toBe('----------#', undefined, 'fatal');
      expectObservable(at(11, cold('#', undefined, 'other').pipe(picky))).toBe('-----------(s|)', {
        s: { value: 'a', source: 'stale', degraded: false, warnings: ['primary failed (other); served a stale cached value stored 10 ms ago'] },
      });
      expectObservable(cold('-#', undefined, boom).pipe(bare.forKey('nothing'))).toBe('-#', undefined, boom);
    });
  });

  it('works without a cache: primary, then default', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const ladder = fallbackLadder({ default: { services: [] as string[] } });
      expectObservable(cold('-#', undefined, boom).pipe(ladder)).toBe('-(d|)', {
        d: { value: { services: [] }, source: 'default', degraded: false, warnings: ['primary failed (Error: boom); served the default value'] },
      });
    });
  });

  it('wraps a function: keyed by its arguments, called only on a miss', () => {
    const scheduler = new VirtualTimeScheduler();
    const pricing = cache({ ttl: 100, staleTtl: 1_000, scheduler });
    const ladder = fallbackLadder({ cache: pricing, degraded: { price: 0 } });
    const calls: string[] = [];
    let up = true;
    const price = ladder.wrap((region: string) => {
      calls.push(region);
      return up ? of({ price: region.length }) : throwError(() => new Error('down'));
    }, (region) => region);
    const seen: Tagged<{ price: number }>[] = [];
    price('us-east-1').subscribe((t) => seen.push(t));
    price('us-east-1').subscribe((t) => seen.push(t));
    up = false;
    scheduler.schedule(() => price('us-east-1').subscribe((t) => seen.push(t)), 500);
    scheduler.schedule(() => price('eu').subscribe((t) => seen.push(t)), 500);
    scheduler.flush();
    expect(seen.map((t) => `${t.source}:${t.value.price}`)).toEqual(['primary:9', 'cache:9', 'stale:9', 'degraded:0']);
    expect(calls).toEqual(['us-east-1', 'us-east-1', 'eu']);
    expect(pricing.stats()).toMatchObject({ hits: 1, stale: 1, misses: 3 });
  });

  it('counts rescues by rung and reports them in events$', () => {
    const ladder = fallbackLadder({ name: 'l', default: 0, when: (e) => e !== 'x' });
    const events: FallbackLadderEvent[] = [];
    ladder.events$.subscribe((e) => events.push(e));
    testScheduler().run(({ cold }) => {
      cold('-#', undefined, boom).pipe(ladder).subscribe();
      cold('--#', undefined, 'x').pipe(ladder.forKey('k')).subscribe({ error: () => undefined });
    });
    expect(events).toEqual([
      { type: 'fallback', policy: 'l', at: 1, key: 'default', source: 'default', error: boom },
      { type: 'unhandled', policy: 'l', at: 2, key: 'k', error: 'x' },
    ]);
    expect(ladder.stats()).toEqual({ name: 'l', fallbacks: { cache: 0, stale: 0, default: 1, degraded: 0 }, unhandled: 1 });
  });

  it('stops a synchronous firehose under take and unsubscribes through mergeMap', () => {
    let produced = 0;
    const firehose = new Observable<number>((s) => {
      while (!s.closed) s.next(produced++);
    });
    const seen: number[] = [];
    firehose.pipe(fallbackLadder({ cache: cache({ ttl: 5, scheduler: new VirtualTimeScheduler() }) }), take(2)).subscribe((t) => seen.push(t.value));
    expect(seen).toEqual([0, 1]);
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('-----a|');
      expectObservable(at(1, slow.pipe(fallbackLadder({ cache: cache({ ttl: 5 }) }))), '^--!').toBe('-');
      expectSubscriptions(slow.subscriptions).toBe('-^-!');
    });
  });

  it('types the result as Tagged<T, default, degraded>, matchable with ts-pattern', () => {
    const ladder = fallbackLadder({ default: 'none', degraded: null });
    const tagged$ = of(1).pipe(ladder);
    expectTypeOf(tagged$).toEqualTypeOf<Observable<Tagged<number, string, null>>>();
    const shown: string[] = [];
    throwError(() => boom).pipe(fallbackLadder({ degraded: 'limited' })).subscribe((r) =>
      shown.push(
        match(r)
          .with({ source: 'primary' }, { source: 'cache' }, ({ value }) => `ok ${value}`)
          .with({ degraded: true }, ({ value, warnings }) => `degraded ${value} (${warnings.length} warning)`)
          .otherwise(({ value }) => `fallback ${value}`),
      ),
    );
    expect(shown).toEqual(['degraded limited (1 warning)']);
  });
});

describe('fallbackLadder config', () => {
  const store = cache({ ttl: 10, staleTtl: 30 });
  const bad: [field: string, config: unknown, allowed: RegExp][] = [
    ['config', 3, /an object/],
    ['defualt', { defualt: 1 }, /known options/],
    ['cache', { cache: {} }, /built by cache\(\)/],
    ['cache', { cache: () => undefined }, /built by cache\(\)/],
    ['staleFor', { staleFor: 10 }, /only together with a cache/],
    ['staleFor', { cache: store, staleFor: 31 }, /at most the cache's staleTtl \(30 ms\)/],
    ['staleFor', { cache: store, staleFor: -1 }, />= 0/],
    ['when', { when: 'always' }, /a function/],
    ['name', { name: 5 }, /non-empty string/],
    ['scheduler', { scheduler: {} }, /SchedulerLike/],
  ];

  it.each(bad)('refuses a bad %s', (field, config, allowed) => {
    let error: unknown;
    try {
      fallbackLadder(config as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(isResilienceError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).toMatch(allowed);
  });

  it('refuses a non-string key in forKey', () => {
    expect(() => fallbackLadder().forKey(undefined as never)).toThrow(ConfigError);
  });
});
