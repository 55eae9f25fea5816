import { defer, EMPTY, mergeMap, NEVER, Observable, of, take, throwError, timer, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, CircuitOpenError, isResilienceError, type CircuitBreakerEvent } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

const boom = new Error('boom');

describe('circuitBreaker', () => {
  it('passes values through untouched and counts a completion as a success', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const breaker = circuitBreaker();
      const source = cold('-a-b|');
      expectObservable(source.pipe(breaker)).toBe('-a-b|');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('opens after N consecutive failures and rejects without subscribing upstream', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 2 }, breakDuration: 100 });
      const failing = cold('-#', undefined, boom);
      const guarded = failing.pipe(breaker);
      expectObservable(guarded).toBe('-#', undefined, boom);
      expectObservable(timer(5).pipe(mergeMap(() => guarded))).toBe('------#', undefined, boom);
      expectObservable(timer(10).pipe(mergeMap(() => guarded))).toBe('----------#', undefined, new CircuitOpenError(breaker.name, 'open', 96));
      expectSubscriptions(failing.subscriptions).toBe(['^!', '-----^!']);
    });
  });

  it('turns half-open at exactly openedAt + breakDuration, without traffic', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 10 });
      cold('-#', undefined, boom).pipe(breaker).subscribe({ error: () => undefined });
      expectObservable(breaker.state$).toBe('a b 9ms c', { a: 'closed', b: 'open', c: 'half-open' });
    });
  });

  it('admits a trial at the half-open instant and closes on success', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 10 });
      cold('#', undefined, boom).pipe(breaker).subscribe({ error: () => undefined });
      // At frame 9 still open (retryAfter 1); at frame 10 a trial goes through.
      expectObservable(timer(9).pipe(mergeMap(() => of(1).pipe(breaker)))).toBe('---------#', undefined, new CircuitOpenError(breaker.name, 'open', 1));
      expectObservable(timer(10).pipe(mergeMap(() => cold('--x|').pipe(breaker)))).toBe('------------x|');
      expectObservable(breaker.state$).toBe('a---------b--c', { a: 'open', b: 'half-open', c: 'closed' });
    });
  });

  it('re-opens on the first failed trial with the next break duration from a backoff', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: (opens) => opens * 10 });
      const failing = cold('#', undefined, boom).pipe(breaker);
      failing.subscribe({ error: () => undefined });
      timer(10).pipe(mergeMap(() => failing)).subscribe({ error: () => undefined });
      // open 0-10 (10 ms), trial fails at 10, open 10-30 (20 ms), half-open at 30.
      expectObservable(breaker.state$).toBe('a 9ms (bc) 16ms d', { a: 'open', b: 'half-open', c: 'open', d: 'half-open' });
    });
  });

  it('rejects half-open calls beyond halfOpenMaxCalls with no retryAfter; a cancelled trial frees its permit', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 5, halfOpenMaxCalls: 1 });
      cold('#', undefined, boom).pipe(breaker).subscribe({ error: () => undefined });
      const slow = cold('----a|');
      const callAt = (t: number) => timer(t).pipe(mergeMap(() => slow.pipe(breaker)));
      expectObservable(callAt(5), '^------!').toBe('-'); // trial, cancelled at 7
      expectObservable(callAt(6)).toBe('------#', undefined, new CircuitOpenError(breaker.name, 'half-open', undefined));
      expectObservable(callAt(8)).toBe('------------a|');
      expectObservable(breaker.state$).toBe('a 4ms b 7ms c', { a: 'open', b: 'half-open', c: 'closed' });
    });
  });
});

describe('circuitBreaker outcomes', () => {
  const collect = (breaker: ReturnType<typeof circuitBreaker>) => {
    const events: CircuitBreakerEvent[] = [];
    breaker.events$.subscribe((e) => events.push(e));
    return events;
  };

  it('counts an unsubscribe before any value as cancelled, after a value as success', () => {
    const marbled = circuitBreaker({ name: 'b' });
    const marbledEvents = collect(marbled);
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('---a|').pipe(marbled), '^-!').toBe('---');
      expectObservable(cold('-a-b|').pipe(marbled, take(1))).toBe('-(a|)');
      expectObservable(marbled.state$).toBe('a', { a: 'closed' });
    });
    expect(marbledEvents.map((e) => [e.type, e.at])).toEqual([['success', 1], ['cancelled', 2]]);
    const breaker = circuitBreaker({ name: 'c' });
    const events = collect(breaker);
    testScheduler().run(({ cold }) => {
      cold('---a|').pipe(breaker).subscribe().unsubscribe();
      cold('-a-b|').pipe(breaker, take(1)).subscribe();
    });
    expect(events.map((e) => e.type)).toEqual(['cancelled', 'success']);
    expect(breaker.stats().totals).toEqual({ successes: 1, failures: 0, ignored: 0, cancelled: 1 });
    expect(breaker.stats().calls).toBe(1);
  });

  it('judges values with isFailureResult and still delivers them', () => {
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 100, isFailureResult: (v: { status: number }) => v.status >= 500 });
    const events = collect(breaker);
    testScheduler().run(({ cold, expectObservable }) => {
      const values = { a: { status: 200 }, b: { status: 503 } };
      expectObservable(cold('-a-b|', values).pipe(breaker)).toBe('-a-b|', values);
      // The outcome is recorded once, at the end of the call (frame 4).
      expectObservable(breaker.state$).toBe('a---b 99ms c', { a: 'closed', b: 'open', c: 'half-open' });
    });
    expect(events.map((e) => e.type)).toEqual(['failure', 'transition', 'transition']);
  });

  it('a value judged a failure makes an early unsubscribe a failure too', () => {
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, isFailureResult: (v: number) => v < 0 });
    testScheduler().run(({ cold }) => {
      cold('-a-b|', { a: -1, b: 1 }).pipe(breaker, take(1)).subscribe();
    });
    expect(breaker.stats().totals.failures).toBe(1);
    expect(breaker.stats().lastFailureAt).toBe(1);
  });

  it('ignores errors that isFailure refuses and our own local rejections', () => {
    const inner = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 1000 });
    const outer = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, isFailure: (e) => e !== 'benign' });
    const events = collect(outer);
    testScheduler().run(({ cold }) => {
      const noop = { error: () => undefined };
      cold('#', undefined, 'benign').pipe(outer).subscribe(noop);
      cold('#', undefined, boom).pipe(inner).subscribe(noop); // opens inner
      timer(1).pipe(mergeMap(() => cold('a|').pipe(inner, outer))).subscribe(noop); // inner rejects: outer ignores it
    });
    expect(events.map((e) => e.type)).toEqual(['ignored', 'ignored']);
    expect(outer.stats().state).toBe('closed');
  });

  it('ignored errors neither break nor extend a run of consecutive failures', () => {
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 3 }, isFailure: (e) => e !== 'x' });
    const noop = { error: () => undefined };
    for (const err of [boom, 'x', boom, 'x', 'x']) throwError(() => err).pipe(breaker).subscribe(noop);
    expect(breaker.stats().state).toBe('closed');
    throwError(() => boom).pipe(breaker).subscribe(noop);
    expect(breaker.stats().state).toBe('open');
    breaker.reset();
  });

  it('emits the outcome event, then the transition, then the new state, synchronously', () => {
    const breaker = circuitBreaker({ name: 'order', strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 50 });
    const log: string[] = [];
    breaker.events$.subscribe((e) => log.push(e.type === 'transition' ? `event ${e.from}->${e.to}` : `event ${e.type}`));
    breaker.state$.subscribe((s) => log.push(`state ${s}`));
    breaker.metrics$.subscribe((m) => log.push(`metrics ${m.state}`));
    testScheduler().run(({ cold }) => {
      cold('-#', undefined, boom).pipe(breaker).subscribe({ error: () => log.push('error delivered') });
    });
    expect(log).toEqual([
      'state closed', 'metrics closed',
      'event failure', 'event closed->open', 'state open', 'metrics open', 'error delivered',
      'event open->half-open', 'state half-open', 'metrics half-open',
    ]);
  });

  it('gives events their time, duration and slowness from the scheduler', () => {
    const breaker = circuitBreaker({ name: 'timing', slowCallDuration: 3 });
    const events = collect(breaker);
    testScheduler().run(({ cold }) => {
      cold('--a|').pipe(breaker).subscribe();
      cold('-----a|').pipe(breaker).subscribe();
    });
    expect(events).toEqual([
      { type: 'success', policy: 'timing', at: 3, duration: 3, late: false, slow: true },
      { type: 'success', policy: 'timing', at: 6, duration: 6, late: false, slow: true },
    ]);
    const quick = circuitBreaker({ name: 'quick', slowCallDuration: 3 });
    const quickEvents = collect(quick);
    testScheduler().run(({ cold }) => cold('-a|').pipe(quick).subscribe());
    expect(quickEvents[0]).toMatchObject({ type: 'success', duration: 2, slow: false });
  });

  it('reports late outcomes without moving the state machine (decision 8)', () => {
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 100 });
    const events = collect(breaker);
    testScheduler().run(({ cold }) => {
      const noop = { error: () => undefined };
      cold('-----a|').pipe(breaker).subscribe(); // starts closed, ends while open
      cold('-#', undefined, boom).pipe(breaker).subscribe(noop);
      cold('--------#', undefined, boom).pipe(breaker).subscribe(noop); // late failure
    });
    expect(events.map((e) => `${e.type}${'late' in e && e.late ? ' (late)' : ''}`)).toEqual([
      'failure', 'transition', 'success (late)', 'failure (late)', 'transition',
    ]);
    expect(breaker.stats().totals).toEqual({ successes: 1, failures: 2, ignored: 0, cancelled: 0 });
  });

  it('needs successThreshold trials to close; they may run one after another', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 10, successThreshold: 2 });
      cold('#', undefined, boom).pipe(breaker).subscribe({ error: () => undefined });
      const ok = cold('-a|');
      expectObservable(timer(10).pipe(mergeMap(() => ok.pipe(breaker)))).toBe('----------- a|');
      expectObservable(timer(13).pipe(mergeMap(() => ok.pipe(breaker)))).toBe('-------------- a|');
      expectObservable(breaker.state$).toBe('a 9ms b 4ms c', { a: 'open', b: 'half-open', c: 'closed' });
    });
  });
});

describe('circuitBreaker windows', () => {
  const noop = { error: () => undefined };
  const fail = () => throwError(() => boom);

  it('count window trips at rate >= threshold once minimumCalls finished calls are in', () => {
    const breaker = circuitBreaker({ strategy: { kind: 'count', size: 4, failureRateThreshold: 0.5, minimumCalls: 4 }, breakDuration: 1 });
    testScheduler().run(() => {
      of(1).pipe(breaker).subscribe();
      fail().pipe(breaker).subscribe(noop);
      of(1).pipe(breaker).subscribe();
      expect(breaker.stats()).toMatchObject({ state: 'closed', calls: 3, failures: 1, failureRate: 1 / 3 });
      fail().pipe(breaker).subscribe(noop); // 2 of 4 = 0.5
      expect(breaker.stats().state).toBe('open');
      expect(breaker.stats()).toMatchObject({ calls: 0, failures: 0, failureRate: 0 }); // cleared on transition
    });
  });

  it('a success that completes minimumCalls trips an unobserved breaker and it still turns half-open on time', () => {
    // No listener, no slow-call tracking: the call is admitted without a clock reading.
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'count', size: 2, failureRateThreshold: 0.2, minimumCalls: 2 }, breakDuration: 5 });
      cold('#', undefined, boom).pipe(breaker).subscribe(noop);
      cold('|').pipe(breaker).subscribe(); // a success at frame 0 completes minimumCalls: 1 of 2 failed
      expectObservable(timer(1).pipe(mergeMap(() => of(breaker.stats().nextAttemptAt)))).toBe('-(a|)', { a: 5 });
      expectObservable(breaker.state$).toBe('a 4ms b', { a: 'open', b: 'half-open' });
    });
  });

  it('count window caps minimumCalls at its size and slides', () => {
    const breaker = circuitBreaker({ strategy: { kind: 'count', size: 2, failureRateThreshold: 1, minimumCalls: 10 } });
    testScheduler().run(() => {
      fail().pipe(breaker).subscribe(noop);
      of(1).pipe(breaker).subscribe();
      fail().pipe(breaker).subscribe(noop); // window [ok, fail]
      expect(breaker.stats()).toMatchObject({ state: 'closed', calls: 2, failures: 1 });
      fail().pipe(breaker).subscribe(noop); // window [fail, fail]
      expect(breaker.stats().state).toBe('open');
      breaker.reset();
    });
  });

  it('trips on the slow-call rate', () => {
    const breaker = circuitBreaker({ slowCallDuration: 5, strategy: { kind: 'count', size: 2, minimumCalls: 2, slowCallRateThreshold: 0.5 } });
    testScheduler().run(({ cold, expectObservable }) => {
      cold('a|').pipe(breaker).subscribe();
      cold('-----a|').pipe(breaker).subscribe();
      expectObservable(breaker.state$).toBe('a 5ms b 59999ms c', { a: 'closed', b: 'open', c: 'half-open' });
    });
    breaker.reset();
  });

  it('time window: buckets aligned to the clock expire as time moves, without timers', () => {
    testScheduler().run(({ cold }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'time', duration: 100, buckets: 4, minimumCalls: 3, failureRateThreshold: 1 } });
      const failAt = (t: number) => timer(t).pipe(mergeMap(fail), breaker).subscribe(noop);
      const statsAt = (t: number, f: (s: ReturnType<typeof breaker.stats>) => void) => timer(t).subscribe(() => f(breaker.stats()));
      failAt(10); // bucket [0, 25)
      failAt(30); // bucket [25, 50)
      statsAt(99, (s) => expect(s).toMatchObject({ calls: 2, state: 'closed' }));
      statsAt(100, (s) => expect(s).toMatchObject({ calls: 1 })); // [0, 25) left the window at 100
      statsAt(125, (s) => expect(s).toMatchObject({ calls: 0 }));
      failAt(130);
      failAt(140);
      statsAt(141, (s) => expect(s).toMatchObject({ calls: 2, state: 'closed' }));
      failAt(149);
      statsAt(149, (s) => expect(s.state).toBe('open'));
      void cold;
    });
  });
});

describe('circuitBreaker controls and state export', () => {
  it('isolate() rejects everything with no retryAfter until reset(); both cancel the half-open action', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const breaker = circuitBreaker({ name: 'iso', strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 10 });
      throwError(() => boom).pipe(breaker).subscribe({ error: () => undefined });
      expect(scheduler.actions.length).toBe(1); // the half-open action
      breaker.isolate();
      expect(scheduler.actions.length).toBe(0);
      expectObservable(of(1).pipe(breaker)).toBe('#', undefined, new CircuitOpenError('iso', 'isolated', undefined));
      timer(20).subscribe(() => breaker.reset());
      expectObservable(timer(21).pipe(mergeMap(() => of(1).pipe(breaker)))).toBe('21ms (a|)', { a: 1 });
      expectObservable(breaker.state$).toBe('a 19ms b', { a: 'isolated', b: 'closed' });
    });
  });

  it('trip() opens a closed breaker for its break, then half-open; it does nothing in any other state', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const breaker = circuitBreaker({ name: 'trip', strategy: { kind: 'consecutive', failures: 5 }, breakDuration: 10 });
      timer(5).subscribe(() => breaker.trip());
      timer(7).subscribe(() => breaker.trip()); // open already: no new break
      expectObservable(timer(6).pipe(mergeMap(() => of(1).pipe(breaker)))).toBe('6ms #', undefined, new CircuitOpenError('trip', 'open', 9));
      expectObservable(breaker.state$).toBe('a 4ms b 9ms c', { a: 'closed', b: 'open', c: 'half-open' });
    });
    const isolated = circuitBreaker({ name: 'iso-trip' });
    isolated.isolate();
    isolated.trip();
    expect(isolated.stats().state).toBe('isolated');
  });

  it('disable() lets every call through and still reports outcomes', () => {
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 } });
    const types: string[] = [];
    breaker.events$.subscribe((e) => types.push(e.type));
    breaker.disable();
    for (let i = 0; i < 3; i++) throwError(() => boom).pipe(breaker).subscribe({ error: () => undefined });
    expect(breaker.stats()).toMatchObject({ state: 'disabled', failures: 3, totals: { failures: 3 } });
    expect(types).toEqual(['transition', 'failure', 'failure', 'failure']);
    breaker.reset();
    expect(breaker.stats()).toMatchObject({ state: 'closed', calls: 0 });
  });

  it('exports a JSON-safe state that initialState restores, re-arming the half-open action', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const config = { strategy: { kind: 'count', size: 5, minimumCalls: 2 }, breakDuration: 30 } as const;
      const first = circuitBreaker(config);
      timer(5).pipe(mergeMap(() => throwError(() => boom)), first).subscribe({ error: () => undefined });
      timer(6).pipe(mergeMap(() => throwError(() => boom)), first).subscribe({ error: () => undefined });
      timer(10).subscribe(() => {
        const saved = JSON.parse(JSON.stringify(first.exportState()));
        expect(saved).toEqual({ version: 1, state: 'open', openedAt: 6, until: 36, opens: 1, window: [], lastTrip: { at: 6, failureRate: 1, slowCallRate: 0 } });
        first.reset();
        const second = circuitBreaker({ ...config, initialState: saved });
        expect(second.stats()).toMatchObject({ state: 'open', nextAttemptAt: 36 });
        second.state$.subscribe((s) => states.push([scheduler.now(), s]));
      });
      const states: [number, string][] = [];
      timer(100).subscribe(() => expect(states).toEqual([[10, 'open'], [36, 'half-open']]));
      expectObservable(timer(0)).toBe('(a|)', { a: 0 });
    });
  });

  it('restores window contents and refuses a snapshot that does not fit', () => {
    const config = { strategy: { kind: 'count', size: 3, minimumCalls: 3 } } as const;
    const a = circuitBreaker(config);
    of(1).pipe(a).subscribe();
    throwError(() => boom).pipe(a).subscribe({ error: () => undefined });
    const b = circuitBreaker({ ...config, initialState: a.exportState() });
    expect(b.stats()).toMatchObject({ calls: 2, failures: 1 });
    expect(() => circuitBreaker({ strategy: { kind: 'count', size: 1 }, initialState: a.exportState() })).toThrowError(/initialState\.window/);
    expect(() => circuitBreaker({ initialState: { version: 2 } as never })).toThrowError(/initialState\.version/);
  });
});

describe('circuitBreaker operator checklist', () => {
  it('keeps the unsubscription chain through mergeMap', () => {
    testScheduler().run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const breaker = circuitBreaker();
      const inner = cold('--a--b--c|');
      const result = hot('-x---------').pipe(mergeMap(() => inner.pipe(breaker)), mergeMap((v) => of(v)));
      expectObservable(result, '^------!').toBe('---a--b');
      expectSubscriptions(inner.subscriptions).toBe('-^-----!');
    });
  });

  it('stops a synchronous firehose when take() unsubscribes', () => {
    let emitted = 0;
    const firehose = new Observable<number>((subscriber) => {
      for (let i = 0; !subscriber.closed && i < 1000; i++) {
        emitted++;
        subscriber.next(i);
      }
    });
    const breaker = circuitBreaker();
    const values: number[] = [];
    firehose.pipe(breaker, take(3)).subscribe((v) => values.push(v));
    expect(values).toEqual([0, 1, 2]);
    expect(emitted).toBe(3);
    expect(breaker.stats().totals.successes).toBe(1);
  });

  it('handles empty, never and throwing sources', () => {
    testScheduler().run(({ expectObservable }) => {
      const breaker = circuitBreaker();
      expectObservable(EMPTY.pipe(breaker)).toBe('|');
      expectObservable(NEVER.pipe(breaker), '^--!').toBe('---');
      expectObservable(throwError(() => boom).pipe(breaker)).toBe('#', undefined, boom);
      expectObservable(defer(() => { throw boom; }).pipe(breaker)).toBe('#', undefined, boom);
    });
  });

  it('treats a throwing isFailureResult as the error of the call', () => {
    const oops = new Error('predicate');
    const breaker = circuitBreaker({ isFailureResult: () => { throw oops; } });
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b|');
      expectObservable(source.pipe(breaker)).toBe('-#', undefined, oops);
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
    expect(breaker.stats().totals.failures).toBe(1);
  });

  it('leaves nothing scheduled once calls end or are unsubscribed, in any state', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 5 });
      const sub = cold('---a|').pipe(breaker).subscribe();
      sub.unsubscribe();
      expect(scheduler.actions.length).toBe(0);
    });
    expect(scheduler.actions.length).toBe(0);
  });

  it('is a generic operator usable in many pipelines, sharing one state', () => {
    const breaker = circuitBreaker({ name: 'shared', strategy: { kind: 'consecutive', failures: 2 } });
    of('x').pipe(breaker, map((s) => s.length)).subscribe();
    throwError(() => boom).pipe(breaker).subscribe({ error: () => undefined });
    throwError(() => 42).pipe(breaker).subscribe({ error: () => undefined });
    expect(breaker.stats()).toMatchObject({ name: 'shared', state: 'open' });
    expect(breaker.name).toBe('shared');
    const { reset } = breaker;
    reset();
    expect(breaker.stats().state).toBe('closed');
  });

  it('gives rejections a typed, branded error without a stack trace', () => {
    const breaker = circuitBreaker({ name: 'typed', strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 1000 });
    const errors: unknown[] = [];
    testScheduler().run(() => {
      throwError(() => boom).pipe(breaker).subscribe({ error: () => undefined });
      of(1).pipe(breaker).subscribe({ error: (e) => errors.push(e) });
    });
    const error = errors[0] as CircuitOpenError;
    expect(error).toBeInstanceOf(CircuitOpenError);
    expect(isResilienceError(error, 'CIRCUIT_OPEN')).toBe(true);
    expect(error).toMatchObject({ code: 'CIRCUIT_OPEN', policy: 'typed', state: 'open', retryAfter: 1000, name: 'CircuitOpenError' });
    expect(error.message).toBe('typed: circuit open, retry after 1000 ms');
  });
});
