/**
 * The public shapes of health: a component's report, a component (a cold stream of reports with
 * its name, kind and criticality attached) and the aggregate a monitor emits.
 *
 * Reports are plain objects; `error` is the raw error the probe produced (HTTP endpoints render
 * it as `{ name, message, code }`), `details` whatever the probe or the policy attached.
 */
import type { Observable } from 'rxjs';

/** A component's health, best first. */
export type HealthStatus = 'healthy' | 'degraded' | 'unhealthy';

/**
 * What a check is for: `liveness` (is the process able to work at all: `/health/live`),
 * `readiness` (can it take traffic now: `/health/ready`), `deep` (diagnostics only: `/health/detailed`).
 */
export type HealthKind = 'liveness' | 'readiness' | 'deep';

/** One component's report; a check emits one per probe, a policy-derived component one per status change. */
export interface HealthReport {
  /** The component's name. */
  readonly name: string;
  readonly kind: HealthKind;
  /** Whether the component is critical (the default mode rule: critical and unhealthy → EMERGENCY). */
  readonly critical: boolean;
  readonly status: HealthStatus;
  /** Scheduler time at which `status` began. */
  readonly since: number;
  /** Scheduler time of this report. */
  readonly at: number;
  /** Duration of the probe in ms; `undefined` for components derived from policy streams. */
  readonly latency: number | undefined;
  /** What the probe or the policy attached (a breaker's state and failure rate, a bulkhead's state…). */
  readonly details: unknown;
  /** The error of the last probe, if it failed; `undefined` otherwise. */
  readonly error: unknown;
  /** Consecutive failed and consecutive successful probes so far (the hysteresis counters). */
  readonly failures: number;
  readonly successes: number;
}

/**
 * A health component: a cold Observable of reports (nothing runs until it is subscribed; it stops
 * when unsubscribed) with its identity attached, so a monitor knows its components before they
 * report. Any Observable with these three fields added is a component.
 */
export interface HealthComponent extends Observable<HealthReport> {
  readonly name: string;
  readonly kind: HealthKind;
  readonly critical: boolean;
}

/** What a monitor's `health$` emits and `snapshot()` returns. */
export interface SystemHealth {
  /**
   * `unhealthy` when a critical component is unhealthy; `degraded` when any other component is
   * not healthy; else `healthy`. Components that have not reported yet do not count here.
   */
  readonly status: HealthStatus;
  /** Scheduler time of this aggregate. */
  readonly at: number;
  /** The latest report of every component that has reported, by name. */
  readonly components: Readonly<Record<string, HealthReport>>;
  /** Components that have not reported yet (a readiness endpoint says "not ready" meanwhile). */
  readonly pending: readonly string[];
}

const RANK: Readonly<Record<HealthStatus, number>> = { healthy: 0, degraded: 1, unhealthy: 2 };

/** The worse of two statuses. */
export function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return RANK[a] >= RANK[b] ? a : b;
}

export const HEALTH_STATUSES: readonly HealthStatus[] = ['healthy', 'degraded', 'unhealthy'];
export const HEALTH_KINDS: readonly HealthKind[] = ['liveness', 'readiness', 'deep'];

/** Attaches a component's identity to a cold stream of its reports. */
export function asComponent(report$: Observable<HealthReport>, name: string, kind: HealthKind, critical: boolean): HealthComponent {
  return Object.assign(report$, { name, kind, critical }) as HealthComponent;
}
