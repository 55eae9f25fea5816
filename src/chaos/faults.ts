/**
 * The faults a `chaos()` policy injects. Each factory checks its argument and returns a frozen
 * description; the policy acts on it. Names end in `Fault` so that they cannot clash with a
 * user's own `error` or `result`.
 */
import { InjectedFaultError } from '../errors.js';
import { checker } from '../internal/validate.js';
import type { BehaviorFault, ChaosCall, ErrorFault, LatencyFault, ResultFault } from './types.js';

/**
 * Delays the call: its source is subscribed `ms` milliseconds later, on the policy's scheduler
 * (a function of the call gives the wait per call; NaN or a negative wait is 0).
 * Unsubscribing during the wait cancels it; the source is then never subscribed.
 * @throws ConfigError when `ms` is neither a duration (0 to 2 147 483 647 ms) nor a function.
 */
export function latencyFault(ms: number | ((call: ChaosCall) => number)): LatencyFault {
  const check = checker('latency-fault');
  const delay = typeof ms === 'function' ? ms : check.duration('ms', ms, 0, true);
  return Object.freeze({ kind: 'latency', delay });
}

/**
 * Fails the call with what `error(call)` returns, without subscribing its source; by default an
 * `InjectedFaultError` (code `INJECTED_FAULT`), which a breaker counts as a failure.
 * @throws ConfigError when `error` is given and is not a function.
 */
export function errorFault(error?: (call: ChaosCall) => unknown): ErrorFault {
  const make = checker('error-fault').fn<(call: ChaosCall) => unknown>('error', error) ?? ((call: ChaosCall) => new InjectedFaultError(call.policy, call.call));
  return Object.freeze({ kind: 'error', error: make });
}

/**
 * Answers the call with `result(call)` and completes, without subscribing its source (a wrong or
 * stale answer, such as an HTTP 500 response object).
 * @throws ConfigError when `result` is not a function.
 */
export function resultFault<R>(result: (call: ChaosCall) => R): ResultFault<R> {
  const make = checker('result-fault').fn<(call: ChaosCall) => R>('result', result);
  if (make === undefined) checker('result-fault').fail('result', result, 'a function');
  return Object.freeze({ kind: 'result', result: make! });
}

/**
 * Runs `behavior(call)` (a side effect: drop a cache, kill a connection, log), then subscribes the
 * source as usual.
 * @throws ConfigError when `behavior` is not a function.
 */
export function behaviorFault(behavior: (call: ChaosCall) => void): BehaviorFault {
  const run = checker('behavior-fault').fn<(call: ChaosCall) => void>('behavior', behavior);
  if (run === undefined) checker('behavior-fault').fail('behavior', behavior, 'a function');
  return Object.freeze({ kind: 'behavior', behavior: run! });
}
