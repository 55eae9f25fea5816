/**
 * The "production" pipeline of this consumer: calls to a payment API go through a retry, a
 * circuit breaker, a bulkhead and a per-attempt time limit, composed by `pipeline()` in the
 * library's order (retry → breaker → bulkhead → timeLimit → source). A `chaos()` policy sits
 * innermost, next to the dependency: it stands for the payment API failing. Its kill switch
 * (`enabled`) is the `faults` subject, off by default, so a test, an operator or a config flips
 * it; a `chaosExperiment()` that lists the policy turns it on for a while and off again.
 *
 * The bulkhead has no queue: inside the breaker, a queue could start a call the breaker admitted
 * before it opened, and the kit would then skip the breaker's "no call while open" law.
 */
import { BehaviorSubject, type Observable, type SchedulerLike } from 'rxjs';
import { bulkhead, chaos, circuitBreaker, errorFault, exponential, pipeline, retryBackoff, seededRandom, timeLimit } from 'rx-resilience';

export interface PaymentPipelineOptions {
  /** The retry's jitter source. Default `Math.random`. */
  readonly random?: () => number;
  /** The share of calls the chaos policy fails while it is on. Default 1 (every call). */
  readonly rate?: number;
  /** Seed of the chaos policy's draws (`seededRandom(seed)`), so a run replays. Default 0. */
  readonly seed?: number;
}

export function paymentPipeline(scheduler: SchedulerLike, { random = Math.random, rate = 1, seed = 0 }: PaymentPipelineOptions = {}) {
  const faults = new BehaviorSubject(false);
  const faultInjection = chaos({ name: 'payments-chaos', rate, fault: errorFault(), enabled: faults, random: seededRandom(seed), scheduler });
  const breaker = circuitBreaker({ name: 'payments', strategy: { kind: 'count', size: 10, minimumCalls: 5, failureRateThreshold: 0.5 }, breakDuration: 1_000, halfOpenMaxCalls: 2, scheduler });
  const payments = pipeline({
    name: 'payments-pipeline',
    retry: retryBackoff({ name: 'payments-retry', maxAttempts: 3, backoff: exponential({ initial: 50, max: 400, jitter: 'full', random }), maxDelay: 10_000, scheduler }),
    breaker,
    bulkhead: bulkhead({ name: 'payments-pool', maxConcurrent: 4, scheduler }),
    timeLimit: timeLimit({ name: 'payments-deadline', duration: 300, scheduler }),
  });
  return {
    /** What production code pipes a call into: the chaos policy next to the dependency, then the pipeline. */
    call: <T>(upstream: Observable<T>): Observable<T> => upstream.pipe(faultInjection, payments),
    /** What the laws watch, in `pipe()` order (innermost first): the chaos policy, then the pipeline, read part by part. */
    parts: [faultInjection, payments],
    /** The chaos policy: what an experiment injects through. */
    chaos: faultInjection,
    breaker,
    /** The chaos policy's kill switch. */
    faults,
  };
}
