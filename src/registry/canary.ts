/**
 * @internal The stuck-breaker procedure (the runbook's "Circuit Breaker Stuck Open"): reset, one canary
 * call through the breaker, re-isolate unless it succeeds, and an audit record either way.
 */
import { Observable, type SchedulerLike, take } from 'rxjs';
import type { CircuitState } from '../breaker/machine.js';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';

export interface CanaryOptions {
  /** Why the operator ran the procedure; copied into the audit event. */
  readonly reason?: string;
}

/** The outcome of `resetWithCanary`, also published on the registry's `events$` as `type: 'canary'`. */
export interface CanaryReport {
  /** The breaker's name. */
  readonly breaker: string;
  /** Scheduler time when the procedure ended. */
  readonly at: number;
  /** The breaker's state before the reset. */
  readonly previous: CircuitState;
  /**
   * `passed`: the canary produced a value or completed, the breaker stays closed. `failed`: it
   * errored, the breaker is isolated. `cancelled`: the procedure was unsubscribed before a verdict
   * (only in the audit event), the breaker is isolated.
   */
  readonly outcome: 'passed' | 'failed' | 'cancelled';
  /** The canary's error when it failed. */
  readonly error: unknown;
  readonly reason: string | undefined;
  /** ms from the reset to the verdict. */
  readonly duration: number;
}

export function canary(
  breaker: CircuitBreaker,
  name: string,
  canary$: Observable<unknown>,
  options: CanaryOptions,
  scheduler: SchedulerLike,
  audit: (report: CanaryReport) => void,
): Observable<CanaryReport> {
  return new Observable<CanaryReport>((subscriber) => {
    const previous = breaker.stats().state;
    const startedAt = scheduler.now();
    let settled = false;
    const finish = (outcome: CanaryReport['outcome'], error?: unknown) => {
      if (settled) return;
      settled = true;
      if (outcome !== 'passed') breaker.isolate();
      const at = scheduler.now();
      const report: CanaryReport = { breaker: name, at, previous, outcome, error, reason: options.reason, duration: at - startedAt };
      audit(report);
      if (outcome !== 'cancelled') {
        subscriber.next(report);
        subscriber.complete();
      }
    };
    breaker.reset();
    // One call: the first value is enough (counted as a success, decision 1 in docs/decisions.md).
    const call = breaker(canary$)
      .pipe(take(1))
      .subscribe({ error: (error: unknown) => finish('failed', error), complete: () => finish('passed') });
    return () => {
      call.unsubscribe();
      finish('cancelled');
    };
  });
}
