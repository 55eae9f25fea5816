/**
 * A failure that arrives as a value (an HTTP 503 response) takes the fallback: `fallback` and
 * `fallbackLadder` take `isFailure` and `isFailureResult` with the breaker's meaning.
 */
import { fc, test } from '@fast-check/vitest';
import { concat, EMPTY, from, mergeMap, of, throwError, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  cache,
  circuitBreaker,
  FailureResultError,
  fallback,
  fallbackLadder,
  isResilienceError,
  type FailureJudge,
  type FallbackEvent,
  type FallbackLadderEvent,
  type Tagged,
} from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';

interface Res {
  readonly status: number;
}
const ok: Res = { status: 200 };
const unavailable: Res = { status: 503 };
const judge: FailureJudge<Res> = { isFailureResult: (r) => r.status >= 500 };

describe('fallback with isFailureResult', () => {
  it('replaces a failing value: the source is unsubscribed and the alternative gets a FailureResultError', () => {
    const errors: unknown[] = [];
    const events: FallbackEvent[] = [];
    const policy = fallback((error) => (errors.push(error), of('spare')), { name: 'fb', ...judge });
    policy.events$.subscribe((e) => events.push(e));
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c|', { a: ok, b: unavailable, c: ok });
      expectObservable(source.pipe(policy)).toBe('-a-(s|)', { a: ok, s: 'spare' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FailureResultError);
    expect(isResilienceError(errors[0], 'FAILURE_RESULT')).toBe(true);
    expect(errors[0]).toMatchObject({ value: unavailable, policy: 'fb', code: 'FAILURE_RESULT' });
    expect(events.map((e) => e.error)).toEqual(errors);
    expect(policy.stats()).toMatchObject({ fallbacks: 1, passed: 0 });
  });

  it('does not ask isFailure about a failing value; isFailure still filters errors', () => {
    const asked: unknown[] = [];
    const policy = fallback(of('spare'), { ...judge, isFailure: (e) => (asked.push(e), e instanceof TypeError) });
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-b|', { b: unavailable }).pipe(policy)).toBe('-(s|)', { s: 'spare' });
      expectObservable(cold<Res>('-#', undefined, new RangeError('r')).pipe(policy)).toBe('-#', undefined, new RangeError('r'));
    });
    expect(asked).toEqual([new RangeError('r')]);
  });

  it('a throwing isFailureResult makes the call error with the thrown value, not replaced', () => {
    const bug = new Error('predicate bug');
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const alternative = cold('x|');
      const source = cold('-a-b|');
      expectObservable(source.pipe(fallback(alternative, { isFailureResult: () => { throw bug; } }))).toBe('-#', undefined, bug);
      expectSubscriptions(source.subscriptions).toBe('^!');
      expectSubscriptions(alternative.subscriptions).toBe([]);
    });
  });

  it('keeps when as the older name of isFailure; both at once is a ConfigError', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const policy = fallback(of(0), { when: (e) => e === 'retryable' });
      expectObservable(cold('-#', undefined, 'retryable').pipe(policy)).toBe('-(0|)', { 0: 0 });
      expectObservable(cold('-#', undefined, 'fatal').pipe(policy)).toBe('-#', undefined, 'fatal');
    });
    expectConfigError(() => fallback(of(0), { when: () => true, isFailure: () => true }), 'when');
    expectConfigError(() => fallback(of(0), { isFailureResult: 'yes' as never }), 'isFailureResult');
  });

  test.prop([fc.array(fc.integer({ min: 100, max: 599 }), { maxLength: 12 }), fc.boolean()])(
    'delivers the values before the first failing one, then the alternative; nothing after it',
    (statuses, endsInError) => {
      const seen: unknown[] = [];
      const source = concat(from(statuses.map((status): Res => ({ status }))), endsInError ? throwError(() => new Error('end')) : EMPTY);
      source.pipe(fallback(of('spare'), judge)).subscribe({ next: (v) => seen.push(v), error: (e: unknown) => seen.push(e) });
      const first = statuses.findIndex((status) => status >= 500);
      const good = (first < 0 ? statuses : statuses.slice(0, first)).map((status) => ({ status }));
      expect(seen).toEqual(first >= 0 || endsInError ? [...good, 'spare'] : good);
    },
  );
});

const tagged = <T>(value: T, source: Tagged<T>['source'], warnings: string[] = []): Tagged<T> => ({ value, source, degraded: source === 'degraded', warnings }) as Tagged<T>;

describe('fallbackLadder with isFailureResult', () => {
  it('replaces a failing value by the next rung, and never stores it in the cache', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const store = cache({ ttl: 100 });
      const ladder = fallbackLadder({ name: 'l', cache: store, default: { status: 0 }, ...judge });
      const down = cold('-b|', { b: unavailable });
      expectObservable(down.pipe(ladder)).toBe('-(d|)', {
        d: tagged({ status: 0 }, 'default', ['primary failed (FailureResultError: l: a value was judged a failure by isFailureResult); served the default value']),
      });
      // Nothing was stored: the next call goes upstream again.
      const up = cold('-a|', { a: ok });
      expectObservable(timer(2).pipe(mergeMap(() => up.pipe(ladder)))).toBe('---p|', { p: tagged(ok, 'primary') });
      expectSubscriptions(up.subscriptions).toBe('--^-!');
    });
  });

  it('serves a stale entry for a failing value, as for an error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = cache({ ttl: 5, staleTtl: 50 });
      const ladder = fallbackLadder({ name: 'l', cache: store, ...judge });
      expectObservable(cold('-a|', { a: ok }).pipe(ladder)).toBe('-p|', { p: tagged(ok, 'primary') });
      expectObservable(timer(10).pipe(mergeMap(() => cold('----------b|', { b: unavailable }).pipe(ladder)))).toBe('--------------------(s|)', {
        s: tagged(ok, 'stale', ['primary failed (FailureResultError: l: a value was judged a failure by isFailureResult); served a stale cached value stored 18 ms ago']),
      });
    });
  });

  it('with no rung for it, delivers the failing value tagged primary with a warning and completes', () => {
    const events: FallbackLadderEvent[] = [];
    const ladder = fallbackLadder({ name: 'l', ...judge });
    ladder.events$.subscribe((e) => events.push(e));
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-a|', { a: ok, b: unavailable });
      expectObservable(source.pipe(ladder)).toBe('-a-(b|)', {
        a: tagged(ok, 'primary'),
        b: tagged(unavailable, 'primary', ['primary value judged a failure by isFailureResult; no rung had a value']),
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(events).toMatchObject([{ type: 'unhandled', policy: 'l', key: 'default', error: { code: 'FAILURE_RESULT', value: unavailable } }]);
    expect(ladder.stats()).toMatchObject({ unhandled: 1 });
  });

  it('passes a throw from isFailureResult on unchanged, past every rung', () => {
    const bug = new Error('predicate bug');
    testScheduler().run(({ cold, expectObservable }) => {
      const ladder = fallbackLadder({ default: 0, isFailureResult: () => { throw bug; } });
      expectObservable(cold('-a|').pipe(ladder)).toBe('-#', undefined, bug);
    });
    expectConfigError(() => fallbackLadder({ when: () => true, isFailure: () => true }), 'when');
  });

  it('a 503 through breaker + ladder is counted by the breaker and not tagged primary', () => {
    // The user's mistake this pins: judging the 503 in the breaker only, the ladder tagged it 'primary'.
    const scheduler = new VirtualTimeScheduler();
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 2 }, breakDuration: 1_000, scheduler, ...judge });
    const ladder = fallbackLadder({ default: { status: 0 }, scheduler, ...judge });
    const results: Tagged<Res, Res>[] = [];
    for (let i = 0; i < 3; i++) of(unavailable).pipe(breaker, ladder).subscribe((r) => results.push(r));
    expect(results.map((r) => r.source)).toEqual(['default', 'default', 'default']);
    expect(results.map((r) => r.value)).toEqual([{ status: 0 }, { status: 0 }, { status: 0 }]);
    expect(breaker.stats()).toMatchObject({ state: 'open', rejected: 1, totals: { failures: 2 } });
  });
});
