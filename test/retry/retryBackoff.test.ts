import { defer, EMPTY, mergeMap, NEVER, Observable, of, take, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  CircuitOpenError,
  ConfigError,
  constant,
  exponential,
  isResilienceError,
  RateLimitedError,
  RetriesExhaustedError,
  retryBackoff,
  retryBudget,
  type RetryBackoffConfig,
  type RetryBackoffEvent,
} from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';

const boom = new Error('boom');

/** An observable that fails `failures` times (after `after` frames), then emits `value` and completes. */
function flaky(failures: number, scheduler: VirtualTimeScheduler, after = 1): { source: Observable<string>; subscribedAt: number[] } {
  const subscribedAt: number[] = [];
  let n = 0;
  const source = new Observable<string>((subscriber) => {
    subscribedAt.push(scheduler.now());
    const fail = n++ < failures;
    const action = scheduler.schedule(() => {
      if (fail) subscriber.error(boom);
      else {
        subscriber.next('ok');
        subscriber.complete();
      }
    }, after);
    return () => action.unsubscribe();
  });
  return { source, subscribedAt };
}

describe('retryBackoff', () => {
  it('passes values through and completes without retrying when the source succeeds', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b|');
      expectObservable(source.pipe(retryBackoff())).toBe('-a-b|');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('re-subscribes after exactly the backoff delay', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('-#', undefined, boom);
      const ok = cold('-a|');
      let n = 0;
      const source = defer(() => (n++ < 2 ? failing : ok));
      expectObservable(source.pipe(retryBackoff({ maxAttempts: 3, backoff: constant(10) }))).toBe('23ms a|');
      expectSubscriptions(failing.subscriptions).toBe(['^!', '11ms ^!']);
      expectSubscriptions(ok.subscriptions).toBe('22ms ^-!');
    });
  });

  it('waits initial · factor^(n−1) before the n-th retry, then gives up with RetriesExhaustedError', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#', undefined, boom);
      const retry = retryBackoff({ name: 'exp', maxAttempts: 4, backoff: exponential({ initial: 10, max: 100 }) });
      // Attempts at 0, 10 (+10), 30 (+20), 70 (+40).
      expectObservable(source.pipe(retry)).toBe('70ms #', undefined, new RetriesExhaustedError('exp', 4, boom, 'max-attempts'));
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '10ms (^!)', '30ms (^!)', '70ms (^!)']);
    });
  });

  it('carries the last error as cause and the attempt count, also for maxAttempts: 1', () => {
    const errors: unknown[] = [];
    throwError(() => boom).pipe(retryBackoff({ maxAttempts: 1 })).subscribe({ error: (e) => errors.push(e) });
    const error = errors[0] as RetriesExhaustedError;
    expect(isResilienceError(error, 'RETRIES_EXHAUSTED')).toBe(true);
    expect(error.cause).toBe(boom);
    expect(error.attempts).toBe(1);
    expect(error.reason).toBe('max-attempts');
  });

  it('delivers the values of a failed attempt downstream (stream semantics)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a#', undefined, boom);
      expectObservable(source.pipe(retryBackoff({ name: 'r', maxAttempts: 2, backoff: constant(10) }))).toBe('a 10ms a#', undefined, new RetriesExhaustedError('r', 2, boom, 'max-attempts'));
    });
  });

  it('cancels the pending re-subscription when unsubscribed during a delay', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-#', undefined, boom);
      expectObservable(source.pipe(retryBackoff({ backoff: constant(100) })), '50ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const { source, subscribedAt } = flaky(5, scheduler);
    const sub = source.pipe(retryBackoff({ backoff: constant(100), scheduler })).subscribe();
    scheduler.maxFrames = 50;
    scheduler.flush();
    expect(scheduler.actions.length).toBe(1); // the pending retry
    sub.unsubscribe();
    expect(scheduler.actions.length).toBe(0);
    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.flush();
    expect(subscribedAt).toEqual([0]);
  });

  it('without resetOnSuccess, values do not restore attempts', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a#', undefined, boom);
      const retry = retryBackoff({ name: 'r', maxAttempts: 5, backoff: exponential({ initial: 10, max: 1000 }) });
      expectObservable(source.pipe(retry)).toBe('a 10ms a 20ms a 40ms a 80ms a#', undefined, new RetriesExhaustedError('r', 5, boom, 'max-attempts'));
    });
  });

  it('with resetOnSuccess, a value restores the attempts and restarts the backoff', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a#', undefined, boom);
      const retry = retryBackoff({ maxAttempts: 2, backoff: exponential({ initial: 10, max: 1000 }), resetOnSuccess: true });
      expectObservable(source.pipe(retry, take(5))).toBe('a 10ms a 10ms a 10ms a 10ms (a|)');
    });
  });

  it('with resetOnSuccess, maxElapsed counts from the last value', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      // Each attempt: a value at 5, an error at 10. The wait of 10 never passes maxElapsed 15 from the value.
      const source = cold('5ms a 4ms #', undefined, boom);
      const retry = retryBackoff({ maxAttempts: 100, maxElapsed: 15, backoff: constant(10), resetOnSuccess: true });
      expectObservable(source.pipe(retry, take(3))).toBe('5ms a 19ms a 19ms (a|)');
    });
  });

  it('waits at least the retryAfter of a rejection', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const limited = cold('#', undefined, new RateLimitedError('limiter', 50));
      const ok = cold('a|');
      let n = 0;
      const source = defer(() => (n++ === 0 ? limited : ok));
      expectObservable(source.pipe(retryBackoff({ backoff: constant(10), maxDelay: 1000 }))).toBe('50ms a|');
      expectSubscriptions(ok.subscriptions).toBe('50ms ^!');
    });
  });

  it('reads retryAfter from any error that carries a finite number ≥ 0, and ignores other values', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const http429 = Object.assign(new Error('429'), { retryAfter: 30 });
      const nonsense = Object.assign(new Error('odd'), { retryAfter: '30' });
      const make = (error: Error) => {
        let n = 0;
        return defer(() => (n++ === 0 ? cold('#', undefined, error) : cold('a|')));
      };
      expectObservable(make(http429).pipe(retryBackoff({ backoff: constant(5), maxDelay: 100 }))).toBe('30ms a|');
      expectObservable(make(nonsense).pipe(retryBackoff({ backoff: constant(5), maxDelay: 100 }))).toBe('5ms a|');
    });
  });

  it('gives up at once when retryAfter exceeds maxDelay (by default the backoff max)', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const open = new CircuitOpenError('breaker', 'open', 60_000);
      const source = cold('-#', undefined, open);
      expectObservable(source.pipe(retryBackoff({ name: 'r', backoff: exponential({ initial: 10, max: 5000 }) }))).toBe('-#', undefined, new RetriesExhaustedError('r', 1, open, 'max-delay'));
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('waits out an open breaker inside it, retrying at its half-open instant', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 100 });
      let n = 0;
      const failing = cold('-#', undefined, boom);
      const ok = cold('-a|');
      const source = defer(() => (n++ === 0 ? failing : ok));
      // Fails at 1 and opens the breaker until 101; the retry after 10 is rejected with retryAfter 90.
      expectObservable(source.pipe(breaker, retryBackoff({ maxAttempts: 3, backoff: constant(10), maxDelay: 1000 }))).toBe('102ms a|');
      expectSubscriptions(ok.subscriptions).toBe('101ms ^-!');
    });
  });

  it('clamps a backoff delay to maxDelay', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      let n = 0;
      const source = defer(() => (n++ === 0 ? cold('#', undefined, boom) : cold('a|')));
      expectObservable(source.pipe(retryBackoff({ backoff: constant(500), maxDelay: 20 }))).toBe('20ms a|');
    });
  });

  it('gives up when the next wait would pass maxElapsed, counted from the first subscription', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('#', undefined, boom);
      // Attempts at 0, 10, 20; waiting 10 more from 20 would end at 30 > 25.
      expectObservable(source.pipe(retryBackoff({ name: 'r', maxAttempts: 10, maxElapsed: 25, backoff: constant(10) }))).toBe('20ms #', undefined, new RetriesExhaustedError('r', 3, boom, 'max-elapsed'));
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '10ms (^!)', '20ms (^!)']);
    });
  });

  it('allows a wait that ends exactly at maxElapsed', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      let n = 0;
      const source = defer(() => (n++ < 2 ? cold('#', undefined, boom) : cold('a|')));
      expectObservable(source.pipe(retryBackoff({ maxAttempts: 10, maxElapsed: 20, backoff: constant(10) }))).toBe('20ms a|');
    });
  });

  it('surfaces an error that shouldRetry refuses unchanged, and passes it the attempt number', () => {
    const fatal = new Error('fatal');
    const seen: [unknown, number][] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      let n = 0;
      const source = defer(() => cold('#', undefined, n++ === 0 ? boom : fatal));
      const retry = retryBackoff({ backoff: constant(10), shouldRetry: (e, attempt) => (seen.push([e, attempt]), e !== fatal) });
      expectObservable(source.pipe(retry)).toBe('10ms #', undefined, fatal);
    });
    expect(seen).toEqual([[boom, 1], [fatal, 2]]);
  });

  it('by default does not retry errors marked retryable: false', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const marked = Object.assign(new Error('bad request'), { retryable: false });
      const source = cold('-#', undefined, marked);
      expectObservable(source.pipe(retryBackoff())).toBe('-#', undefined, marked);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('never retries a ConfigError, whatever shouldRetry says', () => {
    const config = new ConfigError('x', 'field', 1, 'something else');
    let subscriptions = 0;
    const errors: unknown[] = [];
    defer(() => (subscriptions++, throwError(() => config))).pipe(retryBackoff({ backoff: constant(0), shouldRetry: () => true })).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([config]);
    expect(subscriptions).toBe(1);
  });

  it('surfaces the error unchanged when the budget refuses the retry', () => {
    const budget = retryBudget({ ratio: 0, minPerSecond: 0 });
    const errors: unknown[] = [];
    const events: RetryBackoffEvent[] = [];
    const retry = retryBackoff({ backoff: constant(0), budget });
    retry.events$.subscribe((e) => events.push(e));
    throwError(() => boom).pipe(retry).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([boom]);
    expect(events).toMatchObject([{ type: 'give-up', reason: 'budget', attempts: 1, error: boom }]);
    expect(budget.stats()).toMatchObject({ deposits: 1, granted: 0, refused: 1 });
  });

  it('surfaces what shouldRetry or the backoff throws', () => {
    const oops = new Error('predicate broke');
    const errors: unknown[] = [];
    throwError(() => boom).pipe(retryBackoff({ shouldRetry: () => { throw oops; } })).subscribe({ error: (e) => errors.push(e) });
    throwError(() => boom).pipe(retryBackoff({ backoff: () => { throw oops; } })).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([oops, oops]);
  });

  it('waits 0 for a backoff result that is not a number ≥ 0', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      let n = 0;
      const source = defer(() => (n++ < 2 ? cold('-#', undefined, boom) : cold('-a|')));
      expectObservable(source.pipe(retryBackoff({ backoff: (attempt) => (attempt === 1 ? Number.NaN : -5), maxDelay: 10 }))).toBe('---a|');
    });
  });

  it('emits retry, success and give-up events in order, with scheduler time', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const retry = retryBackoff({ name: 'ev', maxAttempts: 2, backoff: constant(10) });
      let n = 0;
      const ok = defer(() => (n++ === 0 ? cold('-#', undefined, boom) : cold('-a|')));
      const failing = cold('#', undefined, boom);
      expectObservable(retry.events$).toBe('-a 11ms b 36ms c 9ms d', {
        a: { type: 'retry', policy: 'ev', at: 1, attempt: 1, delay: 10, error: boom },
        b: { type: 'success', policy: 'ev', at: 13, attempts: 2 },
        c: { type: 'retry', policy: 'ev', at: 50, attempt: 1, delay: 10, error: boom },
        d: { type: 'give-up', policy: 'ev', at: 60, attempts: 2, reason: 'max-attempts', error: boom },
      });
      ok.pipe(retry).subscribe();
      cold('50ms x').pipe(mergeMap(() => failing.pipe(retry))).subscribe({ error: () => undefined });
    });
  });

  it('keeps retry state per subscription when one policy is piped into many pipelines', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const retry = retryBackoff({ name: 'shared', maxAttempts: 2, backoff: constant(10) });
      const source = cold('#', undefined, boom);
      const exhausted = new RetriesExhaustedError('shared', 2, boom, 'max-attempts');
      expectObservable(source.pipe(retry)).toBe('10ms #', undefined, exhausted);
      expectObservable(cold('5ms x').pipe(mergeMap(() => source.pipe(retry)))).toBe('15ms #', undefined, exhausted);
    });
  });

  it('handles empty, never and synchronously throwing sources', () => {
    testScheduler().run(({ expectObservable }) => {
      expectObservable(EMPTY.pipe(retryBackoff())).toBe('|');
      expectObservable(NEVER.pipe(retryBackoff())).toBe('');
      expectObservable(throwError(() => boom).pipe(retryBackoff({ name: 't', maxAttempts: 3, backoff: constant(4) }))).toBe('8ms #', undefined, new RetriesExhaustedError('t', 3, boom, 'max-attempts'));
    });
  });

  it('propagates unsubscription through mergeMap', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('--#', undefined, boom);
      const outer = hot('-x');
      expectObservable(outer.pipe(mergeMap(() => source.pipe(retryBackoff({ backoff: constant(1) })))), '^ 6ms !').toBe('');
      expectSubscriptions(source.subscriptions).toBe(['-^-!', '----^-!']);
    });
  });

  it('stops a synchronous firehose under take', () => {
    let emitted = 0;
    const firehose = new Observable<number>((subscriber) => {
      for (let i = 0; i < 1000 && !subscriber.closed; i++) {
        emitted++;
        subscriber.next(i);
      }
      subscriber.complete();
    });
    const values: number[] = [];
    firehose.pipe(retryBackoff(), take(2)).subscribe((v) => values.push(v));
    expect(values).toEqual([0, 1]);
    expect(emitted).toBe(2);
  });

  it('retries a synchronously failing source in a loop, not by recursion', () => {
    let subscriptions = 0;
    const errors: unknown[] = [];
    defer(() => (subscriptions++, throwError(() => boom))).pipe(retryBackoff({ maxAttempts: 50_000, backoff: constant(0) })).subscribe({ error: (e) => errors.push(e) });
    expect(subscriptions).toBe(50_000);
    expect((errors[0] as RetriesExhaustedError).attempts).toBe(50_000);
  });

  it('stops retrying synchronously when the downstream unsubscribes in between', () => {
    let subscriptions = 0;
    const values: number[] = [];
    defer(() => (subscriptions++, of(subscriptions).pipe(mergeMap((n) => (n < 5 ? throwError(() => boom) : of(n))))))
      .pipe(retryBackoff({ maxAttempts: Number.POSITIVE_INFINITY, backoff: constant(0) }), take(1))
      .subscribe((v) => values.push(v));
    expect(values).toEqual([5]);
    expect(subscriptions).toBe(5);
  });

  it('accepts maxAttempts: Infinity', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const { source, subscribedAt } = flaky(200, scheduler);
    const values: string[] = [];
    source.pipe(retryBackoff({ maxAttempts: Number.POSITIVE_INFINITY, backoff: constant(1), scheduler })).subscribe((v) => values.push(v));
    scheduler.flush();
    expect(values).toEqual(['ok']);
    expect(subscribedAt.length).toBe(201);
    expect(scheduler.actions.length).toBe(0);
  });

  it('uses a generated name when none is given, and the given one otherwise', () => {
    expect(retryBackoff().name).toMatch(/^retry-\d+$/);
    expect(retryBackoff({ name: 'payments' }).name).toBe('payments');
  });
});

describe('retryBackoff config validation', () => {
  const bad: [field: string, config: unknown][] = [
    ['config', 'three'],
    ['maxAtempts', { maxAtempts: 3 }],
    ['name', { name: '' }],
    ['maxAttempts', { maxAttempts: 0 }],
    ['maxAttempts', { maxAttempts: 2.5 }],
    ['maxAttempts', { maxAttempts: Number.NaN }],
    ['maxAttempts', { maxAttempts: Number.NEGATIVE_INFINITY }],
    ['maxElapsed', { maxElapsed: 0 }],
    ['maxElapsed', { maxElapsed: -1 }],
    ['maxDelay', { maxDelay: -1 }],
    ['maxDelay', { maxDelay: Number.POSITIVE_INFINITY }],
    ['backoff', { backoff: 100 }],
    ['shouldRetry', { shouldRetry: true }],
    ['isFailure', { isFailure: 'no' }],
    ['isFailureResult', { isFailureResult: 503 }],
    ['resetOnSuccess', { resetOnSuccess: 'yes' }],
    ['budget', { budget: { ratio: 0.2 } }],
    ['budget', { budget: null }],
    ['scheduler', { scheduler: { now: 1 } }],
  ];

  it.each(bad)('a bad %s throws ConfigError naming it', (field, config) => {
    expectConfigError(() => retryBackoff(config as RetryBackoffConfig), field);
  });

  it('accepts every documented option', () => {
    expect(() =>
      retryBackoff({
        name: 'all',
        maxAttempts: 5,
        maxElapsed: 10_000,
        maxDelay: 2_000,
        backoff: exponential(),
        shouldRetry: () => true,
        isFailure: () => true,
        isFailureResult: () => false,
        resetOnSuccess: true,
        budget: retryBudget(),
        scheduler: new VirtualTimeScheduler(),
      }),
    ).not.toThrow();
  });
});
