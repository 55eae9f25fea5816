/** retryBackoff judging outcomes: failing values (`isFailureResult`) and errors that are not failures (`isFailure`). */
import { defer, Observable, of, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { circuitBreaker, constant, resilienceRegistry, retryBackoff, retryBudget, type RetryBackoffEvent } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

type Reply = { status: number };
const r200: Reply = { status: 200 };
const r503: Reply = { status: 503 };
const isFailureResult = (r: Reply) => r.status >= 500;
const boom = new Error('boom');

/** A cold source whose n-th subscription is the n-th attempt (the last one repeats). */
function attempts<T>(list: Observable<T>[]): Observable<T> {
  let n = 0;
  return defer(() => list[Math.min(n++, list.length - 1)]!);
}

describe('retryBackoff with isFailureResult', () => {
  it('does not forward a failing value: the attempt is torn down and retried', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const bad = cold('-x--|', { x: r503 });
      const good = cold('-y|', { y: r200 });
      expectObservable(attempts([bad, good]).pipe(retryBackoff({ backoff: constant(5), isFailureResult }))).toBe('-------y|', { y: r200 });
      expectSubscriptions(bad.subscriptions).toBe('^!');
      expectSubscriptions(good.subscriptions).toBe('------^-!');
    });
  });

  it('forwards the last failing value and completes when retries run out, with retry and give-up events', () => {
    const retry = retryBackoff({ name: 'r', maxAttempts: 3, backoff: constant(2), isFailureResult });
    const events: RetryBackoffEvent[] = [];
    retry.events$.subscribe((e) => events.push(e));
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const bad = cold('-x-|', { x: r503 });
      expectObservable(bad.pipe(retry)).toBe('-------(x|)', { x: r503 });
      expectSubscriptions(bad.subscriptions).toBe(['^!', '---^!', '------^!']);
    });
    expect(events).toEqual([
      { type: 'retry', policy: 'r', at: 1, attempt: 1, delay: 2, error: undefined, value: r503 },
      { type: 'retry', policy: 'r', at: 4, attempt: 2, delay: 2, error: undefined, value: r503 },
      { type: 'give-up', policy: 'r', at: 7, attempts: 3, reason: 'max-attempts', error: undefined, value: r503 },
    ]);
  });

  it('forwards the failing value when maxElapsed or the budget ends the retries', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const bad = cold('-x-|', { x: r503 });
      expectObservable(bad.pipe(retryBackoff({ maxElapsed: 4, backoff: constant(3), isFailureResult }))).toBe('-----(x|)', { x: r503 });
      const budget = retryBudget({ ratio: 0, minPerSecond: 0 });
      expectObservable(bad.pipe(retryBackoff({ budget, backoff: constant(3), isFailureResult }))).toBe('-(x|)', { x: r503 });
    });
  });

  it('forwards the good values of an attempt before its failing one (stream semantics)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = attempts([cold('ax|', { a: r200, x: r503 }), cold('-b|', { b: r200 })]);
      expectObservable(source.pipe(retryBackoff({ backoff: constant(3), isFailureResult }))).toBe('a----b|', { a: r200, b: r200 });
    });
  });

  it('surfaces what a throwing isFailureResult threw, without retrying', () => {
    const thrown = new Error('judge');
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a|');
      const judge = () => {
        throw thrown;
      };
      expectObservable(source.pipe(retryBackoff({ backoff: constant(1), isFailureResult: judge }))).toBe('-#', undefined, thrown);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('never takes a late value of a torn-down attempt for the current one', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    let n = 0;
    // No teardown: every attempt answers 503 at 1 and, unless closed, 200 at 10.
    const careless = new Observable<Reply>((subscriber) => {
      const attempt = ++n;
      scheduler.schedule(() => subscriber.next(attempt < 3 ? r503 : { status: 200 + attempt }), 1);
      scheduler.schedule(() => {
        if (!subscriber.closed) subscriber.next({ status: 290 + attempt });
      }, 10);
    });
    const values: Reply[] = [];
    careless.pipe(retryBackoff({ backoff: constant(1), isFailureResult, scheduler })).subscribe((v) => values.push(v));
    scheduler.flush();
    expect(values).toEqual([{ status: 203 }, { status: 293 }]);
  });

  it('retries a 503 value through breaker and retry, and the breaker counts each failed attempt', () => {
    // The mistake: only the breaker judged values, so the 503 came back after one upstream call.
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const replies = [r503, r503, r200];
    let calls = 0;
    const upstream = defer(() => of(replies[calls++]!));
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 5 }, isFailureResult, scheduler });
    const retry = retryBackoff({ maxAttempts: 3, backoff: constant(10), isFailureResult, scheduler });
    const values: Reply[] = [];
    upstream.pipe(breaker, retry).subscribe((v) => values.push(v));
    scheduler.flush();
    expect(values).toEqual([r200]);
    expect(calls).toBe(3);
    expect(breaker.stats().totals).toMatchObject({ failures: 2, successes: 1 });
  });

  it('types isFailureResult by the values of the stream it guards', () => {
    const retry = retryBackoff({ isFailureResult: (r: Reply) => r.status >= 500 });
    expectTypeOf(of(r200).pipe(retry)).toEqualTypeOf<Observable<Reply>>();
    // @ts-expect-error a predicate of the wrong shape does not compile against a stream of strings
    of('text').pipe(retry);
    // A typed policy registers, and its handle keeps the type.
    const handle = resilienceRegistry().register('typed-retry', retry);
    expectTypeOf(of(r200).pipe(handle)).toEqualTypeOf<Observable<Reply>>();
    expect(retry.name).toMatch(/^retry-/);
  });
});

describe('retryBackoff with isFailure', () => {
  it('surfaces an error isFailure refuses unchanged, without retrying, and reports the give-up', () => {
    const notFound = Object.assign(new Error('not found'), { status: 404 });
    const retry = retryBackoff({ name: 'nf', backoff: constant(1), isFailure: (e) => (e as { status?: number }).status !== 404, shouldRetry: () => true });
    const events: RetryBackoffEvent[] = [];
    retry.events$.subscribe((e) => events.push(e));
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, notFound);
      expectObservable(source.pipe(retry)).toBe('-#', undefined, notFound);
      expectSubscriptions(source.subscriptions).toBe('^!');
      const failing = attempts([cold('-#', undefined, boom), cold('-a|')]);
      expectObservable(failing.pipe(retry)).toBe('---a|');
    });
    expect(events[0]).toEqual({ type: 'give-up', policy: 'nf', at: 1, attempts: 1, reason: 'not-retryable', error: notFound });
  });
});
