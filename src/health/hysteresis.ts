/**
 * The hysteresis of a health check, as a pure step function of (state, probe verdict).
 *
 * - The first probe sets the status directly (there is no status before it).
 * - `failureThreshold` consecutive failed probes make the component `unhealthy`; fewer leave the
 *   status as it was (the counter shows in the report).
 * - While unhealthy, `recoveryThreshold` consecutive passing probes (healthy or degraded) end it:
 *   the status becomes the verdict of the probe that completed the run. Fewer keep it unhealthy.
 * - While not unhealthy, a passing probe sets the status to its verdict (healthy ↔ degraded
 *   follows the probe at once).
 * A failed probe resets the run of successes, and a passing one the run of failures.
 */
import type { HealthStatus } from './types.js';

/** What one probe said: it passed (healthy or degraded), or it failed. */
export type ProbeVerdict = 'healthy' | 'degraded' | 'failed';

export interface HysteresisState {
  /** `undefined` before the first probe. */
  readonly status: HealthStatus | undefined;
  readonly failures: number;
  readonly successes: number;
}

export const INITIAL_HYSTERESIS: HysteresisState = { status: undefined, failures: 0, successes: 0 };

export function stepHysteresis(state: HysteresisState, verdict: ProbeVerdict, failureThreshold: number, recoveryThreshold: number): HysteresisState {
  if (verdict === 'failed') {
    const failures = state.failures + 1;
    const status = state.status === undefined || failures >= failureThreshold ? 'unhealthy' : state.status;
    return { status, failures, successes: 0 };
  }
  const successes = state.successes + 1;
  const status = state.status === 'unhealthy' && successes < recoveryThreshold ? 'unhealthy' : verdict;
  return { status, failures: 0, successes };
}
