import { defer, map, merge, Observable, of, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  bulkhead, cache, circuitBreaker, constant, fallback, fallbackLadder, hedge, PIPELINE_ORDER, pipeline, policyKind, resilienceKind,
  retryBackoff, timeLimit, tokenBucket, type PipelineRole, type Tagged,
} from 'rx-resilience';
import { scriptedService, testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';

/** A cold source whose n-th subscription is the n-th attempt (the last one repeats). */
function attempts<T>(list: Observable<T>[]): Observable<T> {
  let n = 0;
  return defer(() => list[Math.min(n++, list.length - 1)]!);
}

describe('pipeline', () => {
  it('composes the parts in the recommended order, whatever order they are given in', () => {
    const parts = {
      timeLimit: timeLimit({ duration: 1 }), hedge: hedge(), bulkhead: bulkhead({ maxConcurrent: 1 }), breaker: circuitBreaker(),
      retry: retryBackoff(), rateLimit: tokenBucket({ capacity: 1, refill: { tokens: 1 } }), cache: cache({ ttl: 1 }), fallback: fallback(of(0)),
    };
    const p = pipeline(parts);
    expect(p.order).toEqual(['fallback', 'cache', 'rateLimit', 'retry', 'breaker', 'hedge', 'bulkhead', 'timeLimit']);
    expect(PIPELINE_ORDER).toEqual(p.order);
    expect(pipeline({ breaker: parts.breaker, timeLimit: parts.timeLimit, retry: parts.retry }).order).toEqual(['retry', 'breaker', 'timeLimit']);
    for (const [role, part] of Object.entries(parts)) expect(p.parts[role as PipelineRole]).toBe(part);
    expect(Object.isFrozen(p.parts)).toBe(true);
  });

  it('is a policy of kind pipeline named pipeline by default, and its own name otherwise', () => {
    const p = pipeline({ breaker: circuitBreaker() });
    expect(p.name).toBe('pipeline');
    expect(policyKind(p)).toBe('pipeline');
    expect(resilienceKind(p)).toBe('pipeline');
    expect(pipeline({ name: 'checkout', breaker: circuitBreaker() }).name).toBe('checkout');
  });

  it('times out each attempt (timeLimit inside retry): a hung first attempt is retried', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold('------a|');
      const a2 = cold('-b|');
      const p = pipeline({ retry: retryBackoff({ maxAttempts: 2, backoff: constant(0) }), timeLimit: timeLimit({ duration: 3 }) });
      expectObservable(attempts([a1, a2]).pipe(p)).toBe('----b|');
      expectSubscriptions(a1.subscriptions).toBe('^--!');
      expectSubscriptions(a2.subscriptions).toBe('---^-!');
    });
  });

  it('retries around the breaker: the retry meets CIRCUIT_OPEN, not the upstream, once the breaker opened', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const boom = new Error('503');
      const upstream = cold('-#', undefined, boom);
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 2 }, breakDuration: 1_000 });
      const p = pipeline({ breaker, retry: retryBackoff({ maxAttempts: 5, backoff: constant(1), maxDelay: 10 }), fallback: fallback((e) => of(isOpen(e))) });
      // two failed attempts (frames 0-1, 2-3) open the breaker; the third attempt (frame 4) is refused at once with a retryAfter
      // above maxDelay: the retry gives up (max-delay) and the fallback, outermost, sees it.
      expectObservable(upstream.pipe(p)).toBe('----(x|)', { x: 'RETRIES_EXHAUSTED max-delay CIRCUIT_OPEN' });
      flush();
      expect(upstream.subscriptions).toHaveLength(2);
    });
  });

  it('answers from the cache without going through the parts below it, and falls back outermost', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const upstream = cold('--a|');
      const limiter = tokenBucket({ capacity: 1, refill: { tokens: 1, every: 1_000_000 } });
      const p = pipeline({ cache: cache({ ttl: 100 }), rateLimit: limiter, fallback: fallback(of('fallback')) });
      expectObservable(upstream.pipe(p)).toBe('--a|');
      flush();
      // a fresh hit spends no token (the bucket is empty) and does not call upstream
      const hit: string[] = [];
      upstream.pipe(p).subscribe({ next: (v) => hit.push(v), complete: () => hit.push('|') });
      expect(hit).toEqual(['a', '|']);
      expect(upstream.subscriptions).toHaveLength(1);
      expect(limiter.stats().remaining).toBeLessThan(1);
    });
  });

  it('keys the cache and a fallback ladder with forKey', () => {
    const scheduler = new VirtualTimeScheduler();
    const fresh = cache({ ttl: 5, scheduler });
    const lastGood = cache({ ttl: 5, staleTtl: 1_000, scheduler });
    const p = pipeline({ cache: fresh, fallback: fallbackLadder({ cache: lastGood, default: 'none', scheduler }) });
    const seen: string[] = [];
    const call = (source: Observable<string>, key: string) =>
      source.pipe(p.forKey(key)).subscribe((v) => seen.push(`${v.source}:${String(v.value)}`));
    call(of('A'), 'a');
    call(of('B'), 'b');
    call(throwError(() => new Error('down')), 'a'); // the ladder, outermost, answers a fresh hit of its own cache
    scheduler.schedule(() => {
      call(throwError(() => new Error('down')), 'b'); // `fresh` expired: the ladder serves b's stale entry
      call(throwError(() => new Error('down')), 'c'); // nothing stored for c: the default
    }, 10);
    scheduler.flush();
    expect(seen).toEqual(['primary:A', 'primary:B', 'cache:A', 'stale:B', 'default:none']);
    expect(fresh.peek('a')?.values).toEqual(undefined);
    expect(lastGood.peek('a')?.values).toEqual(['A']);
    expectConfigError(() => p.forKey(''), 'key');
  });

  it('reports each part\'s stats by role', () => {
    const scheduler = new VirtualTimeScheduler();
    const breaker = circuitBreaker({ name: 'b', scheduler });
    const retry = retryBackoff({ name: 'r', scheduler });
    const s = pipeline({ name: 'p', retry, breaker }).stats();
    expect(s.name).toBe('p');
    expect(Object.keys(s.parts)).toEqual(['retry', 'breaker']);
    expect(s.parts.breaker).toEqual(breaker.stats());
    expect(s.parts.retry).toEqual(retry.stats());
  });

  it('built once, bounds every call; built inside per-call code, it bounds none', () => {
    const scheduler = new VirtualTimeScheduler();
    const once = scriptedService([{ ok: 1, after: 10 }], scheduler);
    const perCall = scriptedService([{ ok: 1, after: 10 }], scheduler);
    const shared = pipeline({ bulkhead: bulkhead({ maxConcurrent: 8, maxQueued: 100 }) });
    const results = { once: 0, perCall: 0 };
    for (let i = 0; i < 30; i++) {
      once.call().pipe(shared).subscribe(() => results.once++);
      // the mistake: a new bulkhead (a new pool of 8 slots) for every call
      perCall.call().pipe(pipeline({ bulkhead: bulkhead({ maxConcurrent: 8, maxQueued: 100 }) })).subscribe(() => results.perCall++);
    }
    scheduler.flush();
    expect(results).toEqual({ once: 30, perCall: 30 });
    expect(once.maxActive).toBe(8);
    expect(perCall.maxActive).toBe(30);
  });

  it('refuses unknown keys, parts of the wrong kind, anything that is not a policy, and no part at all', () => {
    expectConfigError(() => pipeline({ retries: retryBackoff() } as never), 'retries');
    expect(expectConfigError(() => pipeline({ breaker: retryBackoff() } as never), 'breaker').message).toContain('a policy of kind circuit-breaker built by rx-resilience (this one is a retry)');
    expectConfigError(() => pipeline({ retry: map((x: number) => x) } as never), 'retry');
    expectConfigError(() => pipeline({ timeLimit: { duration: 1 } } as never), 'timeLimit');
    expectConfigError(() => pipeline({ bulkhead: pipeline({ bulkhead: bulkhead({ maxConcurrent: 1 }) }) } as never), 'bulkhead');
    expectConfigError(() => pipeline({}), 'config');
    expectConfigError(() => pipeline(undefined as never), 'config');
    expectConfigError(() => pipeline({ name: '', breaker: circuitBreaker() }), 'name');
    expect(expectConfigError(() => pipeline({ name: 'checkout', hedge: circuitBreaker() } as never), 'hedge').policy).toBe('checkout');
  });

  it('unsubscribing a call releases what every part holds', () => {
    const scheduler = new VirtualTimeScheduler();
    const service = scriptedService([{ hang: true }], scheduler);
    const pool = bulkhead({ maxConcurrent: 1, maxQueued: 1, scheduler });
    const p = pipeline({ retry: retryBackoff({ scheduler }), breaker: circuitBreaker({ scheduler }), bulkhead: pool, timeLimit: timeLimit({ duration: 50, scheduler }) });
    const sub = merge(service.call().pipe(p), service.call().pipe(p)).subscribe();
    expect(pool.stats()).toMatchObject({ active: 1, queued: 1 });
    sub.unsubscribe();
    expect(pool.stats()).toMatchObject({ active: 0, queued: 0 });
    expect(service.active).toBe(0);
    // The time limit's one action is cancelled lazily: it ends by itself at the last deadline.
    expect(scheduler.actions.length).toBeLessThanOrEqual(1);
    scheduler.flush();
    expect(scheduler.now()).toBeLessThanOrEqual(50);
    expect(scheduler.actions).toHaveLength(0);
  });
});

function isOpen(e: unknown): string {
  const error = e as { code: string; reason: string; cause: { code: string } };
  return `${error.code} ${error.reason} ${error.cause.code}`;
}

describe('pipeline types', () => {
  it('a call keeps its type; a fallback widens it; a ladder tags it', () => {
    const plain = pipeline({ breaker: circuitBreaker() });
    expectTypeOf(of(1).pipe(plain)).toEqualTypeOf<Observable<number>>();
    const widened = pipeline({ fallback: fallback(of('none' as const)), retry: retryBackoff() });
    expectTypeOf(of(1).pipe(widened)).toEqualTypeOf<Observable<number | 'none'>>();
    const tagged = pipeline({ fallback: fallbackLadder({ default: null }) });
    expectTypeOf(of(1).pipe(tagged)).toEqualTypeOf<Observable<Tagged<number | null>>>();
    expectTypeOf(of(1).pipe(tagged.forKey('k'))).toEqualTypeOf<Observable<Tagged<number | null>>>();
    // @ts-expect-error a retry is not a breaker
    expect(() => pipeline({ breaker: retryBackoff() })).toThrow();
  });
});
