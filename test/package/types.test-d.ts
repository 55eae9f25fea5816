/**
 * Type tests (checked by tsc in vitest's typecheck run; nothing here executes): what a factory
 * returns has a name a user can import, and the registry hands a policy back with its type.
 */
import { of, type Observable, type Subscription } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import {
  adaptiveConcurrency,
  adaptiveRateLimit,
  adaptiveThrottle,
  bulkhead,
  cache,
  circuitBreaker,
  constant,
  durableQueue,
  fallback,
  fixedWindow,
  healthCheck,
  healthMonitor,
  hedge,
  memoryQueueStore,
  memoryStore,
  operationMode,
  recoverWhen,
  resilienceRegistry,
  retryBackoff,
  retryBudget,
  slidingWindow,
  timeLimit,
  tokenBucket,
  type AdaptiveConcurrency,
  type AdaptiveRateLimit,
  type AdaptiveThrottle,
  type AnyPolicy,
  type Backoff,
  type Bulkhead,
  type Cache,
  type CircuitBreaker,
  type DurableQueue,
  type Fallback,
  type FixedWindow,
  type HealthComponent,
  type HealthMonitor,
  type Hedge,
  type MemoryQueueStore,
  type MemoryStore,
  type OperationMode,
  type PolicyTypes,
  type RateLimiter,
  type ResilienceRegistry,
  type RetryBackoff,
  type RetryBudget,
  type SlidingWindow,
  type TimeLimit,
  type TokenBucket,
} from 'rx-resilience';
import { fromConfig, type ConfigRegistry } from 'rx-resilience/config';
import { fileStore, type FileStore } from 'rx-resilience/file-store';
import { dashboard, healthEndpoints, metricsHandler, type Dashboard, type HealthEndpoints, type MetricsHandler } from 'rx-resilience/http';
import { prometheusMetrics, type PrometheusMetrics } from 'rx-resilience/prometheus';
import { fleetControl, redisStore, redisStreamStore, sharedBreaker, type FleetControl, type RedisStore, type RedisStreamStore, type SharedBreaker } from 'rx-resilience/redis';
import { scriptedService, type ScriptedService } from 'rx-resilience/testing';

describe('each factory returns a type named after it', () => {
  it('policies', () => {
    expectTypeOf(circuitBreaker).returns.toEqualTypeOf<CircuitBreaker>();
    expectTypeOf(retryBackoff).returns.toEqualTypeOf<RetryBackoff>();
    expectTypeOf(retryBudget).returns.toEqualTypeOf<RetryBudget>();
    expectTypeOf(timeLimit).returns.toEqualTypeOf<TimeLimit>();
    expectTypeOf(bulkhead).returns.toEqualTypeOf<Bulkhead>();
    expectTypeOf(adaptiveConcurrency).returns.toEqualTypeOf<AdaptiveConcurrency>();
    expectTypeOf(cache).returns.toEqualTypeOf<Cache>();
    expectTypeOf(hedge).returns.toEqualTypeOf<Hedge>();
    expectTypeOf(adaptiveRateLimit).returns.toEqualTypeOf<AdaptiveRateLimit>();
    expectTypeOf(adaptiveThrottle).returns.toEqualTypeOf<AdaptiveThrottle>();
    expectTypeOf(fallback(of(0))).toEqualTypeOf<Fallback<number>>();
    expectTypeOf(constant).returns.toEqualTypeOf<Backoff>();
  });

  it('the three rate limiters: one interface, a name for each', () => {
    expectTypeOf(tokenBucket).returns.toEqualTypeOf<TokenBucket>();
    expectTypeOf(slidingWindow).returns.toEqualTypeOf<SlidingWindow>();
    expectTypeOf(fixedWindow).returns.toEqualTypeOf<FixedWindow>();
    expectTypeOf<TokenBucket>().toEqualTypeOf<RateLimiter>();
  });

  it('queues, stores, health, modes and the registry', () => {
    expectTypeOf(durableQueue<{ id: string }>({ store: memoryQueueStore() })).toEqualTypeOf<DurableQueue<{ id: string }>>();
    expectTypeOf(memoryQueueStore).returns.toEqualTypeOf<MemoryQueueStore>();
    expectTypeOf(memoryStore).returns.toEqualTypeOf<MemoryStore>();
    expectTypeOf(healthCheck).returns.toEqualTypeOf<HealthComponent>();
    expectTypeOf(healthMonitor).returns.toEqualTypeOf<HealthMonitor>();
    expectTypeOf(operationMode).returns.toEqualTypeOf<OperationMode>();
    expectTypeOf(recoverWhen).returns.toEqualTypeOf<Subscription>();
    expectTypeOf(resilienceRegistry).returns.toEqualTypeOf<ResilienceRegistry>();
  });

  it('the subpaths', () => {
    expectTypeOf(fromConfig).returns.toEqualTypeOf<ConfigRegistry>();
    expectTypeOf(fileStore).returns.toEqualTypeOf<FileStore>();
    expectTypeOf(healthEndpoints).returns.toEqualTypeOf<HealthEndpoints>();
    expectTypeOf(metricsHandler).returns.toEqualTypeOf<MetricsHandler>();
    expectTypeOf(dashboard).returns.toEqualTypeOf<Dashboard>();
    expectTypeOf(prometheusMetrics).returns.toEqualTypeOf<PrometheusMetrics>();
    expectTypeOf(sharedBreaker).returns.toEqualTypeOf<SharedBreaker>();
    expectTypeOf(fleetControl).returns.toEqualTypeOf<FleetControl>();
    expectTypeOf(redisStore).returns.toEqualTypeOf<RedisStore>();
    expectTypeOf(redisStreamStore).returns.toEqualTypeOf<RedisStreamStore>();
    expectTypeOf(scriptedService([{ ok: 1 }])).toEqualTypeOf<ScriptedService<number>>();
  });
});

describe('the registry keeps the policy type', () => {
  const registry = resilienceRegistry();

  it('register returns the handle typed as the policy', () => {
    expectTypeOf(registry.register('db', circuitBreaker())).toEqualTypeOf<CircuitBreaker>();
    expectTypeOf(registry.register('api', tokenBucket({ capacity: 1, refill: { tokens: 1 } }))).toEqualTypeOf<TokenBucket>();
  });

  it('get(name, kind) is typed by the kind', () => {
    expectTypeOf(registry.get('db', 'circuit-breaker')).toEqualTypeOf<CircuitBreaker | undefined>();
    expectTypeOf(registry.get('db', 'bulkhead')).toEqualTypeOf<Bulkhead | undefined>();
    expectTypeOf(registry.get('db', 'rate-limiter')).toEqualTypeOf<RateLimiter | undefined>();
    expectTypeOf(registry.get('db', 'custom')).toEqualTypeOf<AnyPolicy | undefined>();
    expectTypeOf(registry.get('db', 'retry')!.stats().name).toBeString();
    expectTypeOf(of(1).pipe(registry.get('db', 'time-limit')!)).toEqualTypeOf<Observable<number>>();
    // @ts-expect-error not a kind
    registry.get('db', 'breaker');
  });

  it('the same on a registry built from a config file', () => {
    const fromFile = fromConfig({ circuit_breakers: { database: {} } });
    expectTypeOf(fromFile.get('database', 'circuit-breaker')).toEqualTypeOf<CircuitBreaker | undefined>();
  });

  it('has a type for every kind the registry names', () => {
    expectTypeOf<keyof PolicyTypes>().toEqualTypeOf<ReturnType<ResilienceRegistry['kindOf']> & string>();
  });

  it('get(name) without a kind is only an operator', () => {
    expectTypeOf(registry.get('db')).toEqualTypeOf<AnyPolicy | undefined>();
    // @ts-expect-error an operator has no stats() until its kind is given
    registry.get('db')!.stats();
  });
});
