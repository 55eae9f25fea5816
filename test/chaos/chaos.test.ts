import { BehaviorSubject, defer, Observable, of, Subject, take, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  behaviorFault,
  chaos,
  circuitBreaker,
  errorFault,
  InjectedFaultError,
  isLocalRejection,
  isResilienceError,
  latencyFault,
  resultFault,
  seededRandom,
  type ChaosEvent,
  type ChaosState,
} from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';
import { liveActions, virtualTime } from '../helpers/schedulers.js';

const always = () => 0;
const quiet = { error: () => undefined };

/** Subscribes `n` calls of `of(i)` through `policy`; returns what each call ended with. */
function callMany(policy: (s: Observable<number>) => Observable<number>, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    policy(of(i)).subscribe({ next: (v) => out.push(`v${v}`), error: () => out.push('e') });
  }
  return out;
}

describe('chaos: faults (marbles)', () => {
  it('a latency fault subscribes the source late, on the scheduler', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a|');
      expectObservable(source.pipe(chaos({ rate: 1, fault: latencyFault(3), random: always }))).toBe('-----a|');
      expectSubscriptions(source.subscriptions).toBe('---^--!');
    });
  });

  it('a latency function gets the call and sets its wait; NaN or a negative wait is 0', () => {
    const seen: number[] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const waits = [2, Number.NaN, -5];
      const slow = chaos({ name: 'slow', rate: 1, random: always, fault: latencyFault((call) => (seen.push(call.call), waits[call.call - 1]!)) });
      expectObservable(cold('a|').pipe(slow)).toBe('--a|');
      expectObservable(cold('b|').pipe(slow)).toBe('b|');
      expectObservable(cold('c|').pipe(slow)).toBe('c|');
    });
    expect(seen).toEqual([1, 2, 3]);
  });

  it('an error fault fails the call without subscribing the source; a breaker counts it', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a|');
      expectObservable(source.pipe(chaos({ name: 'boom', rate: 1, fault: errorFault(), random: always }))).toBe('#', undefined, new InjectedFaultError('boom', 1));
      expectSubscriptions(source.subscriptions).toBe([]);
    });
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 2 } });
    const faulty = chaos({ name: 'f', rate: 1, fault: errorFault(), random: always });
    const errors: unknown[] = [];
    for (let i = 0; i < 2; i++) of(1).pipe(faulty, breaker).subscribe({ error: (e) => errors.push(e) });
    expect(breaker.stats().state).toBe('open');
    expect(isResilienceError(errors[0], 'INJECTED_FAULT')).toBe(true);
    expect(isLocalRejection(errors[0])).toBe(false);
  });

  it('an error fault with a factory fails with what it returns', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const err = new Error('503');
      expectObservable(cold('a|').pipe(chaos({ rate: 1, fault: errorFault(() => err), random: always }))).toBe('#', undefined, err);
    });
  });

  it('a result fault answers and completes without subscribing the source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<string>('--a|');
      expectObservable(source.pipe(chaos({ rate: 1, fault: resultFault(() => 'stale'), random: always }))).toBe('(s|)', { s: 'stale' });
      expectSubscriptions(source.subscriptions).toBe([]);
    });
  });

  it('a behaviour fault runs, then the source is subscribed as usual', () => {
    const log: number[] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('--a|');
      expectObservable(source.pipe(chaos({ rate: 1, fault: behaviorFault((call) => log.push(call.call)), random: always }))).toBe('--a|');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(log).toEqual([1]);
  });

  it('rate 0 passes everything through untouched', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-#');
      expectObservable(source.pipe(chaos({ rate: 0, fault: errorFault() }))).toBe('-a-#');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('unsubscribing during a latency wait cancels it: the source is never subscribed, no timer is left', () => {
    const vt = virtualTime();
    const { scheduler, live } = liveActions(vt);
    let subscribed = 0;
    const source = defer(() => (subscribed++, of(1)));
    const sub = source.pipe(chaos({ rate: 1, fault: latencyFault(100), random: always, scheduler })).subscribe();
    expect(live()).toBe(1);
    sub.unsubscribe();
    expect(live()).toBe(0);
    vt.flush();
    expect(subscribed).toBe(0);
  });

  it('unsubscribing after the wait tears the source down', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('------a|');
      expectObservable(source.pipe(chaos({ rate: 1, fault: latencyFault(2), random: always })), '^---!').toBe('-');
      expectSubscriptions(source.subscriptions).toBe('--^-!');
    });
  });

  it('works under take(1) with a synchronous firehose behind a behaviour fault', () => {
    const values: number[] = [];
    of(1, 2, 3).pipe(chaos({ rate: 1, fault: behaviorFault(() => undefined), random: always }), take(1)).subscribe((v) => values.push(v));
    expect(values).toEqual([1]);
  });
});

describe('chaos: rate, random, limits', () => {
  it('injects when random() < rate, one draw per active call', () => {
    const draws = [0.1, 0.5, 0.29, 0.3, 0.9];
    let i = 0;
    const p = chaos({ rate: 0.3, fault: errorFault(), random: () => draws[i++]! });
    expect(callMany(p, 5)).toEqual(['e', 'v1', 'e', 'v3', 'v4']);
    expect(i).toBe(5);
  });

  it('seededRandom replays the same injections', () => {
    const run = () => callMany(chaos({ rate: 0.25, fault: errorFault(), random: seededRandom(1234) }), 2_000);
    const a = run();
    expect(run()).toEqual(a);
    const errors = a.filter((x) => x === 'e').length;
    expect(errors).toBeGreaterThan(400);
    expect(errors).toBeLessThan(600);
    expect(callMany(chaos({ rate: 0.25, fault: errorFault(), random: seededRandom(99) }), 2_000)).not.toEqual(a);
  });

  it('seededRandom gives numbers in [0, 1), spread evenly', () => {
    const r = seededRandom(0);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) {
      const x = r();
      expect(x >= 0 && x < 1).toBe(true);
      buckets[Math.floor(x * 10)]!++;
    }
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('a draw outside [0, 1) injects nothing', () => {
    for (const bad of [Number.NaN, -0.1, 1, 7]) {
      const p = chaos({ rate: 1, fault: errorFault(), random: () => bad });
      expect(callMany(p, 1)).toEqual(['v0']);
      expect(p.stats().injections).toBe(0);
    }
  });

  it('maxInjections stops injecting, and stops drawing, once reached', () => {
    let draws = 0;
    const p = chaos({ rate: 1, fault: errorFault(), maxInjections: 2, random: () => (draws++, 0) });
    expect(callMany(p, 4)).toEqual(['e', 'e', 'v2', 'v3']);
    expect(draws).toBe(2);
    expect(p.stats()).toMatchObject({ injections: 2, calls: 4, active: false, maxInjections: 2 });
    expect(callMany(chaos({ rate: 1, fault: errorFault(), maxInjections: 0 }), 1)).toEqual(['v0']);
  });
});

describe('chaos: the switch', () => {
  it('enabled: false injects nothing and draws nothing', () => {
    let draws = 0;
    const p = chaos({ rate: 1, fault: errorFault(), enabled: false, random: () => (draws++, 0) });
    expect(callMany(p, 3)).toEqual(['v0', 'v1', 'v2']);
    expect(draws).toBe(0);
    expect(p.stats()).toMatchObject({ enabled: false, active: false, calls: 3 });
  });

  it('an Observable switch: off until true, follows it, off for good on error', () => {
    const switch$ = new Subject<boolean>();
    const p = chaos({ rate: 1, fault: errorFault(), enabled: switch$, random: always });
    const states: boolean[] = [];
    p.state$.subscribe((s) => states.push(s.enabled));
    expect(callMany(p, 1)).toEqual(['v0']);
    switch$.next(true);
    expect(callMany(p, 1)).toEqual(['e']);
    switch$.next(false);
    expect(callMany(p, 1)).toEqual(['v0']);
    switch$.next(true);
    switch$.error(new Error('config gone'));
    expect(callMany(p, 1)).toEqual(['v0']);
    // the second `true` is the injection's state (its count moved)
    expect(states).toEqual([false, true, true, false, true, false]);
  });

  it('a replaying switch is read at once', () => {
    const p = chaos({ rate: 1, fault: errorFault(), enabled: new BehaviorSubject(true), random: always });
    expect(p.stats().enabled).toBe(true);
  });

  it('enlisted, it injects only while engaged; each release counts once', () => {
    const p = chaos({ rate: 1, fault: errorFault(), random: always });
    expect(callMany(p, 1)).toEqual(['e']);
    p.enlist();
    expect(callMany(p, 1)).toEqual(['v0']);
    const a = p.engage();
    const b = p.engage();
    expect(callMany(p, 1)).toEqual(['e']);
    a.unsubscribe();
    a.unsubscribe();
    expect(p.stats().active).toBe(true);
    b.unsubscribe();
    expect(callMany(p, 1)).toEqual(['v0']);
    expect(p.stats()).toMatchObject({ enlisted: true, active: false, injections: 2 });
  });
});

describe('chaos: streams', () => {
  it('events$ reports each injection before the fault acts; state$ and stats() count it', () => {
    const vt = virtualTime();
    const p = chaos({ name: 'lat', rate: 1, fault: latencyFault(40), random: always, scheduler: vt });
    const log: string[] = [];
    const events: ChaosEvent[] = [];
    const states: ChaosState[] = [];
    p.events$.subscribe((e) => (events.push(e), log.push('event')));
    p.state$.subscribe((s) => states.push(s));
    vt.schedule(() => defer(() => (log.push('source'), of(1))).pipe(p).subscribe(), 10);
    vt.flush();
    expect(log).toEqual(['event', 'source']);
    expect(events).toEqual([{ type: 'injection', policy: 'lat', at: 10, fault: 'latency', call: 1, delay: 40 }]);
    expect(states).toEqual([
      { fault: 'latency', enabled: true, active: true, injections: 0 },
      { fault: 'latency', enabled: true, active: true, injections: 1 },
    ]);
    expect(p.stats()).toEqual({ name: 'lat', fault: 'latency', enabled: true, active: true, injections: 1, rate: 1, maxInjections: null, calls: 1, enlisted: false });
  });

  it('the policy is an operator and a descriptor-bearing object', () => {
    const p = chaos({ name: 'x', rate: 0, fault: errorFault() });
    expect(p.name).toBe('x');
    expect(typeof p.stats).toBe('function');
    const { engage } = p;
    engage().unsubscribe();
    expect(p.stats().active).toBe(true);
  });
});

describe('chaos: a throwing callback (the callback rule)', () => {
  const thrown = new Error('bug');
  const bug = () => {
    throw thrown;
  };

  it.each([
    ['error factory', errorFault(bug)],
    ['result factory', resultFault(bug)],
    ['behaviour', behaviorFault(bug)],
    ['latency function', latencyFault(bug)],
  ])('a throwing %s makes the call error with the thrown value; the source is not subscribed; it counts', (_, fault) => {
    let subscribed = 0;
    const p = chaos({ rate: 1, fault, random: always });
    const errors: unknown[] = [];
    defer(() => (subscribed++, of(1))).pipe(p).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([thrown]);
    expect(subscribed).toBe(0);
    expect(p.stats().injections).toBe(1);
  });

  it('a throwing random makes the call error with the thrown value, and injects nothing', () => {
    const p = chaos({ rate: 1, fault: errorFault(), random: bug });
    const errors: unknown[] = [];
    of(1).pipe(p).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([thrown]);
    expect(p.stats()).toMatchObject({ injections: 0, calls: 1 });
  });

  it('an upstream error passes through an injected behaviour unchanged', () => {
    const e = new Error('upstream');
    const errors: unknown[] = [];
    throwError(() => e).pipe(chaos({ rate: 1, fault: behaviorFault(() => undefined), random: always })).subscribe({ error: (x) => errors.push(x) });
    expect(errors).toEqual([e]);
  });
});

describe('chaos: bad input', () => {
  const fault = errorFault();
  it.each([
    ['rate', () => chaos({ fault } as never)],
    ['rate', () => chaos({ rate: 1.5, fault })],
    ['rate', () => chaos({ rate: -0.1, fault })],
    ['rate', () => chaos({ rate: Number.NaN, fault })],
    ['fault', () => chaos({ rate: 1 } as never)],
    ['fault', () => chaos({ rate: 1, fault: { kind: 'error' } } as never)],
    ['fault.delay', () => chaos({ rate: 1, fault: { kind: 'latency', delay: -1 } } as never)],
    ['fault.delay', () => chaos({ rate: 1, fault: { kind: 'latency', delay: Number.POSITIVE_INFINITY } } as never)],
    ['enabled', () => chaos({ rate: 1, fault, enabled: 'yes' } as never)],
    ['maxInjections', () => chaos({ rate: 1, fault, maxInjections: -1 })],
    ['maxInjections', () => chaos({ rate: 1, fault, maxInjections: 1.5 })],
    ['random', () => chaos({ rate: 1, fault, random: 0.5 } as never)],
    ['scheduler', () => chaos({ rate: 1, fault, scheduler: {} } as never)],
    ['name', () => chaos({ rate: 1, fault, name: '' })],
    ['rates', () => chaos({ rates: 1, rate: 1, fault } as never)],
    ['config', () => chaos(undefined as never)],
    ['ms', () => latencyFault(-1)],
    ['ms', () => latencyFault(Number.POSITIVE_INFINITY)],
    ['error', () => errorFault('boom' as never)],
    ['result', () => resultFault(1 as never)],
    ['behavior', () => behaviorFault(undefined as never)],
    ['seed', () => seededRandom(-1)],
    ['seed', () => seededRandom(1.5)],
    ['seed', () => seededRandom(2 ** 32)],
    ['seed', () => seededRandom(undefined as never)],
  ])('refuses a bad %s with a ConfigError', (field, build) => {
    expectConfigError(build, field);
  });

  it('the error names the value and what is allowed', () => {
    const e = expectConfigError(() => chaos({ name: 'c', rate: 2, fault }), 'rate');
    expect(e.message).toBe('c: rate must be a finite number in [0, 1], got 2');
  });

  it('a result fault keeps values typed and unsubscribing does nothing odd', () => {
    const values: unknown[] = [];
    of(1).pipe(chaos({ rate: 1, fault: resultFault(() => 2), random: always })).subscribe({ next: (v) => values.push(v), ...quiet });
    expect(values).toEqual([2]);
  });
});
