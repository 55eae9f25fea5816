/** The curated public surface: every name is deliberate. A new export updates these lists. */
import { describe, expect, it } from 'vitest';
import * as api from 'rx-resilience';
import * as prometheus from 'rx-resilience/prometheus';
import * as testing from 'rx-resilience/testing';

describe('public API', () => {
  it('exports exactly these names from rx-resilience', () => {
    expect(Object.keys(api).sort()).toEqual([
      // errors
      'BulkheadFullError', 'CircuitOpenError', 'ConfigError', 'QueueTimeoutError', 'RateLimitedError', 'ResilienceError',
      'RetriesExhaustedError', 'TimeLimitError', 'isLocalRejection', 'isResilienceError',
      // breaker, retry, time limit, fallback, cache, hedge
      'circuitBreaker', 'constant', 'decorrelatedJitter', 'exponential', 'fibonacci', 'linear', 'retryBackoff', 'retryBudget',
      'timeLimit', 'cache', 'fallback', 'fallbackLadder', 'hedge',
      // admission
      'adaptiveConcurrency', 'adaptiveRateLimit', 'adaptiveThrottle', 'bulkhead', 'fixedWindow', 'memoryStore', 'slidingWindow', 'tokenBucket',
      // health, modes, http, registry
      'dashboard', 'defaultModeRules', 'healthCheck', 'healthEndpoints', 'healthFromBreaker', 'healthFromBulkhead', 'healthMonitor', 'metricsHandler',
      'operationMode', 'recoverWhen', 'fromConfig', 'policyKind', 'resilienceRegistry',
    ].sort());
  });

  it('exports exactly these names from rx-resilience/testing', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'breakerConfigArb', 'breakerStrategyArb', 'callCommandsArb', 'isLegalBreakerTransition', 'observableMatcher',
      'scriptedService', 'testScheduler', 'watchBreakerLaws', 'watchBulkheadLaws', 'watchLimiterLaws',
    ].sort());
  });

  it('exports exactly these names from rx-resilience/prometheus', () => {
    expect(Object.keys(prometheus).sort()).toEqual(['ALL_METRICS', 'DEFAULT_BUCKETS', 'METRICS', 'prometheusMetrics', 'seriesNames'].sort());
  });
});
