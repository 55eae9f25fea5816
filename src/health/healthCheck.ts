/**
 * Health check: a probe run periodically on the scheduler, each run under a time limit, its
 * verdicts folded through exact hysteresis into reports.
 *
 * State scope: subscription. The returned component is cold; each subscription runs its own
 * probes with its own counters (a monitor shares one subscription among its consumers), and
 * unsubscribing cancels the running probe and the timer.
 */
import { defer, exhaustMap, from, map, materialize, Observable, scan, take, timer, type ObservableInput, type SchedulerLike } from 'rxjs';
import { resolveScheduler } from '../internal/clock.js';
import { checker } from '../internal/validate.js';
import { timeLimit } from '../time/timeLimit.js';
import { INITIAL_HYSTERESIS, stepHysteresis, type HysteresisState, type ProbeVerdict } from './hysteresis.js';
import { asComponent, HEALTH_KINDS, type HealthComponent, type HealthKind, type HealthReport, type HealthStatus } from './types.js';

export interface HealthCheckConfig {
  /** Time between the starts of two probes, ms. Default 30 000. The first probe runs at subscription. */
  readonly interval?: number;
  /** A probe not settled within this many ms fails with `TimeLimitError`. Default min(10 000, interval); at most `interval`. */
  readonly timeLimit?: number;
  /** Consecutive failed probes that make the component unhealthy. Default 3. */
  readonly failureThreshold?: number;
  /** Consecutive passing probes that end an unhealthy spell. Default 2. */
  readonly recoveryThreshold?: number;
  /** Default `'readiness'`. */
  readonly kind?: HealthKind;
  /** Default true: an unhealthy check puts the default operation mode in EMERGENCY. */
  readonly critical?: boolean;
  readonly scheduler?: SchedulerLike;
}

/**
 * What a probe may return (as an Observable's first value or a Promise's result): `false` fails;
 * an object with `status` (`'healthy' | 'degraded' | 'unhealthy'`) and optional `details` gives
 * that verdict (`'unhealthy'` fails); anything else passes as healthy and becomes `details`. An
 * error, a throw, or no settlement within the time limit fails. Completing empty passes.
 */
export type ProbeResult = boolean | { readonly status: HealthStatus; readonly details?: unknown } | unknown;

const KEYS = ['interval', 'timeLimit', 'failureThreshold', 'recoveryThreshold', 'kind', 'critical', 'scheduler'];

export interface ParsedHealthCheckConfig {
  readonly name: string;
  readonly probe: () => ObservableInput<ProbeResult>;
  readonly interval: number;
  readonly timeLimit: number;
  readonly failureThreshold: number;
  readonly recoveryThreshold: number;
  readonly kind: HealthKind;
  readonly critical: boolean;
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `healthCheck()`'s arguments and config: `timeLimit` <= `interval`, with their defaults. */
export function parseHealthCheckConfig(name: unknown, probe: unknown, config: unknown): ParsedHealthCheckConfig {
  checker('health-check').name('name', name);
  const check = checker(name as string);
  const c = check.object('', config, KEYS, true);
  if (typeof probe !== 'function') check.fail('probe', probe, 'a function returning an Observable or a Promise');
  const interval = check.duration('interval', c.interval, 30_000);
  const limit = check.duration('timeLimit', c.timeLimit, Math.min(10_000, interval));
  if (limit > interval) check.fail('timeLimit', limit, `a duration <= interval (${interval})`);
  return {
    name: name as string,
    probe: probe as () => ObservableInput<ProbeResult>,
    interval,
    timeLimit: limit,
    failureThreshold: check.integer('failureThreshold', c.failureThreshold, 3),
    recoveryThreshold: check.integer('recoveryThreshold', c.recoveryThreshold, 2),
    kind: check.oneOf('kind', c.kind, HEALTH_KINDS, 'readiness'),
    critical: check.flag('critical', c.critical, true),
    scheduler: check.scheduler('scheduler', c.scheduler),
  };
}

/**
 * Builds a health check component: runs `probe` every `interval` on the scheduler, each run under
 * `timeLimit`, and emits a report after every probe. `failureThreshold` consecutive failures make
 * it unhealthy; `recoveryThreshold` consecutive passes make it recover (the first probe sets the
 * status directly).
 *
 * ```text
 * probe verdicts (interval 10):  ok  ok  ✗   ✗   ✗   ok  ok
 * time:                          0   10  20  30  40  50  60
 * status (failure 3, recovery 2): H   H   H   H   U   U   H
 * ```
 *
 * ```ts
 * import { healthCheck } from 'rx-resilience';
 * const db = healthCheck('database', () => pool.query('select 1'), { interval: 5_000, timeLimit: 1_000 });
 * db.subscribe((r) => console.log(r.status, r.latency)); // 'healthy' 3, 'healthy' 2, …
 * ```
 * @throws ConfigError when the name or the config is invalid.
 */
export function healthCheck(name: string, probe: () => ObservableInput<ProbeResult>, config: HealthCheckConfig = {}): HealthComponent {
  const { interval, timeLimit: limit, failureThreshold, recoveryThreshold, kind, critical, ...c } = parseHealthCheckConfig(name, probe, config);
  const scheduler = resolveScheduler(c.scheduler);
  const limiter = timeLimit({ name, duration: limit, scheduler });

  const runProbe = (): Observable<Probed> => defer(() => {
    const start = scheduler.now();
    return defer(() => from(probe())).pipe(
      take(1),
      limiter,
      materialize(),
      take(1),
      map((n): Probed => ({ ...judge(n.kind === 'E' ? { failed: n.error } : { value: n.kind === 'N' ? n.value : undefined }), latency: scheduler.now() - start })),
    );
  });

  const initial: Folded = { ...INITIAL_HYSTERESIS, since: 0, report: undefined };
  const report$ = timer(0, interval, scheduler).pipe(
    exhaustMap(runProbe),
    scan((prev: Folded, probed: Probed): Folded => {
      const at = scheduler.now();
      const next = stepHysteresis(prev, probed.verdict, failureThreshold, recoveryThreshold);
      const since = next.status === prev.status ? prev.since : at;
      const report: HealthReport = {
        name, kind, critical, status: next.status ?? 'unhealthy', since, at,
        latency: probed.latency, details: probed.details, error: probed.error, failures: next.failures, successes: next.successes,
      };
      return { ...next, since, report };
    }, initial),
    map((folded) => folded.report as HealthReport),
  );
  return asComponent(report$, name, kind, critical);
}

interface Probed {
  readonly verdict: ProbeVerdict;
  readonly details: unknown;
  readonly error: unknown;
  readonly latency: number;
}

interface Folded extends HysteresisState {
  readonly since: number;
  readonly report: HealthReport | undefined;
}

function judge(outcome: { failed: unknown } | { value: unknown }): Omit<Probed, 'latency'> {
  if ('failed' in outcome) return { verdict: 'failed', details: undefined, error: outcome.failed };
  const value = outcome.value;
  if (value === false) return { verdict: 'failed', details: undefined, error: undefined };
  if (value === true) return { verdict: 'healthy', details: undefined, error: undefined };
  if (typeof value === 'object' && value !== null && 'status' in value) {
    const { status, details } = value as { status: unknown; details?: unknown };
    if (status === 'healthy' || status === 'degraded') return { verdict: status, details, error: undefined };
    if (status === 'unhealthy') return { verdict: 'failed', details, error: undefined };
  }
  return { verdict: 'healthy', details: value, error: undefined };
}
