/**
 * Health components derived from policies' streams: no probe runs, the policy's own state is the
 * signal. Each is cold (subscribing subscribes the policy's `state$`) and emits a report when the
 * derived status changes (the first one at subscription).
 *
 * - Breaker: closed or disabled → healthy; half-open → degraded; open or isolated → unhealthy.
 * - Bulkhead: saturated → degraded, else healthy. Saturated means every slot is busy and the next
 *   call would have to wait or be refused: `active >= limit` and (`queued > 0` or no queue at all).
 */
import { distinctUntilChanged, map, Observable, scan, type SchedulerLike } from 'rxjs';
import { match } from 'ts-pattern';
import type { CircuitState } from '../breaker/machine.js';
import type { BulkheadState } from '../bulkhead/types.js';
import { resolveScheduler } from '../internal/clock.js';
import { checker } from '../internal/validate.js';
import { asComponent, HEALTH_KINDS, type HealthComponent, type HealthKind, type HealthReport, type HealthStatus } from './types.js';

export interface PolicyHealthConfig {
  /** Component name. Default: the policy's name. */
  readonly name?: string;
  /** Default `'deep'`: a dependency failing fast is not a reason to take this process out of rotation. */
  readonly kind?: HealthKind;
  /** Default false. */
  readonly critical?: boolean;
  /** Clock for `since` and `at`; use the policy's scheduler. */
  readonly scheduler?: SchedulerLike;
}

/** What `healthFromBreaker` reads: any circuit breaker. */
export interface BreakerLike {
  readonly name: string;
  readonly state$: Observable<CircuitState>;
  stats(): { readonly failureRate: number; readonly nextAttemptAt: number | null; readonly lastTrip?: { readonly at: number; readonly failureRate: number; readonly slowCallRate: number } | null };
}

/** What `healthFromBulkhead` reads: a bulkhead or an adaptive concurrency limiter. */
export interface BulkheadLike {
  readonly name: string;
  readonly state$: Observable<BulkheadState>;
}

const KEYS = ['name', 'kind', 'critical', 'scheduler'];

/**
 * A component that follows a circuit breaker: open/isolated → unhealthy, half-open → degraded.
 *
 * ```ts
 * import { circuitBreaker, healthFromBreaker, healthMonitor } from 'rx-resilience';
 * const monitor = healthMonitor({ components: [healthFromBreaker(paymentsBreaker, { critical: true })] });
 * ```
 */
export function healthFromBreaker(breaker: BreakerLike, config: PolicyHealthConfig = {}): HealthComponent {
  const { name, kind, critical, scheduler } = parse('health-from-breaker', breaker, config);
  const states$ = breaker.state$.pipe(
    map((state) => ({ status: breakerStatus(state), details: detailsOf(breaker, state) })),
    distinctUntilChanged((a, b) => a.status === b.status && a.details.state === b.details.state),
  );
  return asComponent(reports(states$, name, kind, critical, scheduler), name, kind, critical);
}

/**
 * A component that follows a bulkhead's saturation: degraded while every slot is busy and a call
 * waits (or, with no queue, while every slot is busy), else healthy.
 */
export function healthFromBulkhead(bulkhead: BulkheadLike, config: PolicyHealthConfig = {}): HealthComponent {
  const { name, kind, critical, scheduler } = parse('health-from-bulkhead', bulkhead, config);
  const states$ = bulkhead.state$.pipe(
    map((state) => ({ status: (saturated(state) ? 'degraded' : 'healthy') as HealthStatus, details: state })),
    distinctUntilChanged((a, b) => a.status === b.status),
  );
  return asComponent(reports(states$, name, kind, critical, scheduler), name, kind, critical);
}

/** Every slot busy, and the next call would wait or be refused. */
export function saturated(state: BulkheadState): boolean {
  return state.active >= state.limit && (state.queued > 0 || state.maxQueued === 0);
}

export function breakerStatus(state: CircuitState): HealthStatus {
  return match(state)
    .with('closed', 'disabled', () => 'healthy' as const)
    .with('half-open', () => 'degraded' as const)
    .with('open', 'isolated', () => 'unhealthy' as const)
    .exhaustive();
}

function detailsOf(breaker: BreakerLike, state: CircuitState) {
  const stats = breaker.stats();
  // The window is cleared when the breaker opens: lastTrip keeps the rates that opened it.
  return { state, failureRate: stats.failureRate, nextAttemptAt: stats.nextAttemptAt, lastTrip: stats.lastTrip ?? null };
}

export function reports(
  states$: Observable<{ status: HealthStatus; details: unknown }>, name: string, kind: HealthKind, critical: boolean, scheduler: SchedulerLike,
): Observable<HealthReport> {
  return states$.pipe(
    scan((prev: HealthReport | undefined, { status, details }): HealthReport => {
      const at = scheduler.now();
      const since = prev !== undefined && prev.status === status ? prev.since : at;
      return { name, kind, critical, status, since, at, latency: undefined, details, error: undefined, failures: 0, successes: 0 };
    }, undefined),
    map((report) => report as HealthReport),
  );
}

export function parse(kindName: string, policy: { name: string; state$: unknown }, config: PolicyHealthConfig) {
  const check = checker(kindName);
  if (typeof policy !== 'function' && (typeof policy !== 'object' || policy === null)) check.fail('policy', policy, 'a policy with state$');
  if (typeof (policy.state$ as { subscribe?: unknown } | undefined)?.subscribe !== 'function') check.fail('policy', policy, 'a policy with state$');
  const c = check.object('', config, KEYS, true);
  const name = check.name('name', c.name) ?? policy.name;
  const kind = check.oneOf('kind', c.kind, HEALTH_KINDS, 'deep');
  return { name, kind, critical: check.flag('critical', c.critical, false), scheduler: resolveScheduler(check.scheduler('scheduler', c.scheduler)) };
}
