/** Loops, not recursion, wherever a user number sets the depth; no per-arrival work that grows with a queue. */
import { fc, test } from '@fast-check/vitest';
import { defer, EMPTY, Observable, of, Subject, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { bulkhead, hedge, retryBackoff, slidingWindow, type HedgeEvent } from 'rx-resilience';
import { takeFromLog, freshLog } from '../../src/rate/slidingLog.js';
import type { MutableResult } from '../../src/rate/result.js';

const DEPTH = 20_000;

function failingSource(counter: { n: number }): Observable<never> {
  return defer(() => {
    counter.n++;
    return throwError(() => new Error(`attempt ${counter.n}`));
  });
}

describe('hedge: attempts that error synchronously', () => {
  it.each([0, 10])('%d ms delay, %#: runs maxHedges + 1 attempts in a flat loop and errors once', (delay) => {
    const scheduler = new VirtualTimeScheduler();
    const counter = { n: 0 };
    const policy = hedge({ delay, maxHedges: DEPTH, scheduler });
    const events: HedgeEvent['type'][] = [];
    policy.events$.subscribe((e) => e.type !== 'hedge' && events.push(e.type));
    const errors: unknown[] = [];
    const subscription = failingSource(counter).pipe(policy).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(counter.n).toBe(DEPTH + 1);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe(`attempt ${DEPTH + 1}`);
    expect(events).toEqual(['failed']);
    expect(policy.stats()).toMatchObject({ calls: 1, hedges: DEPTH, failed: 1 });
    expect(subscription.closed).toBe(true);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('a synchronous winner after many synchronous failures wins, and no timer is left', () => {
    const scheduler = new VirtualTimeScheduler();
    let n = 0;
    const source = defer(() => (++n < 5_000 ? throwError(() => new Error('x')) : of('ok')));
    const values: string[] = [];
    source.pipe(hedge({ delay: 10, maxHedges: 10_000, scheduler })).subscribe((v) => values.push(v));
    expect(values).toEqual(['ok']);
    expect(n).toBe(5_000);
    expect(scheduler.actions).toHaveLength(0);
  });
});

describe('retryBackoff: zero-delay retries of a synchronous error', () => {
  it('retries maxAttempts times without growing the stack', () => {
    const counter = { n: 0 };
    const errors: unknown[] = [];
    failingSource(counter).pipe(retryBackoff({ maxAttempts: DEPTH, backoff: () => 0 })).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(counter.n).toBe(DEPTH);
    expect(errors).toHaveLength(1);
  });
});

describe('bulkhead: a released slot admitting waiters that complete synchronously', () => {
  it('hands slots over in a loop through 2·10^4 queued calls', () => {
    const gate = new Subject<void>();
    const pool = bulkhead({ maxConcurrent: 1, maxQueued: Infinity });
    let completed = 0;
    gate.pipe(pool).subscribe();
    for (let i = 0; i < DEPTH; i++) EMPTY.pipe(pool).subscribe({ complete: () => completed++ });
    expect(pool.stats().queued).toBe(DEPTH);
    gate.complete();
    expect(completed).toBe(DEPTH);
    expect(pool.stats()).toMatchObject({ active: 0, queued: 0 });
  });
});

describe('sliding window: waiting calls', () => {
  /** The former step-back-a-window-at-a-time answer, kept as the reference. */
  function reference(times: number[], cost: number, now: number, limit: number, window: number, queued: number): number {
    const count = times.length;
    let m = count + (queued + 1) * cost - 1;
    let windows = 0;
    let unit = m - limit;
    while (unit >= count) {
      const j = Math.floor((unit - count) / cost);
      m = count + (j + 1) * cost - 1;
      unit = m - limit;
      windows++;
    }
    const base = unit < 0 ? now : times[unit]! + window;
    return Math.max(0, base + windows * window - now);
  }

  test.prop([fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 500 }), fc.integer({ min: 1, max: 100 }), fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 40 })])(
    'the closed-form wait equals the window-by-window answer',
    (limit, rawCost, queued, window, offsets) => {
      const cost = Math.min(rawCost, limit);
      const now = 1_000;
      const live = [...new Set(offsets)].sort((a, b) => a - b).map((o) => now - window + 1 + (o % window)).slice(0, limit);
      const record = freshLog();
      record.times.push(...live);
      const out: MutableResult = { allowed: false, retryAfter: 0, remaining: 0 };
      const result = takeFromLog(record, cost, now, { kind: 'sliding-window', limit, window }, Math.max(queued, 1), out);
      if (!result.allowed) expect(result.retryAfter).toBe(reference(live, cost, now, limit, window, Math.max(queued, 1)));
    },
  );

  it('2·10^4 waiters behind a limit of one are all queued, then admitted one per window, in order', () => {
    const scheduler = new VirtualTimeScheduler();
    const limiter = slidingWindow({ limit: 1, window: 1, mode: 'wait', scheduler });
    const admitted: number[] = [];
    for (let i = 0; i < DEPTH; i++) defer(() => of(i)).pipe(limiter).subscribe((v) => admitted.push(v));
    expect(admitted).toEqual([0]);
    expect(limiter.stats().waiting).toBe(DEPTH - 1);
    scheduler.flush();
    expect(admitted).toHaveLength(DEPTH);
    expect(admitted[DEPTH - 1]).toBe(DEPTH - 1);
    expect(scheduler.now()).toBe(DEPTH - 1);
  });
});
