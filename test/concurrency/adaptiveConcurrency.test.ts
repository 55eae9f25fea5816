import { mergeMap, NEVER, Observable, of, Subject, throwError, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { adaptiveConcurrency, bulkhead, BulkheadFullError, ConfigError, type AdaptiveConcurrencyEvent } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

const boom = new Error('boom');
const noop = { error: () => undefined };
/** AIMD on every sample: easy to predict. */
const aimd = (extra: Record<string, unknown> = {}) => adaptiveConcurrency({ algorithm: { kind: 'aimd', backoffRatio: 0.5 }, window: false, ...extra });

describe('adaptiveConcurrency', () => {
  it('moves the limit with each finished call; limit$ replays it and emits each change', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limiter = aimd({ initialLimit: 2 });
      // Started with 1 and 2 in flight (at least half the limit): each success adds one; a failure halves it.
      cold('-a|').pipe(limiter).subscribe();
      cold('--a|').pipe(limiter).subscribe();
      timer(5).pipe(mergeMap(() => cold('-#', undefined, boom).pipe(limiter))).subscribe(noop);
      expectObservable(limiter.limit$).toBe('a-bc--d', { a: 2, b: 3, c: 4, d: 2 });
    });
  });

  it('emits released, then limit, then the new limit$, then state$', () => {
    const limiter = aimd({ initialLimit: 2 });
    const log: string[] = [];
    limiter.events$.subscribe((e) => log.push(e.type === 'limit' ? `limit ${e.from}->${e.to}` : e.type));
    limiter.limit$.subscribe((n) => log.push(`limit$ ${n}`));
    limiter.state$.subscribe((s) => log.push(`state ${s.active}/${s.limit}`));
    const gate = new Subject<void>();
    gate.pipe(limiter).subscribe();
    gate.complete();
    expect(log).toEqual(['limit$ 2', 'state 0/2', 'admitted', 'state 1/2', 'released', 'limit 2->3', 'limit$ 3', 'state 0/3']);
  });

  it('a raised limit starts waiters at once; a lowered one admits nothing until enough calls end', () => {
    const limiter = aimd({ initialLimit: 1, maxQueued: 5 });
    const first = new Subject<void>();
    first.pipe(limiter).subscribe();
    const waiting = [new Subject<void>(), new Subject<void>()];
    for (const w of waiting) w.pipe(limiter).subscribe(noop);
    expect(limiter.stats()).toMatchObject({ active: 1, queued: 2, limit: 1 });
    first.complete(); // success with 1 of 1 in use: limit 2, both waiters start
    expect(limiter.stats()).toMatchObject({ active: 2, queued: 0, limit: 2 });
    of(1).pipe(limiter).subscribe(noop); // queued behind a full pool
    waiting[0]!.error(boom); // a drop: limit halves to 1; 1 still running, nothing starts
    expect(limiter.stats()).toMatchObject({ active: 1, queued: 1, limit: 1 });
  });

  it('takes no sample from ignored errors, local rejections or cancelled calls', () => {
    const limiter = aimd({ initialLimit: 2, isFailure: (e: unknown) => e !== 'benign' });
    const inner = bulkhead({ maxConcurrent: 1 });
    NEVER.pipe(inner).subscribe();
    throwError(() => 'benign').pipe(limiter).subscribe(noop);
    of(1).pipe(inner, limiter).subscribe(noop); // BulkheadFullError from the inner bulkhead
    NEVER.pipe(limiter).subscribe().unsubscribe();
    expect(limiter.stats()).toMatchObject({ limit: 2, admitted: 3, cancelled: 1 });
  });

  it('counts a value matched by isFailureResult as a drop', () => {
    const limiter = aimd({ initialLimit: 8, isFailureResult: (v: number) => v >= 500 });
    of(503).pipe(limiter).subscribe();
    expect(limiter.stats().limit).toBe(4);
  });

  it('rejects at the limit with BulkheadFullError, without subscribing upstream', () => {
    const limiter = adaptiveConcurrency({ name: 'ac', initialLimit: 1 });
    NEVER.pipe(limiter).subscribe();
    let subscribed = false;
    let error: unknown;
    new Observable(() => void (subscribed = true)).pipe(limiter).subscribe({ error: (e) => (error = e) });
    expect(subscribed).toBe(false);
    expect(error).toEqual(new BulkheadFullError('ac', 1, 0));
  });

  it('shares one pool with its priority operators', () => {
    const limiter = aimd({ initialLimit: 1, maxQueued: 2 });
    const gate = new Subject<void>();
    gate.pipe(limiter).subscribe();
    const order: string[] = [];
    new Observable<never>((s) => { order.push('low'); s.complete(); }).pipe(limiter).subscribe();
    new Observable<never>((s) => { order.push('high'); s.complete(); }).pipe(limiter.withPriority(5)).subscribe();
    gate.complete();
    expect(order).toEqual(['high', 'low']);
  });

  it('runs with defaults (Vegas, 1 s sample windows) on virtual time and leaves nothing scheduled', () => {
    const scheduler = testScheduler();
    const limiter = adaptiveConcurrency({ scheduler, queueTimeout: 50, maxQueued: 10 });
    expect(limiter.stats()).toMatchObject({ limit: 20, active: 0, maxQueued: 10 });
    const events: AdaptiveConcurrencyEvent[] = [];
    limiter.events$.subscribe((e) => events.push(e));
    for (let i = 0; i < 25; i++) timer(i, scheduler).pipe(mergeMap(() => timer(10, scheduler)), (s) => s.pipe(limiter)).subscribe(noop);
    scheduler.flush();
    expect(events.filter((e) => e.type === 'released')).toHaveLength(25);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('survives user functions that return nonsense (a throwing one fails its call: test/callbacks)', () => {
    const limiter = adaptiveConcurrency({
      window: false,
      initialLimit: 20,
      algorithm: { kind: 'vegas', alpha: () => -1, beta: () => Number.NaN, random: () => 7 },
    });
    testScheduler().run(({ cold }) => {
      for (let i = 0; i < 12; i++) cold('-a|').pipe(limiter).subscribe();
    });
    // The first sample sets rttNoLoad; the 10th call (10 of 20 in flight, no queueing) grows the
    // limit by the default beta, 6: the broken beta and alpha fell back to their defaults.
    expect(limiter.stats()).toMatchObject({ limit: 26, rejected: 0 });
  });
});

describe('adaptiveConcurrency config', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['algorithm', { algorithm: 'reno' }],
    ['algorithm.kind', { algorithm: {} }],
    ['algorithm.kind', { algorithm: { kind: 'cubic' } }],
    ['algorithm.smoothing', { algorithm: { kind: 'aimd', smoothing: 0.5 } }],
    ['algorithm.backoffRatio', { algorithm: { kind: 'aimd', backoffRatio: 1 } }],
    ['algorithm.backoffRatio', { algorithm: { kind: 'aimd', backoffRatio: 0.4 } }],
    ['algorithm.timeout', { algorithm: { kind: 'aimd', timeout: 0 } }],
    ['algorithm.smoothing', { algorithm: { kind: 'gradient2', smoothing: 0 } }],
    ['algorithm.smoothing', { algorithm: { kind: 'gradient2', smoothing: 1.5 } }],
    ['algorithm.queueSize', { algorithm: { kind: 'gradient2', queueSize: -1 } }],
    ['algorithm.queueSize', { algorithm: { kind: 'gradient2', queueSize: '4' } }],
    ['algorithm.longWindow', { algorithm: { kind: 'gradient2', longWindow: 0 } }],
    ['algorithm.alpha', { algorithm: { kind: 'vegas', alpha: Number.NaN } }],
    ['algorithm.beta', { algorithm: { kind: 'vegas', alpha: 8, beta: 4 } }],
    ['algorithm.probeMultiplier', { algorithm: { kind: 'vegas', probeMultiplier: 0.5 } }],
    ['algorithm.random', { algorithm: { kind: 'vegas', random: 0.3 } }],
    ['algorithm.nope', { algorithm: { kind: 'vegas', nope: 1 } }],
    ['minLimit', { minLimit: 0 }],
    ['maxLimit', { minLimit: 10, maxLimit: 5 }],
    ['initialLimit', { initialLimit: 300 }],
    ['initialLimit', { minLimit: 5, initialLimit: 2 }],
    ['window', { window: true }],
    ['window.minTime', { window: { minTime: 0 } }],
    ['window.maxTime', { window: { minTime: 2000, maxTime: 1000 } }],
    ['window.size', { window: { size: 0 } }],
    ['maxQueued', { maxQueued: -1 }],
    ['queueTimeout', { queueTimeout: -1 }],
    ['isFailure', { isFailure: true }],
    ['isFailureResult', { isFailureResult: 1 }],
    ['scheduler', { scheduler: 5 }],
    ['limit', { limit: 5 }],
  ];
  it.each(bad)('refuses a bad %s', (field, config) => {
    const attempt = () => adaptiveConcurrency(config as never);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(expect.objectContaining({ field }));
  });

  it('defaults the limit bounds around initialLimit', () => {
    expect(adaptiveConcurrency({ minLimit: 50 }).stats().limit).toBe(50);
    expect(adaptiveConcurrency({ maxLimit: 8 }).stats().limit).toBe(8);
    expect(adaptiveConcurrency({ algorithm: 'gradient2', initialLimit: 7 }).stats().limit).toBe(7);
  });
});
