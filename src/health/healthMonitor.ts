/**
 * Health monitor: aggregates components into one `health$` and reports component transitions.
 *
 * State scope: factory call. `health$` is shared: the first subscriber subscribes every component
 * (starting their probes), later ones get the latest aggregate replayed, and when the last one
 * leaves every component is unsubscribed (probes and timers stop). `snapshot()` returns the latest
 * aggregate without subscribing. `transitions$` is hot and keeps `health$` running while observed.
 */
import { defer, merge, NEVER, Observable, ReplaySubject, scan, share, startWith, Subject, tap, type SchedulerLike } from 'rxjs';
import { resolveScheduler } from '../internal/clock.js';
import { brand } from '../internal/policy.js';
import { checker } from '../internal/validate.js';
import type { HealthComponent, HealthReport, HealthStatus, SystemHealth } from './types.js';

export interface HealthMonitorConfig {
  readonly components: readonly HealthComponent[];
  /** Clock for the aggregate's `at`. */
  readonly scheduler?: SchedulerLike;
}

/**
 * A component's status changed: `unhealthy` (to unhealthy), `degraded` (to degraded), `recovered`
 * (to healthy). A component's first report is a transition only when it is not healthy.
 */
export interface HealthTransition {
  readonly type: 'unhealthy' | 'degraded' | 'recovered';
  readonly component: string;
  readonly from: HealthStatus | undefined;
  readonly to: HealthStatus;
  /** Scheduler time. */
  readonly at: number;
  readonly report: HealthReport;
}

export interface HealthMonitor {
  /**
   * The aggregate: the all-pending one at subscription, then one per component report. Shared,
   * replays the latest; never completes.
   */
  readonly health$: Observable<SystemHealth>;
  /** Hot: component transitions, in the order their reports arrived (what alerts subscribe to). */
  readonly transitions$: Observable<HealthTransition>;
  /** The latest aggregate, synchronously (the all-pending one before anything ran). */
  snapshot(): SystemHealth;
  /** The components, as given. */
  readonly components: readonly HealthComponent[];
}

const KEYS = ['components', 'scheduler'];

export interface ParsedHealthMonitorConfig {
  readonly components: readonly HealthComponent[];
  /** The components' names, all different. */
  readonly names: ReadonlySet<string>;
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `healthMonitor()`'s config: an array of health components with distinct names. */
export function parseHealthMonitorConfig(config: unknown): ParsedHealthMonitorConfig {
  const check = checker('health-monitor');
  const c = check.object('', config, KEYS);
  if (!Array.isArray(c.components)) check.fail('components', c.components, 'an array of health components');
  const components = c.components as readonly HealthComponent[];
  const names = new Set<string>();
  components.forEach((component, i) => {
    if (typeof component?.subscribe !== 'function' || typeof component.name !== 'string' || component.name === '') {
      check.fail(`components.${i}`, component, 'a health component (an Observable of reports with name, kind and critical)');
    }
    if (names.has(component.name)) check.fail(`components.${i}.name`, component.name, 'a name no other component has');
    names.add(component.name);
  });
  return { components, names, scheduler: check.scheduler('scheduler', c.scheduler) };
}

/**
 * Builds a health monitor over `components`.
 *
 * ```ts
 * import { healthCheck, healthFromBreaker, healthMonitor } from 'rx-resilience';
 * const monitor = healthMonitor({ components: [healthCheck('db', ping), healthFromBreaker(breaker)] });
 * monitor.transitions$.subscribe((t) => t.type === 'unhealthy' ? alert(t.component) : resolve(t.component));
 * monitor.health$.subscribe((h) => console.log(h.status, Object.keys(h.components)));
 * ```
 * @throws ConfigError when a component is not one, or two share a name.
 */
export function healthMonitor(config: HealthMonitorConfig): HealthMonitor {
  const { components, names, ...c } = parseHealthMonitorConfig(config);
  const scheduler = resolveScheduler(c.scheduler);
  const transitions = new Subject<HealthTransition>();
  const pendingAll = (): SystemHealth => ({ status: 'healthy', at: scheduler.now(), components: {}, pending: [...names] });
  let latest: SystemHealth | undefined;

  // A transition is emitted after the aggregate that contains it is stored: a listener that reads
  // `snapshot()` sees the report the transition is about.
  let transition: HealthTransition | undefined;
  const health$ = defer(() => {
    const start = pendingAll();
    return merge(...components, NEVER).pipe(
      scan((prev: SystemHealth, report: HealthReport) => {
        const before = prev.components[report.name];
        if (transitions.observed && before?.status !== report.status) transition = transitionOf(before?.status, report);
        return aggregate(prev, report, scheduler.now());
      }, start),
      startWith(start),
    );
  }).pipe(
    tap((health) => {
      latest = health;
      const t = transition;
      transition = undefined;
      if (t !== undefined) transitions.next(t);
    }),
    share({ connector: () => new ReplaySubject<SystemHealth>(1), resetOnError: true, resetOnComplete: true, resetOnRefCountZero: true }),
  );

  const transitions$ = new Observable<HealthTransition>((subscriber) => {
    subscriber.add(transitions.subscribe(subscriber));
    subscriber.add(health$.subscribe({ error: (e: unknown) => subscriber.error(e) }));
  });

  const monitor = { health$, transitions$, components, snapshot: () => (latest ??= pendingAll()) };
  return brand(monitor, { kind: 'health-monitor', state: ['health$'], streams: ['transitions$'], controls: ['snapshot'] });
}

function transitionOf(from: HealthStatus | undefined, report: HealthReport): HealthTransition | undefined {
  if (from === undefined && report.status === 'healthy') return undefined;
  const type = report.status === 'healthy' ? 'recovered' : report.status;
  return { type, component: report.name, from, to: report.status, at: report.at, report };
}

/** The aggregate after one report; the overall rule is documented on `SystemHealth.status`. */
export function aggregate(prev: SystemHealth, report: HealthReport, at: number): SystemHealth {
  const components = { ...prev.components, [report.name]: report };
  const pending = prev.pending.includes(report.name) ? prev.pending.filter((n) => n !== report.name) : prev.pending;
  return { status: overallStatus(Object.values(components)), at, components, pending };
}

export function overallStatus(reports: readonly HealthReport[]): HealthStatus {
  let status: HealthStatus = 'healthy';
  for (const r of reports) {
    if (r.status === 'unhealthy' && r.critical) return 'unhealthy';
    if (r.status !== 'healthy') status = 'degraded';
  }
  return status;
}
