/**
 * Circuit breaker.
 *
 * State scope: the breaker (state machine, window, totals, streams) lives at factory-call scope
 * and is shared by every pipeline the breaker is piped into; each subscription (one call) holds
 * only its start time, the epoch it was admitted in and whether it is a half-open trial.
 * This file holds the factory; the public types are in types.ts, the core in core.ts.
 */
import { parseBreakerConfig } from './config.js';
import { BreakerCore } from './core.js';
import type { CircuitBreaker, CircuitBreakerConfig } from './types.js';
import { configuredName } from '../internal/names.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';

export type { CircuitState } from './machine.js';
export type { CircuitBreakerSnapshot } from './snapshot.js';
export type { LatencySummary } from '../internal/histogram.js';
export type { BreakerStrategy, CircuitBreaker, CircuitBreakerConfig, CircuitBreakerEvent, CircuitBreakerStats, RateOptions } from './types.js';

/**
 * Builds a circuit breaker: fail fast while a dependency is failing, probe it after a break.
 *
 * ```text
 * source (each a call):  --#--#--#---a|
 * breaker (failures: 3): --#--#--#-- rejects with CircuitOpenError until the break ends
 * ```
 *
 * ```ts
 * import { circuitBreaker } from 'rx-resilience';
 * const breaker = circuitBreaker({ name: 'payments', strategy: { kind: 'count', size: 20, minimumCalls: 10 } });
 * defer(() => api.charge(req)).pipe(breaker).subscribe(...);
 * breaker.state$.subscribe((s) => console.log(s)); // 'closed', then 'open', 'half-open', 'closed' …
 * ```
 *
 * `isFailureResult`'s parameter type is the breaker's value type: `circuitBreaker({ isFailureResult:
 * (res: Response) => res.status >= 500 })` is a `CircuitBreaker<Response>`, an operator on
 * `Observable<Response>` only.
 * @throws ConfigError when the config is invalid.
 */
export function circuitBreaker<T = unknown>(config: CircuitBreakerConfig<T> = {}): CircuitBreaker<T> {
  const c = parseBreakerConfig(configuredName('circuit-breaker', config), config);
  const { halfOpenMaxCalls, successThreshold, breakDuration, slowCallDuration } = c;
  return definePolicy<CircuitBreaker<T>>(new BreakerCore(c), PROTO, { halfOpenMaxCalls, successThreshold, breakDuration, slowCallDuration });
}

const PROTO = policyPrototype({ kind: 'circuit-breaker', state: ['state$'], streams: ['events$', 'metrics$'], controls: ['stats', 'isolate', 'trip', 'reset', 'disable', 'endBreak', 'exportState'] });
