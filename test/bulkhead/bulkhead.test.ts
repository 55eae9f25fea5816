import { EMPTY, mergeMap, NEVER, Observable, of, Subject, take, takeUntil, throwError, timer } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { bulkhead, BulkheadFullError, ConfigError, QueueTimeoutError, type BulkheadEvent, type BulkheadState } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

const boom = new Error('boom');
const state = (s: Partial<BulkheadState>): BulkheadState => ({
  active: 0, queued: 0, limit: 1, maxQueued: 0, admitted: 0, rejected: 0, timedOut: 0, cancelled: 0, ...s,
});

describe('bulkhead', () => {
  it('passes values through and holds a slot from subscription to the end', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const pool = bulkhead({ maxConcurrent: 1 });
      const source = cold('-a-b|');
      expectObservable(source.pipe(pool)).toBe('-a-b|');
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectObservable(pool.state$.pipe(mergeMap((s) => of(s.active)))).toBe('a---b', { a: 1, b: 0 });
    });
  });

  it('runs maxConcurrent calls, queues maxQueued more, rejects the rest at subscribe without subscribing upstream', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const pool = bulkhead({ name: 'p', maxConcurrent: 2, maxQueued: 1 });
      const s1 = cold('----x|');
      const s2 = cold('----y|');
      const s3 = cold('-z|');
      const s4 = cold('-w|');
      const callAt = <T>(t: number, s: Observable<T>) => timer(t).pipe(mergeMap(() => s.pipe(pool)));
      expectObservable(callAt(0, s1)).toBe('----x|');
      expectObservable(callAt(1, s2)).toBe('-----y|');
      expectObservable(callAt(2, s3)).toBe('------z|');
      expectObservable(callAt(3, s4)).toBe('---#', undefined, new BulkheadFullError('p', 2, 1));
      // s3 starts in the very frame s1 ends: the slot goes to the next waiter synchronously.
      expectSubscriptions(s3.subscriptions).toBe('-----^-!');
      expectSubscriptions(s4.subscriptions).toBe([]);
    });
  });

  it('serves higher priorities first and FIFO within a priority', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const pool = bulkhead({ maxConcurrent: 1, maxQueued: 10 });
      const high = pool.withPriority(1);
      const [a, b, c, d] = [cold('-|'), cold('-|'), cold('-|'), cold('-|')] as const;
      expectObservable(cold('-----|').pipe(pool)).toBe('-----|');
      timer(1).pipe(mergeMap(() => a.pipe(pool))).subscribe();
      timer(2).pipe(mergeMap(() => b.pipe(high))).subscribe();
      timer(3).pipe(mergeMap(() => c.pipe(pool))).subscribe();
      timer(4).pipe(mergeMap(() => d.pipe(high))).subscribe();
      expectSubscriptions(b.subscriptions).toBe('-----^!');
      expectSubscriptions(d.subscriptions).toBe('------^!');
      expectSubscriptions(a.subscriptions).toBe('-------^!');
      expectSubscriptions(c.subscriptions).toBe('--------^!');
    });
  });

  it('times a waiter out with QueueTimeoutError, never subscribing its upstream', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const pool = bulkhead({ name: 'q', maxConcurrent: 1, maxQueued: 1, queueTimeout: 3 });
      const waiting = cold('a|');
      const late = cold('(b|)');
      expectObservable(cold('------|').pipe(pool)).toBe('------|');
      expectObservable(timer(1).pipe(mergeMap(() => waiting.pipe(pool)))).toBe('----#', undefined, new QueueTimeoutError('q', 3));
      // Queued at 5, started at 6, before its own timeout at 8.
      expectObservable(timer(5).pipe(mergeMap(() => late.pipe(pool)))).toBe('------(b|)');
      expectSubscriptions(waiting.subscriptions).toBe([]);
      expectSubscriptions(late.subscriptions).toBe('------(^!)');
    });
  });

  it('a waiter unsubscribed while queued leaves at once; the next in line gets the slot', () => {
    const scheduler = testScheduler();
    const log: string[] = [];
    scheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const pool = bulkhead({ maxConcurrent: 1, maxQueued: 1 });
      const leaving = cold('a|');
      const next = cold('(b|)');
      expectObservable(cold('----|').pipe(pool)).toBe('----|');
      expectObservable(timer(1).pipe(mergeMap(() => leaving.pipe(pool))), '^-!').toBe('-');
      // The queue (size 1) is free again at 2, so this call waits instead of being rejected.
      expectObservable(timer(2).pipe(mergeMap(() => next.pipe(pool)))).toBe('----(b|)');
      expectSubscriptions(leaving.subscriptions).toBe([]);
      expectSubscriptions(next.subscriptions).toBe('----(^!)');
      pool.state$.subscribe((s) => log.push(`${scheduler.now()}: ${s.active} running, ${s.queued} queued`));
    });
    expect(log).toEqual(['0: 0 running, 0 queued', '0: 1 running, 0 queued', '1: 1 running, 1 queued', '2: 1 running, 0 queued', '2: 1 running, 1 queued', '4: 1 running, 0 queued', '4: 0 running, 0 queued']);
  });

  it('releases the slot on error and on unsubscribe while running', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const pool = bulkhead({ maxConcurrent: 1, maxQueued: 2 });
      const failing = cold('--#', undefined, boom);
      const cancelled = cold('--------a|');
      const last = cold('(a|)');
      expectObservable(failing.pipe(pool)).toBe('--#', undefined, boom);
      expectObservable(timer(1).pipe(mergeMap(() => cancelled.pipe(pool))), '^---!').toBe('-');
      expectObservable(timer(1).pipe(mergeMap(() => last.pipe(pool)))).toBe('----(a|)');
      expectSubscriptions(cancelled.subscriptions).toBe('--^-!');
      expectSubscriptions(last.subscriptions).toBe('----(^!)');
    });
  });

  it('handles empty, never and throwing sources, and a synchronous firehose under take', () => {
    testScheduler().run(({ expectObservable }) => {
      const pool = bulkhead({ maxConcurrent: 1, maxQueued: 5 });
      const firehose = new Observable<number>((subscriber) => {
        for (let i = 0; !subscriber.closed; i++) subscriber.next(i);
      });
      expectObservable(EMPTY.pipe(pool)).toBe('|');
      expectObservable(throwError(() => boom).pipe(pool)).toBe('#', undefined, boom);
      expectObservable(firehose.pipe(pool, take(3))).toBe('(abc|)', { a: 0, b: 1, c: 2 });
      expectObservable(NEVER.pipe(pool), '^--!').toBe('');
      expectObservable(of(1).pipe(pool)).toBe('---(a|)', { a: 1 });
    });
  });

  it('unsubscribes through mergeMap: the inner call frees its slot', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const pool = bulkhead({ maxConcurrent: 1 });
      const inner = cold('-----a|');
      const outer = hot('-x');
      expectObservable(outer.pipe(mergeMap(() => inner.pipe(pool))), '^---!').toBe('-');
      expectSubscriptions(inner.subscriptions).toBe('-^--!');
      expectObservable(timer(5).pipe(mergeMap(() => of(pool.stats().active)))).toBe('-----(a|)', { a: 0 });
    });
  });

  it('starts queued synchronous calls one after another without growing the stack', () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueued: Infinity });
    const gate = new Subject<never>();
    gate.pipe(pool).subscribe();
    let values = 0;
    for (let i = 0; i < 20_000; i++) of(i).pipe(pool).subscribe(() => values++);
    expect(pool.stats()).toMatchObject({ active: 1, queued: 20_000 });
    gate.complete();
    expect(values).toBe(20_000);
    expect(pool.stats()).toMatchObject({ active: 0, queued: 0, admitted: 20_001 });
  });
});

describe('bulkhead state and events', () => {
  it('state$ replays the current state and emits only on change; stats() agrees', () => {
    const pool = bulkhead({ name: 's', maxConcurrent: 1, maxQueued: 1 });
    const gate = new Subject<number>();
    const held = gate.pipe(pool).subscribe();
    const seen: BulkheadState[] = [];
    const watching = pool.state$.subscribe((s) => seen.push(s));
    of(1).pipe(pool).subscribe();
    of(2).pipe(pool).subscribe({ error: () => undefined });
    gate.next(1); // a value changes no state
    held.unsubscribe(); // after a value: success, not cancelled; the waiter runs at once
    watching.unsubscribe();
    expect(seen).toEqual([
      state({ active: 1, admitted: 1, maxQueued: 1 }),
      state({ active: 1, queued: 1, admitted: 1, maxQueued: 1 }),
      state({ active: 1, queued: 1, admitted: 1, rejected: 1, maxQueued: 1 }),
      state({ admitted: 2, rejected: 1, maxQueued: 1 }),
    ]);
    expect(pool.stats()).toEqual(seen[3]);
    expect(pool.name).toBe('s');
  });

  it('counts cancellations while queued and while running before a value', () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueued: 1 });
    const running = NEVER.pipe(pool).subscribe();
    NEVER.pipe(pool).subscribe().unsubscribe();
    running.unsubscribe();
    expect(pool.stats()).toEqual(state({ admitted: 1, cancelled: 2, maxQueued: 1 }));
  });

  it('emits events synchronously, before the state they lead to', () => {
    const log: string[] = [];
    testScheduler().run(({ cold }) => {
      const pool = bulkhead({ maxConcurrent: 1, maxQueued: 1 });
      pool.events$.subscribe((e) => log.push(`event ${e.type}`));
      pool.state$.subscribe((s) => log.push(`state ${s.active}/${s.queued}/${s.rejected}`));
      cold('--a|').pipe(pool).subscribe();
      cold('-b|').pipe(pool).subscribe();
      cold('c|').pipe(pool).subscribe({ error: () => undefined });
    });
    expect(log).toEqual([
      'state 0/0/0',
      'event admitted', 'state 1/0/0',
      'event queued', 'state 1/1/0',
      'event rejected', 'state 1/1/1',
      'event released', 'event admitted', 'state 1/0/1',
      'event released', 'state 0/0/1',
    ]);
  });

  it('describes each event with the policy, scheduler time and details', () => {
    const events: BulkheadEvent[] = [];
    const noop = { error: () => undefined };
    testScheduler().run(({ cold }) => {
      const pool = bulkhead({ name: 'e', maxConcurrent: 1, maxQueued: 1, queueTimeout: 4 });
      pool.events$.subscribe((e) => events.push(e));
      const at = (t: number, s: Observable<unknown>, until = Infinity) => timer(t).pipe(mergeMap(() => s), takeUntil(timer(until))).subscribe(noop);
      at(0, cold('--#', undefined, boom).pipe(pool));
      at(1, cold('-a|').pipe(pool.withPriority(2)));
      at(1, of(1).pipe(pool));
      at(5, NEVER.pipe(pool), 13);
      at(6, NEVER.pipe(pool));
      at(11, NEVER.pipe(pool), 12);
    });
    const policy = 'e';
    expect(events).toEqual([
      { type: 'admitted', policy, at: 0, priority: 0, waited: 0 },
      { type: 'queued', policy, at: 1, priority: 2, queued: 1 },
      { type: 'rejected', policy, at: 1, priority: 0 },
      { type: 'released', policy, at: 2, outcome: 'failure', duration: 2 },
      { type: 'admitted', policy, at: 2, priority: 2, waited: 1 },
      { type: 'released', policy, at: 4, outcome: 'success', duration: 2 },
      { type: 'admitted', policy, at: 5, priority: 0, waited: 0 },
      { type: 'queued', policy, at: 6, priority: 0, queued: 1 },
      { type: 'timed-out', policy, at: 10, priority: 0, waited: 4 },
      { type: 'queued', policy, at: 11, priority: 0, queued: 1 },
      { type: 'cancelled', policy, at: 12, priority: 0, waited: 1 },
      { type: 'released', policy, at: 13, outcome: 'cancelled', duration: 8 },
    ]);
  });
});

describe('bulkhead clock reads', () => {
  it('reads the clock on admission only when someone listens; a call that started unobserved has no duration', () => {
    const scheduler = testScheduler();
    let reads = 0;
    const counting = { now: () => (reads++, scheduler.now()), schedule: scheduler.schedule.bind(scheduler) };
    const pool = bulkhead({ maxConcurrent: 2, scheduler: counting });
    const early = new Subject<void>();
    early.pipe(pool).subscribe();
    of(1).pipe(pool).subscribe();
    expect(reads).toBe(0);
    const events: BulkheadEvent[] = [];
    pool.events$.subscribe((e) => events.push(e));
    early.complete();
    expect(events).toEqual([{ type: 'released', policy: pool.name, at: 0, outcome: 'success', duration: undefined }]);
  });
});

describe('bulkhead on a hand-driven scheduler', () => {
  it('leaves no action scheduled once a waiter starts, leaves or the pool is idle', () => {
    const scheduler = testScheduler();
    const pool = bulkhead({ maxConcurrent: 1, maxQueued: 2, queueTimeout: 100, scheduler });
    const gate = new Subject<never>();
    gate.pipe(pool).subscribe();
    const starting = NEVER.pipe(pool).subscribe();
    const leaving = NEVER.pipe(pool).subscribe();
    expect(scheduler.actions.length).toBe(2);
    leaving.unsubscribe();
    expect(scheduler.actions.length).toBe(1);
    gate.complete();
    expect(scheduler.actions.length).toBe(0);
    starting.unsubscribe();
    scheduler.flush();
    expect(pool.stats()).toEqual(state({ admitted: 2, cancelled: 2, maxQueued: 2 }));
  });

  it('a timed-out waiter leaves the queue before its error is delivered', () => {
    const scheduler = testScheduler();
    const pool = bulkhead({ name: 't', maxConcurrent: 1, maxQueued: 1, queueTimeout: 10, scheduler });
    NEVER.pipe(pool).subscribe();
    let seen: BulkheadState | undefined;
    let error: unknown;
    of(1).pipe(pool).subscribe({ error: (e) => { error = e; seen = pool.stats(); } });
    scheduler.flush();
    expect(error).toBeInstanceOf(QueueTimeoutError);
    expect(error).toMatchObject({ code: 'QUEUE_TIMEOUT', policy: 't', queueTimeout: 10, retryAfter: undefined });
    expect(seen).toEqual(state({ active: 1, admitted: 1, timedOut: 1, maxQueued: 1 }));
    expect(scheduler.actions.length).toBe(0);
  });

  it('rejects with a BulkheadFullError that names the policy and its bounds, with no retryAfter', () => {
    const pool = bulkhead({ name: 'full', maxConcurrent: 2 });
    NEVER.pipe(pool).subscribe();
    NEVER.pipe(pool).subscribe();
    let error: unknown;
    let subscribed = false;
    new Observable(() => void (subscribed = true)).pipe(pool).subscribe({ error: (e) => (error = e) });
    expect(subscribed).toBe(false);
    expect(error).toMatchObject({ name: 'BulkheadFullError', code: 'BULKHEAD_FULL', policy: 'full', maxConcurrent: 2, maxQueued: 0, retryAfter: undefined });
  });
});

describe('bulkhead config', () => {
  const bad: [string, Record<string, unknown>][] = [
    ['maxConcurrent', {}],
    ['maxConcurrent', { maxConcurrent: 0 }],
    ['maxConcurrent', { maxConcurrent: 1.5 }],
    ['maxConcurrent', { maxConcurrent: Number.NaN }],
    ['maxConcurrent', { maxConcurrent: '2' }],
    ['maxQueued', { maxConcurrent: 1, maxQueued: -1 }],
    ['maxQueued', { maxConcurrent: 1, maxQueued: 0.5 }],
    ['maxQueued', { maxConcurrent: 1, maxQueued: '3' }],
    ['queueTimeout', { maxConcurrent: 1, queueTimeout: 0 }],
    ['queueTimeout', { maxConcurrent: 1, queueTimeout: -5 }],
    ['queueTimeout', { maxConcurrent: 1, queueTimeout: Infinity }],
    ['scheduler', { maxConcurrent: 1, scheduler: {} }],
    ['name', { maxConcurrent: 1, name: '' }],
    ['maxConcurent', { maxConcurent: 1 }],
  ];
  it.each(bad)('refuses a bad %s', (field, config) => {
    const attempt = () => bulkhead(config as never);
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(expect.objectContaining({ field }));
  });

  it('refuses a non-finite priority', () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    for (const p of [Number.NaN, Infinity, '1']) expect(() => pool.withPriority(p as number)).toThrow(expect.objectContaining({ field: 'priority' }));
  });

  it('generates stable names', () => {
    const a = bulkhead({ maxConcurrent: 1 });
    const b = bulkhead({ maxConcurrent: 1 });
    expect(a.name).toMatch(/^bulkhead-\d+$/);
    expect(b.name).not.toBe(a.name);
  });
});
