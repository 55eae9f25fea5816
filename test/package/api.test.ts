/** The curated public surface: every name is deliberate. A new export updates this list. */
import { describe, expect, it } from 'vitest';
import * as api from 'rx-resilience';
import * as testing from 'rx-resilience/testing';

describe('public API', () => {
  it('exports exactly these names from rx-resilience', () => {
    expect(Object.keys(api).sort()).toEqual([
      'BulkheadFullError', 'CircuitOpenError', 'ConfigError', 'QueueTimeoutError', 'RateLimitedError', 'ResilienceError',
      'RetriesExhaustedError', 'TimeLimitError', 'circuitBreaker', 'isLocalRejection', 'isResilienceError',
    ].sort());
  });

  it('exports exactly these names from rx-resilience/testing', () => {
    expect(Object.keys(testing).sort()).toEqual([
      'breakerConfigArb', 'breakerStrategyArb', 'callCommandsArb', 'isLegalBreakerTransition', 'observableMatcher',
      'scriptedService', 'testScheduler', 'watchBreakerLaws',
    ].sort());
  });
});
