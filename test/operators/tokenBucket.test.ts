import { defer, EMPTY, mergeMap, NEVER, Observable, of, take, throwError, timer } from 'rxjs';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ConfigError, isResilienceError, memoryStore, RateLimitedError, tokenBucket, type RateLimiterEvent, type RateStore, type TakeResult } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

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
