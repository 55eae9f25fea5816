/**
 * Health and operation mode binders. A monitor's `health$` and a mode's `mode$` are state streams:
 * the binder keeps their latest value and the gauges read it on scrape; status changes of
 * components are counted from `transitions$`. Watching a monitor subscribes to it, which runs its
 * probes (a monitor shares one subscription among all its consumers).
 */
import type { Observable } from 'rxjs';
import { Binding, type Families } from './families.js';
import { HEALTH } from './names.js';


type Status = 'healthy' | 'degraded' | 'unhealthy';
type Mode = 'NORMAL' | 'DEGRADED' | 'EMERGENCY';

/** What the binder reads of a `healthMonitor()`. */
export interface WatchedHealthMonitor {
  readonly health$: Observable<{ readonly components: Readonly<Record<string, { readonly status: Status }>> }>;
  readonly transitions$: Observable<{ readonly component: string; readonly to: Status }>;
  /** The components, claimed by name when watching starts. */
  readonly components?: readonly { readonly name: string }[];
}

/** A component name may get series: `true` (claimed up front), its claim's release, or refused (someone else holds it). */
export type AdmitComponent = (name: string) => true | (() => void) | { readonly group: string };

/** What the binder reads of an `operationMode()`. */
export interface WatchedOperationMode {
  readonly name: string;
  readonly mode$: Observable<{ readonly mode: Mode }>;
}

const STATUSES: readonly Status[] = ['healthy', 'degraded', 'unhealthy'];
const STATUS_CODE: Readonly<Record<Status, number>> = { healthy: 0, degraded: 1, unhealthy: 2 };
const MODES: readonly Mode[] = ['NORMAL', 'DEGRADED', 'EMERGENCY'];
const MODE_CODE: Readonly<Record<Mode, number>> = { NORMAL: 0, DEGRADED: 1, EMERGENCY: 2 };

/**
 * One binding per component; the series of a component appear once it has reported. A component
 * not listed in `components` is claimed when it first reports; one whose name is held elsewhere
 * gets no series (it cannot be refused from inside the monitor's stream).
 */
export function bindHealthMonitor(monitor: WatchedHealthMonitor, families: Families, admit: AdmitComponent): () => void {
  const bindings = new Map<string, Binding | undefined>();
  const claims: (() => void)[] = [];
  let latest: Readonly<Record<string, { readonly status: Status }>> = {};
  const component = (name: string): Binding | undefined => {
    if (bindings.has(name)) return bindings.get(name);
    const admitted = admit(name);
    if (typeof admitted === 'function') claims.push(admitted);
    let b: Binding | undefined;
    if (admitted === true || typeof admitted === 'function') {
      b = new Binding(families, name);
      // Own keys only: a component named `constructor` that has not reported has no status.
      const status = () => (Object.hasOwn(latest, name) ? latest[name]?.status : undefined);
      b.gauge(HEALTH.status, (set) => {
        const s = status();
        if (s !== undefined) for (const each of STATUSES) set(each === s ? 1 : 0, { status: each });
      });
      b.gauge(HEALTH.statusCode, (set) => {
        const s = status();
        if (s !== undefined) set(STATUS_CODE[s]);
      });
      for (const to of STATUSES) b.counter(HEALTH.transitions, { to });
    }
    bindings.set(name, b);
    return b;
  };
  // Listed components get their transition series at 0 now, before their first report.
  if (Array.isArray(monitor.components)) for (const c of monitor.components) component(c.name);
  const subscriptions = [
    monitor.health$.subscribe((h) => {
      latest = h.components;
      for (const name of Object.keys(h.components)) component(name);
    }),
    monitor.transitions$.subscribe((t) => component(t.component)?.counter(HEALTH.transitions, { to: t.to }).inc()),
  ];
  return () => {
    for (const s of subscriptions) s.unsubscribe();
    for (const b of bindings.values()) b?.release();
    bindings.clear();
    claims.splice(0).forEach((release) => release());
  };
}

export function bindOperationMode(mode: WatchedOperationMode, families: Families): () => void {
  const b = new Binding(families, mode.name);
  let current: Mode | undefined;
  b.hold(mode.mode$.subscribe((m) => (current = m.mode)));
  b.gauge(HEALTH.mode, (set) => {
    // Label values are snake_case: `normal` for the mode `NORMAL`.
    if (current !== undefined) for (const each of MODES) set(each === current ? 1 : 0, { mode: each.toLowerCase() });
  });
  b.gauge(HEALTH.modeCode, (set) => {
    if (current !== undefined) set(MODE_CODE[current]);
  });
  return () => b.release();
}
