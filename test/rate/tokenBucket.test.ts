import { defer, EMPTY, mergeMap, NEVER, Observable, of, take, throwError, timer } from 'rxjs';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ConfigError, isResilienceError, memoryStore, RateLimitedError, tokenBucket, type RateLimiterEvent, type RateStore, type TakeResult } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';

const boom = new Error('boom');

describe('tokenBucket, reject mode', () => {
  it('starts full, admits a burst of capacity, then rejects with the exact retryAfter without subscribing upstream', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const limiter = tokenBucket({ name: 'tb', capacity: 2, refill: { tokens: 1, every: 4 } });
      const source = cold('a|');
      const callAt = (t: number) => timer(t).pipe(mergeMap(() => source.pipe(limiter)));
      expectObservable(callAt(0)).toBe('a|');
      expectObservable(callAt(1)).toBe('-a|');
      // At 2 the bucket holds 0.25 + 0.25 = 0.5 tokens: one more arrives after 2 ms.
      expectObservable(callAt(2)).toBe('--#', undefined, new RateLimitedError('tb', 2));
      expectObservable(callAt(6)).toBe('------a|');
      expectSubscriptions(source.subscriptions).toBe(['^!', '-^!', '------^!']);
    });
  });

  it('admits at exactly the instant retryAfter names', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = tokenBucket({ name: 'exact', capacity: 1, refill: { tokens: 1, every: 100 } });
      const callAt = (t: number) => timer(t).pipe(mergeMap(() => of('x').pipe(limiter)));
      expectObservable(callAt(0)).toBe('(x|)');
      expectObservable(callAt(30)).toBe('30ms #', undefined, new RateLimitedError('exact', 70));
      expectObservable(callAt(99)).toBe('99ms #', undefined, new RateLimitedError('exact', 1));
      expectObservable(callAt(100)).toBe('100ms (x|)');
    });
  });

  it('refills continuously in fractions and never above capacity', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = tokenBucket({ capacity: 3, refill: { tokens: 3, every: 10 }, scheduler });
    for (let i = 0; i < 3; i++) of(1).pipe(limiter).subscribe();
    expect(limiter.stats().remaining).toBe(0);
    scheduler.schedule(() => expect(limiter.stats().remaining).toBeCloseTo(1.5, 9), 5);
    scheduler.schedule(() => expect(limiter.stats().remaining).toBe(3), 1_000);
    scheduler.flush();
  });

  it('charges cost per call, whatever the call emits', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limiter = tokenBucket({ name: 'cost', capacity: 5, refill: { tokens: 1, every: 1 }, cost: 2 });
      expectObservable(cold('abc|').pipe(limiter)).toBe('abc|');
      expectObservable(cold('a|').pipe(limiter)).toBe('a|');
      // 1 token left; 2 needed: 1 ms.
      expectObservable(cold('a|').pipe(limiter)).toBe('#', undefined, new RateLimitedError('cost', 1));
    });
  });

  it('gives each key its own bucket; keyed rejections name the key', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = tokenBucket({ name: 'keys', capacity: 1, refill: { tokens: 1, every: 10 } });
      expectObservable(of(1).pipe(limiter.forKey('a'))).toBe('(x|)', { x: 1 });
      expectObservable(of(1).pipe(limiter.forKey('b'))).toBe('(x|)', { x: 1 });
      expectObservable(of(1).pipe(limiter)).toBe('(x|)', { x: 1 });
      expectObservable(of(1).pipe(limiter.forKey('a'))).toBe('#', undefined, new RateLimitedError('keys', 10, 'a'));
    });
  });
});

describe('tokenBucket, wait mode', () => {
  it('delays calls until their tokens are there, in arrival order', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const limiter = tokenBucket({ capacity: 1, refill: { tokens: 1, every: 5 }, mode: 'wait' });
      const a = cold('a|');
      const b = cold('b|');
      const c = cold('c|');
      expectObservable(a.pipe(limiter)).toBe('a|');
      expectObservable(timer(1).pipe(mergeMap(() => b.pipe(limiter)))).toBe('-----b|');
      expectObservable(timer(2).pipe(mergeMap(() => c.pipe(limiter)))).toBe('----------c|');
      expectSubscriptions(b.subscriptions).toBe('-----^!');
      expectSubscriptions(c.subscriptions).toBe('----------^!');
    });
  });

  it('rejects at once a call whose wait would exceed maxWait, with that wait as retryAfter', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = tokenBucket({ name: 'mw', capacity: 1, refill: { tokens: 1, every: 5 }, mode: 'wait', maxWait: 7 });
      const callAt = (t: number) => timer(t).pipe(mergeMap(() => of(t).pipe(limiter)));
      expectObservable(callAt(0)).toBe('(x|)', { x: 0 });
      expectObservable(callAt(0)).toBe('-----(x|)', { x: 0 }); // waits 5
      expectObservable(callAt(0)).toBe('#', undefined, new RateLimitedError('mw', 10)); // would wait 10
      expectObservable(callAt(4)).toBe('----------(x|)', { x: 4 }); // waits 6, behind the first waiter
    });
  });

  it('a waiter that unsubscribes takes no tokens: the next one is admitted as if it never came', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limiter = tokenBucket({ capacity: 1, refill: { tokens: 1, every: 10 }, mode: 'wait' });
      expectObservable(cold('a|').pipe(limiter)).toBe('a|');
      expectObservable(timer(1).pipe(mergeMap(() => cold('b|').pipe(limiter))), '^---!').toBe('-'); // leaves at 4
      expectObservable(timer(2).pipe(mergeMap(() => cold('c|').pipe(limiter)))).toBe('10ms c|');
      expectObservable(timer(3).pipe(mergeMap(() => cold('d|').pipe(limiter)))).toBe('20ms d|');
    });
    expect.assertions(0);
  });

  it('emits queued, admitted, cancelled and rejected events with scheduler time, and counts them', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = tokenBucket({ name: 'ev', capacity: 1, refill: { tokens: 1, every: 10 }, mode: 'wait', maxWait: 15, scheduler });
    const events: RateLimiterEvent[] = [];
    limiter.events$.subscribe((e) => events.push(e));
    of(1).pipe(limiter).subscribe();
    const waiting = of(2).pipe(limiter.forKey('')).subscribe();
    of(3).pipe(limiter).subscribe({ error: () => undefined });
    scheduler.schedule(() => waiting.unsubscribe(), 4);
    scheduler.flush();
    expect(events).toEqual([
      { type: 'admitted', policy: 'ev', at: 0, key: '', cost: 1, waited: 0 },
      { type: 'queued', policy: 'ev', at: 0, key: '', cost: 1, ahead: 0, retryAfter: 10 },
      { type: 'rejected', policy: 'ev', at: 0, key: '', cost: 1, retryAfter: 20 },
      { type: 'cancelled', policy: 'ev', at: 4, key: '', waited: 4 },
    ]);
    expect(limiter.stats()).toMatchObject({ name: 'ev', admitted: 1, rejected: 1, cancelled: 1, waiting: 0, limit: 1 });
    expect(scheduler.actions.length).toBe(0);
  });
});

describe('tokenBucket streams', () => {
  it('state$ replays the current state and emits on admissions, queueing and rejections', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = tokenBucket({ capacity: 2, refill: { tokens: 1, every: 8 }, mode: 'wait', maxWait: 10 });
      const callAt = (t: number) => timer(t).pipe(mergeMap(() => of(t).pipe(limiter))).subscribe({ error: () => undefined });
      callAt(1);
      callAt(2);
      callAt(3); // 0.25 tokens: queued until 9
      callAt(3); // would wait 14: rejected
      expectObservable(limiter.state$).toBe('abc(de) 2ms f', {
        a: { remaining: 2, limit: 2, waiting: 0, rejected: 0 },
        b: { remaining: 1, limit: 2, waiting: 0, rejected: 0 },
        c: { remaining: 0.125, limit: 2, waiting: 0, rejected: 0 },
        d: { remaining: 0.125, limit: 2, waiting: 1, rejected: 0 },
        e: { remaining: 0.25, limit: 2, waiting: 1, rejected: 1 },
        f: { remaining: 0, limit: 2, waiting: 0, rejected: 1 },
      });
    });
  });
});

describe('tokenBucket keyed memory', () => {
  it('one-off keys leave nothing behind once idle and full; later traffic drops them too', () => {
    const scheduler = new VirtualTimeScheduler();
    const store = memoryStore();
    const limiter = tokenBucket({ capacity: 2, refill: { tokens: 1, every: 10 }, store, scheduler });
    for (let i = 0; i < 10_000; i++) of(i).pipe(limiter.forKey(`user-${i}`)).subscribe();
    expect(store.size).toBe(10_000);
    // A bucket that took 1 of 2 tokens is full again 10 ms later: not before.
    scheduler.schedule(() => expect(limiter.stats().keys).toBe(10_000), 9);
    scheduler.schedule(() => {
      // Each new key drops up to 4 idle ones on its way in.
      for (let i = 0; i < 2_500; i++) of(i).pipe(limiter.forKey(`next-${i}`)).subscribe();
      expect(store.size).toBe(2_500);
    }, 10);
    scheduler.schedule(() => expect(limiter.stats().keys).toBe(0), 20);
    scheduler.flush();
  });

  it('limiters sharing a store share records only under the same name; no key reaches another limiter', () => {
    const scheduler = new VirtualTimeScheduler();
    const store = memoryStore();
    const make = (name: string) => tokenBucket({ name, capacity: 1, refill: { tokens: 1, every: 10 }, store, scheduler });
    const outcome = (op: (s: Observable<number>) => Observable<number>) => {
      let result: unknown = 'admitted';
      of(1).pipe(op).subscribe({ error: (e: unknown) => (result = e) });
      return result;
    };
    const a = make('a');
    expect(outcome(a.forKey('b:c'))).toBe('admitted');
    expect(outcome(make('a:b').forKey('c'))).toBe('admitted'); // not the record of a / 'b:c'
    expect(outcome(make('a').forKey('b:c'))).toBeInstanceOf(RateLimitedError); // same name, same record
    expect(outcome(make('b'))).toBe('admitted');
    expect(store.size).toBe(3);
  });

  it('stats() drops every idle key at once', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = tokenBucket({ capacity: 1, refill: { tokens: 1, every: 10 }, scheduler });
    for (let i = 0; i < 1_000; i++) of(i).pipe(limiter.forKey(`k${i}`)).subscribe();
    scheduler.schedule(() => expect(limiter.stats().keys).toBe(1_000), 9);
    scheduler.schedule(() => expect(limiter.stats().keys).toBe(0), 10);
    scheduler.flush();
  });

  it('maxKeys bounds busy keys, dropping the least recently used first', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = tokenBucket({ name: 'lru', capacity: 1, refill: { tokens: 1, every: 1_000 }, maxKeys: 2, scheduler });
    const call = (key: string) => {
      let error: unknown;
      of(1).pipe(limiter.forKey(key)).subscribe({ error: (e: unknown) => (error = e) });
      return error;
    };
    call('a');
    call('b');
    expect(call('a')).toBeInstanceOf(RateLimitedError); // a is now the most recent
    call('c'); // drops b
    expect(limiter.stats().keys).toBe(2);
    expect(call('b')).toBeUndefined(); // b starts over with a full bucket; drops a
    expect(call('c')).toBeInstanceOf(RateLimitedError);
  });
});

describe('tokenBucket with a store that answers later', () => {
  /** Wraps a memory store so that every answer arrives as a promise (as from Redis). */
  const remote = (): RateStore & { asked: number } => {
    const memory = memoryStore();
    const store = {
      asked: 0,
      take(key: string, cost: number, now: number, params: Parameters<RateStore['take']>[3], queued: number): Promise<TakeResult> {
        store.asked++;
        return Promise.resolve({ ...memory.take(key, cost, now, params, queued) });
      },
    };
    return store;
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('reject mode admits and rejects from the answer', async () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = tokenBucket({ name: 'remote', capacity: 1, refill: { tokens: 1, every: 10 }, store: remote(), scheduler });
    const seen: unknown[] = [];
    of('a').pipe(limiter).subscribe({ next: (v) => seen.push(v), error: (e: unknown) => seen.push(e) });
    of('b').pipe(limiter).subscribe({ next: (v) => seen.push(v), error: (e: unknown) => seen.push(e) });
    expect(seen).toEqual([]);
    await settle();
    expect(seen).toEqual(['a', new RateLimitedError('remote', 10)]);
  });

  it('wait mode keeps FIFO order through pending answers and wakes the head on the scheduler', async () => {
    const scheduler = new VirtualTimeScheduler();
    const store = remote();
    const limiter = tokenBucket({ capacity: 1, refill: { tokens: 1, every: 10 }, mode: 'wait', store, scheduler });
    const order: string[] = [];
    for (const v of ['a', 'b', 'c']) of(v).pipe(limiter).subscribe((x) => order.push(`${x}@${scheduler.now()}`));
    await settle();
    expect(order).toEqual(['a@0']);
    for (let t = 0; t < 3; t++) {
      scheduler.flush();
      await settle();
    }
    expect(order).toEqual(['a@0', 'b@10', 'c@20']);
    expect(limiter.stats()).toMatchObject({ waiting: 0, keys: 0 });
  });

  it('a store error reaches the call that asked', async () => {
    const failing: RateStore = { take: () => Promise.reject(boom) };
    const limiter = tokenBucket({ capacity: 1, refill: { tokens: 1 }, store: failing, mode: 'wait' });
    const errors: unknown[] = [];
    of(1).pipe(limiter).subscribe({ error: (e: unknown) => errors.push(e) });
    await settle();
    expect(errors).toEqual([boom]);
  });
});

describe('tokenBucket config', () => {
  const ok = { capacity: 2, refill: { tokens: 1, every: 10 } };
  it.each([
    ['capacity', { refill: { tokens: 1 } }],
    ['capacity', { ...ok, capacity: 0 }],
    ['capacity', { ...ok, capacity: Infinity }],
    ['refill', { capacity: 1 }],
    ['refill.tokens', { capacity: 1, refill: {} }],
    ['refill.tokens', { capacity: 1, refill: { tokens: -1 } }],
    ['refill.every', { capacity: 1, refill: { tokens: 1, every: 0 } }],
    ['refill.per', { capacity: 1, refill: { tokens: 1, per: 5 } }],
    ['mode', { ...ok, mode: 'queue' }],
    ['maxWait', { ...ok, maxWait: 10 }],
    ['maxWait', { ...ok, mode: 'wait', maxWait: -1 }],
    ['cost', { ...ok, cost: 3 }],
    ['cost', { ...ok, cost: 0 }],
    ['maxKeys', { ...ok, maxKeys: 0 }],
    ['maxKeys', { ...ok, maxKeys: 5, store: memoryStore() }],
    ['store', { ...ok, store: {} }],
    ['scheduler', { ...ok, scheduler: {} }],
    ['name', { ...ok, name: '' }],
    ['burst', { ...ok, burst: 3 }],
  ])('refuses a bad %s', (field, config) => {
    expectConfigError(() => tokenBucket(config as never), field);
  });

  it('accepts maxWait 0 and Infinity in wait mode, and a non-string key is refused', () => {
    expect(() => tokenBucket({ ...ok, mode: 'wait', maxWait: 0 })).not.toThrow();
    expect(() => tokenBucket({ ...ok, mode: 'wait', maxWait: Infinity })).not.toThrow();
    expect(() => tokenBucket(ok).forKey(42 as never)).toThrowError(ConfigError);
  });
});

describe('tokenBucket operator checklist', () => {
  it('keeps the unsubscription chain through mergeMap', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const limiter = tokenBucket({ capacity: 5, refill: { tokens: 1 } });
      const inner = cold('--a--b--c|');
      const result = hot('-x---------').pipe(mergeMap(() => inner.pipe(limiter)));
      expectObservable(result, '^------!').toBe('---a--b');
      expectSubscriptions(inner.subscriptions).toBe('-^-----!');
    });
  });

  it('stops a synchronous firehose when take() unsubscribes, at the cost of one call', () => {
    let emitted = 0;
    const firehose = new Observable<number>((subscriber) => {
      for (let i = 0; !subscriber.closed && i < 1000; i++) {
        emitted++;
        subscriber.next(i);
      }
    });
    const limiter = tokenBucket({ capacity: 5, refill: { tokens: 1 } });
    const values: number[] = [];
    firehose.pipe(limiter, take(3)).subscribe((v) => values.push(v));
    expect(values).toEqual([0, 1, 2]);
    expect(emitted).toBe(3);
    expect(limiter.stats()).toMatchObject({ admitted: 1 });
  });

  it('handles empty, never and throwing sources, each costing one call', () => {
    testScheduler().run(({ expectObservable }) => {
      const limiter = tokenBucket({ capacity: 4, refill: { tokens: 1 } });
      expectObservable(EMPTY.pipe(limiter)).toBe('|');
      expectObservable(NEVER.pipe(limiter), '^--!').toBe('---');
      expectObservable(throwError(() => boom).pipe(limiter)).toBe('#', undefined, boom);
      expectObservable(defer(() => { throw boom; }).pipe(limiter)).toBe('#', undefined, boom);
    });
  });

  it('leaves nothing scheduled once waiters are admitted, rejected or unsubscribed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const limiter = tokenBucket({ capacity: 1, refill: { tokens: 1, every: 10 }, mode: 'wait' });
      void cold;
      of('a').pipe(limiter).subscribe();
      const waiting = [of('b').pipe(limiter).subscribe(), of('c').pipe(limiter).subscribe()];
      expect(scheduler.actions.length).toBe(1); // the head's wake-up, one per key
      waiting[1]!.unsubscribe();
      waiting[0]!.unsubscribe();
      expect(scheduler.actions.length).toBe(0);
      expect(limiter.stats()).toMatchObject({ waiting: 0, cancelled: 2 });
    });
    expect(scheduler.actions.length).toBe(0);
  });

  it('gives rejections a typed, branded error without a stack trace', () => {
    const limiter = tokenBucket({ name: 'typed', capacity: 1, refill: { tokens: 1, every: 50 } });
    of(1).pipe(limiter).subscribe();
    let error: unknown;
    of(1).pipe(limiter.forKey('')).subscribe({ error: (e: unknown) => (error = e) });
    expect(isResilienceError(error, 'RATE_LIMITED')).toBe(true);
    expect(error).toMatchObject({ policy: 'typed', code: 'RATE_LIMITED', name: 'RateLimitedError' });
    expect((error as RateLimitedError).retryAfter).toBeGreaterThan(0);
    expect((error as Error).stack ?? '').not.toMatch(/\.ts:\d+/);
  });

  it('is a generic operator shared by many pipelines, with a stable generated name', () => {
    const limiter = tokenBucket({ capacity: 2, refill: { tokens: 1, every: 1_000 } });
    of('x').pipe(limiter).subscribe();
    of(1).pipe(limiter).subscribe();
    expect(limiter.stats().admitted).toBe(2);
    expect(limiter.name).toMatch(/^token-bucket-\d+$/);
    const { stats, forKey } = limiter;
    expect(stats().name).toBe(limiter.name);
    expect(typeof forKey('a')).toBe('function');
  });
});
