/** The curated public surface: every name is deliberate. A new export updates these lists. */
import { describe, expect, it } from 'vitest';
import * as api from 'rx-resilience';
import * as fileStore from 'rx-resilience/file-store';
import * as fpTs from 'rx-resilience/fp-ts';
import * as prometheus from 'rx-resilience/prometheus';
import * as config from 'rx-resilience/config';
import * as http from 'rx-resilience/http';
import * as testing from 'rx-resilience/testing';
import * as arbitraries from 'rx-resilience/testing/arbitraries';

describe('public API', () => {
  it('exports exactly these names from rx-resilience', () => {
    expect(Object.keys(api).sort()).toEqual([
      // errors
      'BulkheadFullError', 'CircuitOpenError', 'ConfigError', 'FailureResultError', 'QueueStoreError', 'QueueTimeoutError', 'RateLimitedError', 'ResilienceError',
      'RetriesExhaustedError', 'TimeLimitError', 'findResilienceError', 'isLocalRejection', 'isResilienceError',
      // composing: pipeline, cancellable calls
      'PIPELINE_ORDER', 'fromAbortable', 'pipeline',
      // breaker, retry, time limit, fallback, cache, hedge
      'circuitBreaker', 'constant', 'decorrelatedJitter', 'exponential', 'fibonacci', 'linear', 'retryBackoff', 'retryBudget',
      'timeLimit', 'cache', 'fallback', 'fallbackLadder', 'hedge',
      // admission
      'adaptiveConcurrency', 'adaptiveRateLimit', 'adaptiveThrottle', 'bulkhead', 'fixedWindow', 'memoryStore', 'slidingWindow', 'tokenBucket',
      // health, modes, registry
      'defaultModeRules', 'healthCheck', 'healthFromBreaker', 'healthFromBulkhead', 'healthMonitor',
      'operationMode', 'policyKind', 'recoverWhen', 'resilienceKind', 'resilienceRegistry',
      // durable queue
      'durableQueue', 'isQueued', 'memoryQueueStore', 'queueOnFailure',
      // chaos
      'InjectedFaultError', 'behaviorFault', 'chaos', 'chaosExperiment', 'errorFault', 'latencyFault', 'resultFault', 'seededRandom',
    ].sort());
  });

  it('exports exactly these names from rx-resilience/testing', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'isLegalBreakerTransition', 'observableMatcher', 'scriptedService', 'testScheduler', 'watchBreakerLaws', 'watchBulkheadLaws', 'watchLimiterLaws',
      // the scenario runner, the laws of a whole pipeline, marble assertions on a policy's streams
      'BREAKER_STATES', 'ScenarioError', 'descriptorOf', 'expectEvents', 'expectStates', 'httpCall', 'isIgnoredOutcome', 'noPendingWork', 'policiesOf',
      'runScenario', 'settingsOf', 'timelineOf', 'trackedScheduler', 'watchLaws',
    ].sort());
  });

  it('exports exactly these names from rx-resilience/testing/arbitraries', () => {
    expect(Object.keys(arbitraries).sort()).toEqual([
      'breakerConfigArb', 'breakerStrategyArb', 'bulkheadConfigArb', 'cacheConfigArb', 'callCommandsArb', 'hedgeConfigArb', 'httpCommandsArb', 'httpOutcomeArb',
      'rateLimitConfigArb', 'retryConfigArb', 'timeLimitConfigArb',
    ]);
  });

  it('exports exactly these names from rx-resilience/http', () => {
    expect(Object.keys(http).sort()).toEqual(['dashboard', 'healthEndpoints', 'metricsHandler']);
  });

  it('exports exactly these names from rx-resilience/config', () => {
    expect(Object.keys(config).sort()).toEqual(['fromConfig']);
  });

  it('exports exactly these names from rx-resilience/file-store', () => {
    expect(Object.keys(fileStore)).toEqual(['fileStore']);
  });

  it('exports exactly these names from rx-resilience/fp-ts', () => {
    expect(Object.keys(fpTs).sort()).toEqual(['fromTagged', 'fromTaskEither', 'protect', 'toEither']);
  });

  it('exports exactly these names from rx-resilience/prometheus', () => {
    expect(Object.keys(prometheus).sort()).toEqual(['ALL_METRICS', 'DEFAULT_BUCKETS', 'METRICS', 'prometheusMetrics', 'seriesNames'].sort());
  });
});
