/**
 * rx-resilience/testing/arbitraries (needs fast-check): arbitraries for property tests of
 * resilience policies: valid configs of every policy (small numbers, so limits are reached within
 * short scenarios), sequences of calls with their outcomes, durations and cancellations, clock
 * advances, and HTTP-shaped outcomes. Each config arbitrary produces only configs its factory
 * accepts (the suite checks it); none sets `scheduler` or `name`: spread them in.
 */
import fc from 'fast-check';
import type { BreakerStrategy, CircuitBreakerConfig } from '../index.js';
import type { CallCommand } from './commands.js';
export { httpCommandsArb, httpOutcomeArb } from './httpArbitraries.js';
export { bulkheadConfigArb, cacheConfigArb, hedgeConfigArb, rateLimitConfigArb, retryConfigArb, timeLimitConfigArb } from './configArbitraries.js';
export type { RateLimitSpec } from './configArbitraries.js';

/** Thresholds that small windows can hit exactly, so the `rate >= threshold` edge is exercised. */
const THRESHOLDS = [0.2, 0.25, 1 / 3, 0.5, 2 / 3, 0.75, 1];

/**
 * Valid breaker strategies with small numbers, so trips happen within short sequences.
 * With `slow`, window strategies may carry a `slowCallRateThreshold` (valid only with `slowCallDuration`).
 */
export function breakerStrategyArb(options: { slow?: boolean } = {}): fc.Arbitrary<BreakerStrategy> {
  const rates = {
    failureRateThreshold: fc.constantFrom(...THRESHOLDS),
    minimumCalls: fc.integer({ min: 1, max: 8 }),
    ...(options.slow ? { slowCallRateThreshold: fc.constantFrom(...THRESHOLDS) } : {}),
  };
  return fc.oneof(
    fc.record({ kind: fc.constant('consecutive' as const), failures: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ kind: fc.constant('count' as const), size: fc.integer({ min: 1, max: 12 }), ...rates }),
    fc
      .record({ kind: fc.constant('time' as const), buckets: fc.integer({ min: 1, max: 6 }), bucketMs: fc.integer({ min: 1, max: 50 }), ...rates })
      .map(({ bucketMs, ...s }) => ({ ...s, duration: s.buckets * bucketMs })),
  );
}

/** Valid breaker configs (without scheduler, name or predicates), always with a numeric `breakDuration`. */
export function breakerConfigArb(): fc.Arbitrary<CircuitBreakerConfig & { breakDuration: number }> {
  const common = {
    breakDuration: fc.integer({ min: 1, max: 100 }),
    halfOpenMaxCalls: fc.integer({ min: 1, max: 3 }),
    successThreshold: fc.integer({ min: 1, max: 3 }),
  };
  return fc.oneof(
    fc.record({ strategy: breakerStrategyArb(), ...common }, { requiredKeys: ['strategy', 'breakDuration'] }),
    fc.record({ strategy: breakerStrategyArb({ slow: true }), slowCallDuration: fc.integer({ min: 1, max: 40 }), ...common }, { requiredKeys: ['strategy', 'breakDuration', 'slowCallDuration'] }),
  );
}

export type { CallCommand } from './commands.js';

/**
 * Scenarios: calls with outcomes and durations, cancellations, clock advances and, with
 * `controls`, manual `isolate()` / `reset()` / `disable()`; with `values`, calls emit 0–4 values
 * spread over their duration; with `keys`, each call carries one of them as its `key`.
 */
export function callCommandsArb(options: { maxLength?: number; maxDuration?: number; controls?: boolean; values?: boolean; keys?: readonly string[] } = {}): fc.Arbitrary<CallCommand[]> {
  const maxDuration = options.maxDuration ?? 50;
  const call = {
    type: fc.constant('call' as const),
    outcome: fc.constantFrom('success' as const, 'failure' as const, 'ignored' as const, 'hang' as const),
    duration: fc.integer({ min: 0, max: maxDuration }),
    ...(options.values ? { values: fc.integer({ min: 0, max: 4 }) } : {}),
    ...(options.keys !== undefined && options.keys.length > 0 ? { key: fc.constantFrom(...options.keys) } : {}),
  };
  const commands: fc.WeightedArbitrary<CallCommand>[] = [
    { weight: 6, arbitrary: fc.record(call) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('cancel' as const) }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 2 * maxDuration }) }) },
  ];
  if (options.controls) commands.push({ weight: 1, arbitrary: fc.record({ type: fc.constant('control' as const), action: fc.constantFrom('isolate', 'reset', 'disable') }) });
  return fc.array(fc.oneof(...commands), { maxLength: options.maxLength ?? 60 });
}
