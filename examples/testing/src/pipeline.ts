/**
 * The "production" pipeline of this consumer: calls to a payment API go through a per-attempt
 * time limit, a circuit breaker, a retry and a bulkhead. A fault switch sits next to the
 * dependency, so a test (or an operator) can inject errors; with `chaos()` from rx-resilience it
 * would be a chaos policy whose `enabled` is the same kind of switch.
 */
import { BehaviorSubject, defer, throwError, type Observable, type SchedulerLike } from 'rxjs';
import { bulkhead, circuitBreaker, exponential, retryBackoff, timeLimit } from 'rx-resilience';

export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
}

export function paymentPipeline(scheduler: SchedulerLike, random: () => number = Math.random) {
  const faults = new BehaviorSubject(false);
  const inject = <T>(source: Observable<T>): Observable<T> => defer(() => (faults.value ? throwError(() => new InjectedFault('injected')) : source));
  const deadline = timeLimit({ name: 'payments-deadline', duration: 300, scheduler });
  const breaker = circuitBreaker({ name: 'payments', strategy: { kind: 'count', size: 10, minimumCalls: 5, failureRateThreshold: 0.5 }, breakDuration: 1_000, halfOpenMaxCalls: 2, scheduler });
  const retry = retryBackoff({ name: 'payments-retry', maxAttempts: 3, backoff: exponential({ initial: 50, max: 400, jitter: 'full', random }), maxDelay: 10_000, scheduler });
  const pool = bulkhead({ name: 'payments-pool', maxConcurrent: 4, maxQueued: 8, scheduler });
  return {
    /** The pipeline: what production code pipes a call into. */
    call: <T>(upstream: Observable<T>): Observable<T> => upstream.pipe(inject, deadline, breaker, retry, pool),
    /** Its policies in `pipe()` order, innermost first: what the laws watch. */
    parts: [deadline, breaker, retry, pool],
    breaker,
    faults,
  };
}
