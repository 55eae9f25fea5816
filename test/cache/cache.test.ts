import { defer, EMPTY, firstValueFrom, mergeMap, Observable, of, take, throwError, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { cache, ConfigError, isResilienceError, type CacheEvent, type CacheStats } from 'rx-resilience';
import { scriptedService, testScheduler } from 'rx-resilience/testing';

/** Subscribes `obs` at frame `at` (inside a TestScheduler run). */
const at = <T>(frame: number, obs: Observable<T>) => timer(frame).pipe(mergeMap(() => obs));

describe('cache', () => {
  it('serves a fresh hit without subscribing upstream, replaying the stored values', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const cached = cache({ ttl: 10 });
      const source = cold('-a-b|');
      expectObservable(source.pipe(cached)).toBe('-a-b|');
      expectObservable(at(6, source.pipe(cached))).toBe('------(ab|)');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('calls upstream again once the entry is ttl old (fresh means age < ttl)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const cached = cache({ ttl: 5 });
      const source = cold('-a|');
      expectObservable(source.pipe(cached)).toBe('-a|');
      expectObservable(at(6, source.pipe(cached))).toBe('------(a|)');
      expectObservable(at(7, source.pipe(cached))).toBe('--------a|');
      expectSubscriptions(source.subscriptions).toBe(['^-!', '-------^-!']);
    });
  });

  it('coalesces concurrent misses for one key into one upstream subscription', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const cached = cache({ ttl: 100 });
      const source = cold('-a--b|');
      expectObservable(source.pipe(cached)).toBe('-a--b|');
      // A late joiner gets the values so far at once, then the rest.
      expectObservable(at(2, source.pipe(cached))).toBe('--a-b|');
      expectObservable(at(3, source.pipe(cached.forKey('other')))).toBe('----a--b|');
      expectSubscriptions(source.subscriptions).toBe(['^----!', '---^----!']);
    });
  });

  it('keeps the upstream call while one caller remains, cancels it when the last leaves', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const cached = cache({ ttl: 100 });
      const source = cold('----a|');
      expectObservable(source.pipe(cached), '^-!').toBe('-');
      expectObservable(at(1, source.pipe(cached))).toBe('----a|');
      const lonely = cold('---x|');
      const keyed = lonely.pipe(cached.forKey('k'));
      expectObservable(keyed, '^-!').toBe('-');
      expectObservable(at(1, keyed), '^-!').toBe('-');
      // Nothing was stored for k: the next call goes upstream.
      expectObservable(at(3, keyed)).toBe('------x|');
      expectSubscriptions(source.subscriptions).toBe('^----!');
      expectSubscriptions(lonely.subscriptions).toBe(['^-!', '---^---!']);
    });
  });

  it('stores nothing for an error: every caller of the flight gets it, the next call retries', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const cached = cache({ ttl: 100 });
      const boom = new Error('boom');
      const failing = cold('--#', undefined, boom);
      expectObservable(failing.pipe(cached)).toBe('--#', undefined, boom);
      expectObservable(at(1, failing.pipe(cached))).toBe('--#', undefined, boom);
      expectObservable(at(3, failing.pipe(cached))).toBe('-----#', undefined, boom);
      expectSubscriptions(failing.subscriptions).toBe(['^-!', '---^-!']);
    });
  });

  it('caches an empty completion too', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const cached = cache({ ttl: 100 });
      const empty = cold('--|');
      expectObservable(empty.pipe(cached)).toBe('--|');
      expectObservable(at(5, empty.pipe(cached))).toBe('-----|');
      expectSubscriptions(empty.subscriptions).toBe('^-!');
    });
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const cached = cache({ ttl: 1_000, maxEntries: 2, scheduler: new VirtualTimeScheduler() });
    const calls: string[] = [];
    const get = cached.wrap((key: string) => defer(() => {
      calls.push(key);
      return of(key.toUpperCase());
    }), (key) => key);
    const run = (key: string) => {
      let out: string | undefined;
      get(key).subscribe((v) => (out = v));
      return out;
    };
    expect([run('a'), run('b'), run('a'), run('c'), run('a'), run('b')]).toEqual(['A', 'B', 'A', 'C', 'A', 'B']);
    // a, b stored; a touched; c evicts b; a hit; b called again (evicting c).
    expect(calls).toEqual(['a', 'b', 'c', 'b']);
    expect(cached.stats()).toMatchObject({ size: 2, hits: 2, misses: 4, evicted: 2, stored: 4 });
  });

  it('wrap calls the function only on a miss and keys by JSON of the arguments by default (firstValueFrom stores)', async () => {
    const cached = cache({ ttl: 1_000, scheduler: new VirtualTimeScheduler() });
    let calls = 0;
    const add = cached.wrap((a: number, b: number) => {
      calls++;
      return Promise.resolve(a + b);
    });
    const add2 = cached.wrap((a: number, b: number) => of(a * b)); // same cache, same keys
    expect(await firstValueFrom(add(1, 2))).toBe(3);
    expect(await firstValueFrom(add(1, 2))).toBe(3);
    expect(await firstValueFrom(add(2, 2))).toBe(4);
    expect(await firstValueFrom(add2(1, 2))).toBe(3);
    expect(calls).toBe(2);
    expect(cached.peek('[1,2]')?.values).toEqual([3]);
  });

  it('keeps entries stale for staleTtl (not served, visible to peek), then drops them', () => {
    const scheduler = new VirtualTimeScheduler();
    const cached = cache({ ttl: 10, staleTtl: 20, scheduler });
    const service = scriptedService([{ ok: 1 }, { fail: new Error('down') }], scheduler);
    const calls = () => service.calls.length;
    defer(() => service.call()).pipe(cached.forKey('k')).subscribe();
    scheduler.flush();
    expect(cached.peek('k')).toEqual({ key: 'k', values: [1], storedAt: 0, age: 0, state: 'fresh' });
    scheduler.schedule(() => {
      expect(cached.peek('k')).toMatchObject({ age: 10, state: 'stale' });
      defer(() => service.call()).pipe(cached.forKey('k')).subscribe({ error: () => undefined });
      expect(calls()).toBe(2); // a stale entry is a miss
    }, 10);
    scheduler.flush();
    scheduler.schedule(() => expect(cached.peek('k')).toBeUndefined(), 20);
    scheduler.flush();
    expect(cached.stats()).toMatchObject({ hits: 0, misses: 2, size: 0, expired: 1 });
  });

  it('invalidate drops the entry; a call in flight goes on but its result is not stored', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const cached = cache({ ttl: 100 });
      const source = cold('---a|');
      expectObservable(source.pipe(cached)).toBe('---a|');
      timer(1).subscribe(() => expect(cached.invalidate('default')).toBe(true));
      expectObservable(at(2, source.pipe(cached))).toBe('-----a|');
      expectObservable(at(10, source.pipe(cached))).toBe('----------(a|)');
      timer(20).subscribe(() => cached.clear());
      expectObservable(at(21, source.pipe(cached))).toBe('------------------------a|');
      expectSubscriptions(source.subscriptions).toBe(['^---!', '--^---!', '---------------------^---!']);
    });
  });

  it('stops a synchronous firehose under take; the values taken are the stored result (decision 1)', () => {
    let produced = 0;
    const firehose = new Observable<number>((s) => {
      while (!s.closed) s.next(produced++);
    });
    const cached = cache({ ttl: 100, scheduler: new VirtualTimeScheduler() });
    const seen: number[] = [];
    firehose.pipe(cached, take(2)).subscribe((v) => seen.push(v));
    expect(seen).toEqual([0, 1]);
    expect(produced).toBe(2);
    expect(cached.stats()).toMatchObject({ size: 1, inFlight: 0 });
    expect(cached.peek('default')?.values).toEqual([0, 1]);
  });

  it('passes through empty, never and throwing sources; unsubscribes through mergeMap', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(EMPTY.pipe(cache({ ttl: 1 }))).toBe('|');
      expectObservable(throwError(() => 'x').pipe(cache({ ttl: 1 }))).toBe('#', undefined, 'x');
      const never = cold('-');
      expectObservable(at(2, never.pipe(cache({ ttl: 1 }))), '^----!').toBe('-');
      expectSubscriptions(never.subscriptions).toBe('--^--!');
    });
  });

  it('reports hits, misses, coalesced calls, stores, evictions in events$ and metrics$', () => {
    const cached = cache({ name: 'c', ttl: 10, maxEntries: 1 });
    const events: CacheEvent[] = [];
    const metrics: CacheStats[] = [];
    cached.events$.subscribe((e) => events.push(e));
    cached.metrics$.subscribe((m) => metrics.push(m));
    testScheduler().run(({ cold }) => {
      const source = cold('--a|');
      source.pipe(cached).subscribe();
      at(1, source.pipe(cached)).subscribe();
      at(5, source.pipe(cached)).subscribe();
      at(6, source.pipe(cached.forKey('z'))).subscribe();
    });
    expect(events.map((e) => `${e.type} ${e.key} @${e.at}`)).toEqual([
      'miss default @0', 'coalesced default @1', 'stored default @3', 'hit default @5', 'miss z @6', 'evicted default @9', 'stored z @9',
    ]);
    expect(events[3]).toEqual({ type: 'hit', policy: 'c', at: 5, key: 'default', age: 2 });
    expect(metrics[0]).toEqual({ name: 'c', size: 0, maxEntries: 1, inFlight: 0, hits: 0, misses: 0, coalesced: 0, stale: 0, stored: 0, evicted: 0, expired: 0 });
    expect(metrics.at(-1)).toEqual({ name: 'c', size: 1, maxEntries: 1, inFlight: 0, hits: 1, misses: 2, coalesced: 1, stale: 0, stored: 2, evicted: 1, expired: 0 });
  });
});

describe('cache config', () => {
  const bad: [field: string, config: unknown, allowed: RegExp][] = [
    ['config', undefined, /an object/],
    ['config', 5, /an object/],
    ['tll', { ttl: 1, tll: 5 }, /known options/],
    ['ttl', {}, /required/],
    ['ttl', { ttl: 0 }, /> 0/],
    ['ttl', { ttl: Number.POSITIVE_INFINITY }, /finite/],
    ['ttl', { ttl: '1m' }, /milliseconds/],
    ['staleTtl', { ttl: 1, staleTtl: -1 }, />= 0/],
    ['maxEntries', { ttl: 1, maxEntries: 0 }, /integer >= 1/],
    ['maxEntries', { ttl: 1, maxEntries: 2.5 }, /integer >= 1/],
    ['key', { ttl: 1, key: 3 }, /a string/],
    ['name', { ttl: 1, name: '' }, /non-empty string/],
    ['scheduler', { ttl: 1, scheduler: 'async' }, /SchedulerLike/],
  ];

  it.each(bad)('refuses a bad %s', (field, config, allowed) => {
    let error: unknown;
    try {
      cache(config as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(isResilienceError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).toMatch(allowed);
  });

  it('refuses a non-string key in forKey', () => {
    expect(() => cache({ ttl: 1 }).forKey(1 as never)).toThrow(ConfigError);
  });
});
