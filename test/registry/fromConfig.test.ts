import { fileURLToPath } from 'node:url';
import { NEVER, Observable, of, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  RateLimitedError,
  RetriesExhaustedError,
  TimeLimitError,
  type Bulkhead,
  type CircuitBreaker,
  type RateLimiter,
  type RetryBackoff,
  type TimeLimit,
} from 'rx-resilience';
import { fromConfig } from 'rx-resilience/config';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';

const SAMPLE = fileURLToPath(new URL('../../examples/config/resilience.yaml', import.meta.url));
const boom = new Error('boom');
const failN = (n: number, guard: (s: Observable<never>) => Observable<unknown>) => {
  for (let i = 0; i < n; i++) guard(throwError(() => boom)).subscribe({ error: () => undefined });
};

describe('fromConfig: building', () => {
  it('builds every policy of the sample file with its name and kind', () => {
    const registry = fromConfig(SAMPLE, { env: {} });
    expect(Object.fromEntries(registry.names().map((n) => [n, registry.kindOf(n)]))).toEqual({
      kafka_producer: 'circuit-breaker', database: 'circuit-breaker', redis: 'circuit-breaker',
      kafka: 'retry',
      kafka_publish: 'time-limit', kafka_consume: 'time-limit', database_query: 'time-limit', redis_operation: 'time-limit',
      database_pool: 'bulkhead',
      public_api: 'rate-limiter', login: 'rate-limiter',
    });
    expect(registry.snapshot().database_pool).toMatchObject({ kind: 'bulkhead', stats: { limit: 10, maxQueued: 100 } });
    expect(registry.snapshot().public_api).toMatchObject({ stats: { limit: 100, remaining: 100 } });
  });

  it('maps a breaker: failure_threshold failures in a row, timeout seconds open, success_threshold trials', () => {
    testScheduler().run(({ expectObservable }) => {
      const registry = fromConfig('circuit_breakers:\n  redis: { failure_threshold: 3, success_threshold: 2, timeout: 0.01 }', { env: {} });
      const redis = registry.get<CircuitBreaker>('redis')!;
      failN(2, redis);
      expect(redis.stats().state).toBe('closed');
      failN(1, redis);
      expect(redis.stats().state).toBe('open');
      expectObservable(redis.state$).toBe('a 9ms b', { a: 'open', b: 'half-open' });
    });
  });

  it('maps latency: true onto every policy that keeps a latency histogram, from the file or the environment', () => {
    const registry = fromConfig(
      { circuit_breakers: { db: { latency: true }, plain: {} }, retry_policies: { r: { latency: true } }, timeouts: { t: { duration: 1, latency: true }, s: 2 }, bulkheads: { b: { max_concurrent: 1, latency: true } } },
      { env: { RESILIENCE_TIMEOUT_S_LATENCY: 'true' } },
    );
    const stats = (name: string) => (registry.get(name) as unknown as { stats(): { latency?: unknown } }).stats();
    for (const name of ['db', 'r', 't', 's', 'b']) expect(stats(name).latency).toMatchObject({ count: 0 });
    expect('latency' in stats('plain')).toBe(false);
    expect(() => fromConfig({ bulkheads: { b: { max_concurrent: 1, latency: 'on' as never } } }, { env: {} })).toThrowError(/bulkheads\.b\.latency/);
  });

  it('maps a retry policy: max_retries 3 is four attempts, delays initial · factor^(n-1) seconds', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const registry = fromConfig({ retry_policies: { kafka: { max_retries: 3, initial_delay: 0.001, backoff_factor: 2, max_delay: 0.003, jitter: 'none' } } }, { env: {} });
      const source = cold('#', undefined, boom);
      expectObservable(source.pipe(registry.get<RetryBackoff>('kafka')!)).toBe('6ms #', undefined, new RetriesExhaustedError('kafka', 4, boom, 'max-attempts'));
      expectSubscriptions(source.subscriptions).toBe(['(^!)', '-(^!)', '---(^!)', '------(^!)']);
    });
  });

  it('maps timeouts, in seconds, from a number or an object', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const registry = fromConfig({ timeouts: { q: 0.005, s: { first: 0.002 } } }, { env: {} });
      expectObservable(cold('----------a|').pipe(registry.get<TimeLimit>('q')!)).toBe('-----#', undefined, new TimeLimitError('q', 'duration', 5));
      expectObservable(cold('---a|').pipe(registry.get<TimeLimit>('s')!)).toBe('--#', undefined, new TimeLimitError('s', 'first', 2));
    });
  });

  it('maps bulkheads and rate limits', () => {
    const registry = fromConfig({ bulkheads: { pool: { max_concurrent: 1 } }, rate_limits: { api: { capacity: 2, refill_per_second: 1 }, login: { algorithm: 'fixed_window', limit: 1, window: 60 } } }, { env: {} });
    const pool = registry.get<Bulkhead>('pool')!;
    const hold = new Observable(() => undefined).pipe(pool).subscribe();
    expect(pool.stats()).toMatchObject({ active: 1, maxQueued: 0 });
    hold.unsubscribe();
    const api = registry.get<RateLimiter>('api')!;
    const errors: unknown[] = [];
    for (let i = 0; i < 3; i++) of(1).pipe(api).subscribe({ error: (e) => errors.push(e) });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(RateLimitedError);
    expect(registry.get<RateLimiter>('login')!.stats().limit).toBe(1);
  });

  it('reads YAML text and empty sections', () => {
    const registry = fromConfig('circuit_breakers:\nretry_policies:\n  r: {}\n', { env: {} });
    expect(registry.names()).toEqual(['r']);
    expect(fromConfig('', { env: {} }).names()).toEqual([]);
  });
});

describe('fromConfig: environment overrides', () => {
  it('overrides a field by RESILIENCE_<POLICY>_<NAME>_<FIELD>, parsed per the field type', () => {
    const env = {
      RESILIENCE_CIRCUIT_BREAKER_DATABASE_FAILURE_THRESHOLD: '10',
      RESILIENCE_RETRY_POLICY_KAFKA_RESET_ON_SUCCESS: 'TRUE',
      RESILIENCE_TIMEOUT_DATABASE_QUERY_DURATION: '2.5',
      RESILIENCE_RATE_LIMIT_PUBLIC_API_MODE: 'wait',
      HOME: '/root',
      RESILIENCE_UNRELATED_SETTING: 'x',
    };
    const scheduler = new VirtualTimeScheduler();
    const registry = fromConfig(SAMPLE, { env, scheduler });
    const db = registry.get<CircuitBreaker>('database')!;
    failN(9, db);
    expect(db.stats().state).toBe('closed');
    failN(1, db);
    expect(db.stats().state).toBe('open');
    // kafka_producer keeps the file's 5.
    const kp = registry.get<CircuitBreaker>('kafka_producer')!;
    failN(5, kp);
    expect(kp.stats().state).toBe('open');
    let error: unknown;
    NEVER.pipe(registry.get<TimeLimit>('database_query')!).subscribe({ error: (e) => (error = e) });
    scheduler.flush();
    expect(error).toEqual(new TimeLimitError('database_query', 'duration', 2_500));
  });

  it('reads process.env when no env is given', () => {
    process.env.RESILIENCE_CIRCUIT_BREAKER_FROM_PROCESS_FAILURE_THRESHOLD = '1';
    try {
      const registry = fromConfig({ circuit_breakers: { from_process: {} } });
      failN(1, registry.get<CircuitBreaker>('from_process')!);
      expect(registry.get<CircuitBreaker>('from_process')!.stats().state).toBe('open');
    } finally {
      delete process.env.RESILIENCE_CIRCUIT_BREAKER_FROM_PROCESS_FAILURE_THRESHOLD;
    }
  });

  it('sets a field the file leaves out', () => {
    testScheduler().run(() => {
      const registry = fromConfig({ circuit_breakers: { db: {} } }, { env: { RESILIENCE_CIRCUIT_BREAKER_DB_FAILURE_THRESHOLD: '1' } });
      failN(1, registry.get<CircuitBreaker>('db')!);
      expect(registry.get<CircuitBreaker>('db')!.stats().state).toBe('open');
    });
  });
});

type Case = [label: string, config: unknown, field: string, env?: Record<string, string>];

describe('fromConfig: validation', () => {
  const cases: Case[] = [
    ['unknown section', { fallback_strategies: {} }, 'fallback_strategies'],
    ['config not an object', [1], 'config'],
    ['section not an object', { circuit_breakers: 3 }, 'circuit_breakers'],
    ['policy not an object', { circuit_breakers: { db: 5 } }, 'circuit_breakers.db'],
    ['unknown field', { circuit_breakers: { db: { failure_treshold: 5 } } }, 'circuit_breakers.db.failure_treshold'],
    ['zero threshold', { circuit_breakers: { database: { failure_threshold: 0 } } }, 'circuit_breakers.database.failure_threshold'],
    ['fractional threshold', { circuit_breakers: { db: { success_threshold: 1.5 } } }, 'circuit_breakers.db.success_threshold'],
    ['string seconds', { circuit_breakers: { db: { timeout: '60' } } }, 'circuit_breakers.db.timeout'],
    ['negative timeout', { circuit_breakers: { db: { timeout: -1 } } }, 'circuit_breakers.db.timeout'],
    ['NaN half-open', { circuit_breakers: { db: { half_open_max_calls: Number.NaN } } }, 'circuit_breakers.db.half_open_max_calls'],
    ['negative retries', { retry_policies: { k: { max_retries: -1 } } }, 'retry_policies.k.max_retries'],
    ['factor below 1', { retry_policies: { k: { backoff_factor: 0.5 } } }, 'retry_policies.k.backoff_factor'],
    ['max below initial', { retry_policies: { k: { initial_delay: 5, max_delay: 1 } } }, 'retry_policies.k.max_delay'],
    ['bad jitter', { retry_policies: { k: { jitter: 'some' } } }, 'retry_policies.k.jitter'],
    ['boolean as string', { retry_policies: { k: { reset_on_success: 'yes' } } }, 'retry_policies.k.reset_on_success'],
    ['zero max_elapsed', { retry_policies: { k: { max_elapsed: 0 } } }, 'retry_policies.k.max_elapsed'],
    ['zero timeout', { timeouts: { q: 0 } }, 'timeouts.q'],
    ['timeout as string', { timeouts: { q: '10s' } }, 'timeouts.q'],
    ['empty timeout object', { timeouts: { q: {} } }, 'timeouts.q'],
    ['unknown timeout field', { timeouts: { q: { total: 1 } } }, 'timeouts.q.total'],
    ['bulkhead without max_concurrent', { bulkheads: { p: {} } }, 'bulkheads.p.max_concurrent'],
    ['negative queue', { bulkheads: { p: { max_concurrent: 1, max_queued: -1 } } }, 'bulkheads.p.max_queued'],
    ['bucket without capacity', { rate_limits: { a: { refill_per_second: 1 } } }, 'rate_limits.a.capacity'],
    ['bucket with limit', { rate_limits: { a: { capacity: 1, refill_per_second: 1, limit: 5 } } }, 'rate_limits.a.limit'],
    ['window with capacity', { rate_limits: { a: { algorithm: 'sliding_window', limit: 1, capacity: 3 } } }, 'rate_limits.a.capacity'],
    ['window without limit', { rate_limits: { a: { algorithm: 'fixed_window' } } }, 'rate_limits.a.limit'],
    ['cost above capacity', { rate_limits: { a: { capacity: 1, refill_per_second: 1, cost: 2 } } }, 'rate_limits.a.cost'],
    ['bad mode', { rate_limits: { a: { capacity: 1, refill_per_second: 1, mode: 'queue' } } }, 'rate_limits.a.mode'],
    ['name in two sections', { circuit_breakers: { db: {} }, bulkheads: { db: { max_concurrent: 1 } } }, 'bulkheads.db'],
    ['names with one env prefix', { circuit_breakers: { 'db-1': {}, db_1: {} } }, 'circuit_breakers.db_1'],
    ['env not a number', { circuit_breakers: { database: {} } }, 'RESILIENCE_CIRCUIT_BREAKER_DATABASE_FAILURE_THRESHOLD', { RESILIENCE_CIRCUIT_BREAKER_DATABASE_FAILURE_THRESHOLD: 'ten' }],
    ['env empty', { circuit_breakers: { database: {} } }, 'RESILIENCE_CIRCUIT_BREAKER_DATABASE_TIMEOUT', { RESILIENCE_CIRCUIT_BREAKER_DATABASE_TIMEOUT: ' ' }],
    ['env out of range', { circuit_breakers: { database: {} } }, 'RESILIENCE_CIRCUIT_BREAKER_DATABASE_FAILURE_THRESHOLD', { RESILIENCE_CIRCUIT_BREAKER_DATABASE_FAILURE_THRESHOLD: '0' }],
    ['env bad boolean', { retry_policies: { k: {} } }, 'RESILIENCE_RETRY_POLICY_K_RESET_ON_SUCCESS', { RESILIENCE_RETRY_POLICY_K_RESET_ON_SUCCESS: 'yes' }],
    ['env bad enum', { retry_policies: { k: {} } }, 'RESILIENCE_RETRY_POLICY_K_JITTER', { RESILIENCE_RETRY_POLICY_K_JITTER: 'FULL' }],
    ['env typo', { circuit_breakers: { database: {} } }, 'RESILIENCE_CIRCUIT_BREAKER_DATABASE_FAILURE_TRESHOLD', { RESILIENCE_CIRCUIT_BREAKER_DATABASE_FAILURE_TRESHOLD: '3' }],
    ['env for a policy not in the file', {}, 'RESILIENCE_BULKHEAD_POOL_MAX_CONCURRENT', { RESILIENCE_BULKHEAD_POOL_MAX_CONCURRENT: '3' }],
    ['bad YAML', 'circuit_breakers: [unclosed', 'source'],
    ['missing file', '/nonexistent/resilience.yaml', 'source'],
  ];

  it.each(cases)('%s → ConfigError naming the field', (_label, config, field, env) => {
    expectConfigError(() => fromConfig(config as never, { env: env ?? {} }), field);
  });

  it('refuses bad options', () => {
    expect(() => fromConfig({}, { env: {}, sheduler: 1 } as never)).toThrow(/options.sheduler/);
    expect(() => fromConfig({}, { env: 3 } as never)).toThrow(/options.env/);
  });
});
