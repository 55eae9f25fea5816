import { fc, test as prop } from '@fast-check/vitest';
import { BehaviorSubject, NEVER, Observable, of, Subject, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  BulkheadFullError,
  ConfigError,
  RateLimitedError,
  type Bulkhead,
  type CircuitBreaker,
  type CircuitState,
  type RateLimiter,
  type RegistryEvent,
  type RegistryStates,
} from 'rx-resilience';
import { fromConfig, type ResilienceConfig } from 'rx-resilience/config';

const boom = new Error('boom');
const failN = (n: number, guard: (s: Observable<never>) => Observable<unknown>) => {
  for (let i = 0; i < n; i++) guard(throwError(() => boom)).subscribe({ error: () => undefined });
};
const own = (events: RegistryEvent[]) => events.filter((e) => e.type !== 'policy');

function setup(first: ResilienceConfig | string, env: Record<string, string> = {}) {
  const scheduler = new VirtualTimeScheduler();
  const config$ = new BehaviorSubject<ResilienceConfig | string>(first);
  const registry = fromConfig(config$, { env, scheduler });
  const events: RegistryEvent[] = [];
  registry.events$.subscribe((e) => events.push(e));
  return { scheduler, config$, registry, events };
}

describe('fromConfig: hot reload', () => {
  it('reconfigures a breaker in place: same handle, same state, new settings, one report', () => {
    const { config$, registry, events } = setup({ circuit_breakers: { db: { failure_threshold: 2, timeout: 60 } }, timeouts: { q: 1 } });
    const db = registry.get<CircuitBreaker>('db')!;
    const states: CircuitState[] = [];
    db.state$.subscribe((s) => states.push(s));
    failN(2, db);
    config$.next({ circuit_breakers: { db: { failure_threshold: 4, timeout: 30 } }, timeouts: { q: 1 } });
    expect(registry.get('db')).toBe(db);
    expect(db.stats().state).toBe('open');
    expect(states).toEqual(['closed', 'open']);
    expect(own(events)).toEqual([{ type: 'reconfigured', policy: registry.name, at: 0, added: [], removed: [], changed: [{ name: 'db', kind: 'circuit-breaker', fields: ['failure_threshold', 'timeout'] }] }]);
    db.reset();
    failN(3, db);
    expect(db.stats().state).toBe('closed');
    failN(1, db);
    expect(db.stats().state).toBe('open');
    expect(db.stats().nextAttemptAt).toBe(30_000);
  });

  it('carries the run of consecutive failures into the new threshold', () => {
    const { config$, registry } = setup({ circuit_breakers: { db: { failure_threshold: 5 } } });
    const db = registry.get<CircuitBreaker>('db')!;
    failN(3, db);
    config$.next({ circuit_breakers: { db: { failure_threshold: 4 } } });
    failN(1, db);
    expect(db.stats().state).toBe('open');
  });

  it('follows the new policy in streams subscribed before the swap', () => {
    const { config$, registry } = setup({ circuit_breakers: { db: { failure_threshold: 3 } } });
    const db = registry.get<CircuitBreaker>('db')!;
    const types: string[] = [];
    db.events$.subscribe((e) => types.push(e.type));
    config$.next({ circuit_breakers: { db: { failure_threshold: 1 } } });
    failN(1, db);
    expect(types).toEqual(['failure', 'transition']);
  });

  it('reports added and removed policies, and a name that changed kind as both', () => {
    const { config$, registry, events } = setup({ timeouts: { q: 1, x: 2 } });
    const q = registry.get('q')!;
    config$.next({ timeouts: { q: 1 }, bulkheads: { x: { max_concurrent: 1 }, pool: { max_concurrent: 2 } } });
    expect(own(events)).toMatchObject([{ type: 'reconfigured', added: ['x', 'pool'], removed: ['x'], changed: [] }]);
    expect(registry.get('q')).toBe(q);
    expect(registry.kindOf('x')).toBe('bulkhead');
    config$.next({ bulkheads: { x: { max_concurrent: 1 }, pool: { max_concurrent: 2 } } });
    expect(own(events).at(-1)).toMatchObject({ added: [], removed: ['q'], changed: [] });
    expect(registry.has('q')).toBe(false);
    const seen: number[] = [];
    q(of(1)).subscribe((v) => seen.push(v));
    expect(seen).toEqual([1]);
  });

  it('emits nothing for a config that changes nothing (defaults written out included)', () => {
    const { config$, events } = setup({ circuit_breakers: { db: {} } });
    config$.next({ circuit_breakers: { db: { failure_threshold: 5, timeout: 60 } } });
    config$.next('circuit_breakers:\n  db: {}\n');
    expect(own(events)).toEqual([]);
  });

  it('refuses an invalid config whole, keeps the last good one, and applies the next good one', () => {
    const { config$, registry, events } = setup({ circuit_breakers: { db: { failure_threshold: 1 } } });
    const db = registry.get<CircuitBreaker>('db')!;
    config$.next({ circuit_breakers: { db: { failure_threshold: 2 } }, bulkheads: { pool: { max_concurrent: 0 } } });
    expect(own(events)).toHaveLength(1);
    const rejected = own(events)[0] as Extract<RegistryEvent, { type: 'config-rejected' }>;
    expect(rejected.type).toBe('config-rejected');
    expect((rejected.error as ConfigError).field).toBe('bulkheads.pool.max_concurrent');
    expect(registry.names()).toEqual(['db']);
    failN(1, db);
    expect(db.stats().state).toBe('open');
    config$.next({ circuit_breakers: { db: { failure_threshold: 2 } } });
    expect(own(events).at(-1)).toMatchObject({ type: 'reconfigured', changed: [{ name: 'db', fields: ['failure_threshold'] }] });
  });

  it('re-reads the environment at each reload', () => {
    const env: Record<string, string> = {};
    const { config$, registry, events } = setup({ circuit_breakers: { db: {} } }, env);
    env.RESILIENCE_CIRCUIT_BREAKER_DB_FAILURE_THRESHOLD = '1';
    config$.next({ circuit_breakers: { db: {} } });
    expect(own(events)).toMatchObject([{ changed: [{ name: 'db', fields: ['failure_threshold'] }] }]);
    failN(1, registry.get<CircuitBreaker>('db')!);
    expect(registry.get<CircuitBreaker>('db')!.stats().state).toBe('open');
  });

  it('sends new calls of a pipeline built before the swap through the new bulkhead', () => {
    const { config$, registry } = setup({ bulkheads: { pool: { max_concurrent: 1 } } });
    const pool = registry.get<Bulkhead>('pool')!;
    const guarded = NEVER.pipe(pool);
    const errors: unknown[] = [];
    const first = guarded.subscribe({ error: (e) => errors.push(e) });
    guarded.subscribe({ error: (e) => errors.push(e) });
    expect(errors).toEqual([new BulkheadFullError('pool', 1, 0)]);
    config$.next({ bulkheads: { pool: { max_concurrent: 2 } } });
    const third = guarded.subscribe({ error: (e) => errors.push(e) });
    expect(errors).toHaveLength(1);
    expect(pool.stats()).toMatchObject({ active: 1, limit: 2 });
    first.unsubscribe();
    third.unsubscribe();
    // A priority operator taken before the swap follows it too.
    const urgent = pool.withPriority(5);
    config$.next({ bulkheads: { pool: { max_concurrent: 1 } } });
    const held = NEVER.pipe(urgent).subscribe();
    expect(pool.stats()).toMatchObject({ active: 1, limit: 1 });
    held.unsubscribe();
  });

  it('keeps a rate limiter’s buckets while the algorithm stays, starts afresh when it changes', () => {
    const { config$, registry } = setup({ rate_limits: { api: { capacity: 2, refill_per_second: 0.001 } } });
    const api = registry.get<RateLimiter>('api')!;
    const errors: unknown[] = [];
    const call = () => of(1).pipe(api).subscribe({ error: (e) => errors.push(e) });
    call();
    call();
    config$.next({ rate_limits: { api: { capacity: 2, refill_per_second: 0.002 } } });
    call();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RateLimitedError);
    config$.next({ rate_limits: { api: { algorithm: 'fixed_window', limit: 1, window: 60 } } });
    call();
    expect(errors).toHaveLength(1);
  });

  it('waits for a config that arrives later, and stops following the source on close()', () => {
    const scheduler = new VirtualTimeScheduler();
    const config$ = new Subject<ResilienceConfig>();
    const registry = fromConfig(config$, { env: {}, scheduler });
    expect(registry.names()).toEqual([]);
    const events: RegistryEvent[] = [];
    registry.events$.subscribe((e) => events.push(e));
    config$.next({ timeouts: { q: 1 } });
    expect(events).toMatchObject([{ type: 'reconfigured', added: ['q'] }]);
    registry.close();
    expect(config$.observed).toBe(false);
  });

  it('throws a first config that arrives at once and is invalid, and unsubscribes the source', () => {
    const config$ = new BehaviorSubject<ResilienceConfig>({ timeouts: { q: -1 } });
    expect(() => fromConfig(config$, { env: {} })).toThrow(ConfigError);
    expect(config$.observed).toBe(false);
  });

  it('reports an error of the config source as a rejected config', () => {
    const config$ = new Subject<ResilienceConfig>();
    const registry = fromConfig(config$, { env: {} });
    const events: RegistryEvent[] = [];
    registry.events$.subscribe((e) => events.push(e));
    config$.error(boom);
    expect(events).toMatchObject([{ type: 'config-rejected', error: boom }]);
  });
});

type Step = { op: 'fail' } | { op: 'succeed' } | { op: 'advance'; ms: number } | { op: 'reload'; failures: number; successes: number; timeout: number };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ op: 'fail' as const }),
  fc.constant({ op: 'succeed' as const }),
  fc.integer({ min: 1, max: 3_000 }).map((ms) => ({ op: 'advance' as const, ms })),
  fc.record({ op: fc.constant('reload' as const), failures: fc.integer({ min: 1, max: 4 }), successes: fc.integer({ min: 1, max: 3 }), timeout: fc.integer({ min: 1, max: 3 }) }),
);

describe('fromConfig: hot reload properties', () => {
  prop.prop([fc.array(stepArb, { maxLength: 60 })])('a reload never moves a breaker; states$, state$ and snapshot() agree; state$ never repeats', (steps) => {
    const scheduler = new VirtualTimeScheduler();
    const config = (failures: number, successes: number, timeout: number): ResilienceConfig => ({
      circuit_breakers: { db: { failure_threshold: failures, success_threshold: successes, timeout } },
    });
    const config$ = new BehaviorSubject(config(2, 1, 1));
    const registry = fromConfig(config$, { env: {}, scheduler });
    const db = registry.get<CircuitBreaker>('db')!;
    let combined: RegistryStates = {};
    registry.states$.subscribe((s) => (combined = s));
    const emitted: CircuitState[] = [];
    db.state$.subscribe((s) => emitted.push(s));
    for (const step of steps) {
      if (step.op === 'fail') failN(1, db);
      else if (step.op === 'succeed') of(1).pipe(db).subscribe({ error: () => undefined });
      else if (step.op === 'advance') {
        scheduler.maxFrames = scheduler.now() + step.ms;
        scheduler.flush();
      } else {
        const before = db.stats().state;
        config$.next(config(step.failures, step.successes, step.timeout));
        expect(db.stats().state).toBe(before);
      }
      expect(combined).toEqual({ db: db.stats().state });
      expect(registry.snapshot().db!.stats).toMatchObject({ state: db.stats().state });
      expect(emitted.at(-1)).toBe(db.stats().state);
    }
    for (let i = 1; i < emitted.length; i++) expect(emitted[i]).not.toBe(emitted[i - 1]);
  });
});
