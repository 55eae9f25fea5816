import { defer, EMPTY, map, NEVER, Observable, of, throwError, timer, VirtualTimeScheduler, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  bulkhead,
  cache,
  circuitBreaker,
  CircuitOpenError,
  ConfigError,
  resilienceRegistry,
  retryBackoff,
  timeLimit,
  tokenBucket,
  type Cache,
  type CanaryReport,
  type CircuitBreaker,
  type RegistryEvent,
  type RegistryStates,
} from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { fromOtherCopy } from '../helpers/descriptor.js';
import { expectConfigError } from '../helpers/configError.js';

const boom = new Error('boom');
const fail = (times: number, guarded: (s: Observable<never>) => Observable<unknown>) => {
  for (let i = 0; i < times; i++) guarded(throwError(() => boom)).subscribe({ error: () => undefined });
};

describe('resilienceRegistry', () => {
  it('hands out a handle that works like the policy and shares its state', () => {
    const registry = resilienceRegistry();
    const breaker = circuitBreaker({ name: 'db', strategy: { kind: 'consecutive', failures: 2 } });
    const handle = registry.register('db', breaker);
    expect(handle).not.toBe(breaker);
    expect(handle.name).toBe('db');
    const seen: unknown[] = [];
    of(1, 2).pipe(handle).subscribe((v) => seen.push(v));
    expect(seen).toEqual([1, 2]);
    fail(2, handle);
    expect(breaker.stats().state).toBe('open');
    expect(handle.stats().state).toBe('open');
    handle.reset();
    expect(breaker.stats().state).toBe('closed');
    expect(registry.get<CircuitBreaker>('db')).toBe(handle);
  });

  it('reads the kind of every policy from its descriptor, never from its shape', () => {
    const registry = resilienceRegistry();
    registry.register('b', circuitBreaker());
    registry.register('r', retryBackoff());
    registry.register('t', timeLimit({ duration: 5 }));
    registry.register('h', bulkhead({ maxConcurrent: 1 }));
    registry.register('l', tokenBucket({ capacity: 1, refill: { tokens: 1 } }));
    registry.register('x', <T>(s: Observable<T>) => s);
    // A breaker from another copy of the library: recognised by its descriptor; the same shape without one is custom.
    const members = { events$: EMPTY, stats: () => ({ state: 'open', failureRate: 1 }), exportState: () => ({}), isolate: () => undefined };
    registry.register('y', fromOtherCopy('circuit-breaker', Object.assign(<T>(s: Observable<T>) => s, members), { streams: ['events$'] }));
    registry.register('w', Object.assign(<T>(s: Observable<T>) => s, members));
    registry.register('z', <T>(s: Observable<T>) => s, { kind: 'hedge' });
    expect(registry.names().map((n) => [n, registry.kindOf(n)])).toEqual([
      ['b', 'circuit-breaker'], ['r', 'retry'], ['t', 'time-limit'], ['h', 'bulkhead'], ['l', 'rate-limiter'],
      ['x', 'custom'], ['y', 'circuit-breaker'], ['w', 'custom'], ['z', 'hedge'],
    ]);
    // A handle registered again keeps its kind.
    const other = resilienceRegistry();
    other.register('again', registry.get('r')!);
    expect(other.kindOf('again')).toBe('retry');
  });

  it('get(name, kind) checks the registered kind and hands out the handle typed as that policy', () => {
    const registry = resilienceRegistry();
    const handle = registry.register('db', circuitBreaker({ name: 'db' }));
    registry.register('x', <T>(s: Observable<T>) => s);
    const db = registry.get('db', 'circuit-breaker');
    expect(db).toBe(handle);
    expect(db?.stats().state).toBe('closed');
    expect(registry.get('x', 'custom')).toBe(registry.get('x'));
    expect(registry.get('missing', 'bulkhead')).toBeUndefined();
    const error = expectConfigError(() => registry.get('db', 'bulkhead'), 'kind');
    expect(error.message).toContain('"db", which is circuit-breaker');
    expectConfigError(() => registry.get('x', 'retry'), 'kind');
  });

  it('refuses a taken name, a bad name, a non-operator and unknown options with ConfigError', () => {
    const registry = resilienceRegistry();
    registry.register('db', circuitBreaker());
    const cases: [() => unknown, string][] = [
      [() => registry.register('db', circuitBreaker()), 'name'],
      [() => registry.register('', circuitBreaker()), 'name'],
      [() => registry.register('p', {} as never), 'policy'],
      [() => registry.register('q', circuitBreaker(), { kind: 'bulkhead', extra: 1 } as never), 'options.extra'],
      [() => resilienceRegistry({ nam: 'x' } as never), 'nam'],
      [() => resilienceRegistry({ scheduler: {} as never }), 'scheduler'],
    ];
    for (const [act, field] of cases) {
      expectConfigError(() => act(), field);
    }
  });

  it('passes functions returned by methods through: wrap and forKey of a cache', () => {
    const registry = resilienceRegistry();
    const prices = registry.register<Cache>('prices', cache({ ttl: 1_000 }));
    let calls = 0;
    const price = prices.wrap((sku: string) => defer(() => of(`${sku}:${++calls}`)), (sku) => sku);
    const seen: string[] = [];
    price('a').subscribe((v) => seen.push(v));
    price('a').subscribe((v) => seen.push(v));
    defer(() => of('x')).pipe(prices.forKey('k')).subscribe((v) => seen.push(v));
    defer(() => of('y')).pipe(prices.forKey('k')).subscribe((v) => seen.push(v));
    expect(seen).toEqual(['a:1', 'a:1', 'x', 'x']);
    expect(prices.peek('a')).toMatchObject({ key: 'a', values: ['a:1'] });
  });

  it('removes a name; the handle held elsewhere keeps working', () => {
    const registry = resilienceRegistry();
    const handle = registry.register('db', circuitBreaker());
    expect(registry.remove('db')).toBe(true);
    expect(registry.remove('db')).toBe(false);
    expect(registry.has('db')).toBe(false);
    expect(registry.get('db')).toBeUndefined();
    const seen: number[] = [];
    of(7).pipe(handle).subscribe((v) => seen.push(v));
    expect(seen).toEqual([7]);
  });

  it('snapshots every policy by name with its kind and stats', () => {
    const registry = resilienceRegistry();
    const db = registry.register('db', circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 } }));
    registry.register('pool', bulkhead({ maxConcurrent: 3 }));
    registry.register('retry', retryBackoff());
    fail(1, db);
    const snap = registry.snapshot();
    expect(Object.keys(snap)).toEqual(['db', 'pool', 'retry']);
    expect(snap.db).toMatchObject({ name: 'db', kind: 'circuit-breaker', stats: { state: 'open', failures: 0, totals: { failures: 1 } } });
    expect(snap.pool).toMatchObject({ kind: 'bulkhead', stats: { active: 0, limit: 3 } });
    expect(snap.retry).toMatchObject({ name: 'retry', kind: 'retry', stats: { name: expect.stringMatching(/^retry-\d+$/) as string } });
  });

  it('combines states into one stream: name → state, on any change and on (un)registration', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const registry = resilienceRegistry();
      const db = registry.register('db', circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 4 }));
      cold('--#', undefined, boom).pipe(db).subscribe({ error: () => undefined });
      timer(8).subscribe(() => registry.register('redis', circuitBreaker()));
      timer(10).subscribe(() => registry.remove('db'));
      expectObservable(registry.states$.pipe(map((s: RegistryStates) => JSON.stringify(s))), '^ 12ms !').toBe('a-b---c-d-e', {
        a: '{"db":"closed"}',
        b: '{"db":"open"}',
        c: '{"db":"half-open"}',
        d: '{"db":"half-open","redis":"closed"}',
        e: '{"redis":"closed"}',
      });
    });
  });

  it('emits {} from states$ when no policy has a state', () => {
    const registry = resilienceRegistry();
    registry.register('r', retryBackoff());
    const seen: RegistryStates[] = [];
    registry.states$.subscribe((s) => seen.push(s)).unsubscribe();
    expect(seen).toEqual([{}]);
  });

  it('merges every policy event, tagged with name and kind, with its own events', () => {
    testScheduler().run(() => {
      const registry = resilienceRegistry({ name: 'ops' });
      const db = registry.register('db', circuitBreaker({ name: 'db', strategy: { kind: 'consecutive', failures: 1 } }));
      registry.register('pool', bulkhead({ name: 'pool', maxConcurrent: 1 }));
      const events: RegistryEvent[] = [];
      const sub = registry.events$.subscribe((e) => events.push(e));
      fail(1, db);
      registry.get('pool')!(of(1)).subscribe();
      registry.isolateAll('incident 42');
      sub.unsubscribe();
      const summary = events.map((e) => (e.type === 'policy' ? `${e.policy}/${e.kind}/${(e.event as { type: string }).type}` : `${e.policy}/${e.type}`));
      expect(summary).toEqual([
        'db/circuit-breaker/failure', 'db/circuit-breaker/transition',
        'pool/bulkhead/admitted', 'pool/bulkhead/released',
        'db/circuit-breaker/transition', 'ops/isolated-all',
      ]);
      expect(events.at(-1)).toEqual({ type: 'isolated-all', policy: 'ops', at: 0, breakers: ['db'], reason: 'incident 42' });
    });
  });

  it('isolateAll isolates every breaker and only breakers', () => {
    const registry = resilienceRegistry();
    const a = registry.register('a', circuitBreaker({ name: 'a' }));
    registry.register('b', circuitBreaker({ name: 'b' }));
    registry.register('pool', bulkhead({ maxConcurrent: 1 }));
    expect(registry.isolateAll()).toEqual(['a', 'b']);
    expect(Object.values(registry.snapshot()).filter((p) => p.kind === 'circuit-breaker').map((p) => (p.stats as { state: string }).state)).toEqual(['isolated', 'isolated']);
    let error: unknown;
    let subscribed = false;
    defer(() => ((subscribed = true), of(1))).pipe(a).subscribe({ error: (e) => (error = e) });
    expect(subscribed).toBe(false);
    expect(error).toBeInstanceOf(CircuitOpenError);
  });
});

describe('resetWithCanary', () => {
  const setup = () => {
    const scheduler = new VirtualTimeScheduler();
    const registry = resilienceRegistry({ name: 'ops', scheduler });
    const db = registry.register('db', circuitBreaker({ name: 'db', scheduler, strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 1_000 }));
    fail(1, db);
    const audit: RegistryEvent[] = [];
    registry.events$.subscribe((e) => e.type === 'canary' && audit.push(e));
    return { scheduler, registry, db, audit };
  };

  it('resets, sends one canary through the breaker and leaves it closed when it succeeds', () => {
    const { scheduler, registry, db, audit } = setup();
    let calls = 0;
    const canary$ = defer(() => (calls++, timer(30, scheduler).pipe(map(() => 'pong'))));
    const reports: CanaryReport[] = [];
    registry.resetWithCanary('db', canary$, { reason: 'stuck' }).subscribe((r) => reports.push(r));
    expect(db.stats().state).toBe('closed');
    scheduler.flush();
    expect(calls).toBe(1);
    expect(reports).toEqual([{ breaker: 'db', at: 30, previous: 'open', outcome: 'passed', error: undefined, reason: 'stuck', duration: 30 }]);
    expect(audit).toEqual([{ type: 'canary', policy: 'ops', ...reports[0] }]);
    expect(db.stats().state).toBe('closed');
    expect(db.stats().totals.successes).toBe(1);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('counts a canary that completes without a value as passed', () => {
    const { registry, db } = setup();
    const reports: CanaryReport[] = [];
    registry.resetWithCanary('db', EMPTY).subscribe((r) => reports.push(r));
    expect(reports.map((r) => r.outcome)).toEqual(['passed']);
    expect(db.stats().state).toBe('closed');
  });

  it('isolates the breaker again when the canary fails', () => {
    const { scheduler, registry, db, audit } = setup();
    const reports: CanaryReport[] = [];
    registry.resetWithCanary('db', timer(5, scheduler).pipe(map(() => { throw boom; }))).subscribe((r) => reports.push(r));
    scheduler.flush();
    expect(reports).toMatchObject([{ outcome: 'failed', error: boom, previous: 'open', at: 5 }]);
    expect(audit).toHaveLength(1);
    expect(db.stats().state).toBe('isolated');
    expect(scheduler.actions).toHaveLength(0);
  });

  it('isolates and audits a procedure unsubscribed before its verdict, cancelling the canary', () => {
    const { registry, db, audit } = setup();
    let unsubscribed = false;
    const canary$ = new Observable<never>(() => () => (unsubscribed = true));
    const reports: CanaryReport[] = [];
    const sub: Subscription = registry.resetWithCanary('db', canary$).subscribe((r) => reports.push(r));
    expect(db.stats().halfOpen.active + db.stats().totals.cancelled).toBe(0);
    sub.unsubscribe();
    expect(unsubscribed).toBe(true);
    expect(reports).toEqual([]);
    expect(audit).toMatchObject([{ type: 'canary', outcome: 'cancelled' }]);
    expect(db.stats().state).toBe('isolated');
    expect(db.stats().totals.cancelled).toBe(1);
  });

  it('is cold: nothing is reset until subscribed', () => {
    const { registry, db } = setup();
    const procedure = registry.resetWithCanary('db', NEVER);
    expect(db.stats().state).toBe('open');
    procedure.subscribe().unsubscribe();
    expect(db.stats().state).toBe('isolated');
  });

  it('refuses a name that is not a registered breaker', () => {
    const { registry } = setup();
    registry.register('pool', bulkhead({ maxConcurrent: 1 }));
    for (const name of ['nope', 'pool']) {
      expect(() => registry.resetWithCanary(name, EMPTY)).toThrow(ConfigError);
    }
    expect(() => registry.resetWithCanary('db', EMPTY, { reasn: 'x' } as never)).toThrow(/options.reasn/);
  });
});
