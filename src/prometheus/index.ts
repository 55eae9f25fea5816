/**
 * rx-resilience/prometheus: Prometheus metrics (prom-client) kept from the policies' streams.
 * The only module that imports prom-client; it reaches the policies through their public names
 * (and the kernel only for config checking, in config.ts).
 */
import type { Registry } from 'prom-client';
import type {
  AdaptiveConcurrency,
  AdaptiveRateLimiter,
  AdaptiveThrottle,
  Bulkhead,
  Cache,
  Chaos,
  CircuitBreaker,
  Fallback,
  FallbackLadder,
  Hedge,
  Pipeline,
  RateLimiter,
  RetryBackoff,
  RetryBudget,
  TimeLimit,
} from '../index.js';
import { ConfigError, resilienceKind, type ResilienceKind } from '../index.js';
import { bindBreaker } from './breaker.js';
import { parsePrometheusMetricsConfig } from './config.js';
import { bindBulkhead } from './bulkhead.js';
import { bindChaos } from './chaos.js';
import { bindCache, bindHedge } from './cacheHedge.js';
import { claim, Families, GROUP_FAMILIES } from './families.js';
import { bindFallback, bindFallbackLadder } from './fallback.js';
import { bindFleet, type WatchedFleet } from './fleet.js';
import { bindHealthMonitor, bindOperationMode, type WatchedHealthMonitor, type WatchedOperationMode } from './health.js';
import { bindLimiter, bindThrottle } from './limiter.js';
import { bindRegistry, type WatchedRegistry } from './registry.js';
import { bindRetry, bindRetryBudget } from './retry.js';
import { bindTimeLimit } from './timeLimit.js';

export { DEFAULT_BUCKETS } from './config.js';
export { ALL_METRICS, METRICS, seriesNames } from './names.js';
export type { MetricSpec, MetricType } from './names.js';
export type { WatchedHealthMonitor, WatchedOperationMode } from './health.js';
export type { WatchedRegistry } from './registry.js';
export type { WatchedFleet } from './fleet.js';

export interface PrometheusMetricsConfig {
  /** Where the metrics live. Default: prom-client's global `register`. */
  readonly registry?: Registry;
  /** Prepended to every metric name. Default `'resilience_'`. */
  readonly prefix?: string;
  /** Buckets of the duration histograms, in seconds. Default prom-client's (5 ms … 10 s). */
  readonly buckets?: readonly number[];
}

export interface PrometheusMetrics {
  /**
   * Keeps metrics for a policy (any of the library's; a `pipeline()`: each of its parts), every policy of a `resilienceRegistry()`
   * (following registrations and reloads), a `healthMonitor()`, an `operationMode()` or a
   * `fleetControl()` (`rx-resilience/redis`: the states it imposes on breakers), or an
   * array of them; returns the function that stops, unsubscribing and
   * removing the series it added. Watching the same object again returns the same function.
   */
  watch(target: unknown): () => void;
  /** The registry's text exposition, for a `/metrics` handler. */
  metrics(): Promise<string>;
  /** The content type of `metrics()`. */
  readonly contentType: string;
  /** Both at once, for the `metrics` option of the HTTP endpoints (`healthEndpoints({ metrics: exporter.exposition })`). */
  exposition(): Promise<{ readonly contentType: string; readonly body: string }>;
  readonly registry: Registry;
}

/** Binds a registered policy of a watched registry: its release, or undefined when it gets no series of its own. */
type BindRegistered = (policy: unknown, kind: string) => (() => void) | undefined;
type Binder = (target: never, families: Families, registered: BindRegistered) => () => void;

type PolicyBinding = readonly [readonly string[], Binder];

/**
 * Binder per policy kind (every policy kind the library's descriptors name), and the family groups
 * it writes (two watched objects may not share a group and a name). Health monitors, operation
 * modes and registries are bound apart: their names are claimed differently. A pipeline has no
 * series of its own: watching it watches each of its parts.
 */
const BINDERS: Readonly<Record<Exclude<ResilienceKind, 'health-monitor' | 'operation-mode' | 'registry' | 'fleet-control' | 'pipeline' | 'chaos-experiment'>, PolicyBinding>> = {
  'circuit-breaker': [['breaker'], (p: CircuitBreaker, f) => bindBreaker(p, f)],
  retry: [['retry'], (p: RetryBackoff, f) => bindRetry(p, f)],
  'retry-budget': [['retry-budget'], (p: RetryBudget, f) => bindRetryBudget(p, f)],
  'time-limit': [['time-limit'], (p: TimeLimit, f) => bindTimeLimit(p, f)],
  fallback: [['fallback'], (p: Fallback<unknown>, f) => bindFallback(p, f)],
  'fallback-ladder': [['fallback'], (p: FallbackLadder<unknown, unknown>, f) => bindFallbackLadder(p, f)],
  bulkhead: [['bulkhead'], (p: Bulkhead, f) => bindBulkhead(p, f)],
  'adaptive-concurrency': [['bulkhead', 'adaptive-limit'], (p: AdaptiveConcurrency, f) => bindBulkhead(p, f, true)],
  'rate-limiter': [['limiter'], (p: RateLimiter, f) => bindLimiter(p, f)],
  'adaptive-rate-limit': [['limiter', 'adaptive-limit'], (p: AdaptiveRateLimiter, f) => bindLimiter(p, f)],
  'adaptive-throttle': [['limiter'], (p: AdaptiveThrottle, f) => bindThrottle(p, f)],
  cache: [['cache'], (p: Cache, f) => bindCache(p, f)],
  hedge: [['hedge'], (p: Hedge, f) => bindHedge(p, f)],
  chaos: [['chaos'], (p: Chaos, f) => bindChaos(p, f)],
};

/**
 * Builds a Prometheus exporter on a prom-client registry. Counters and histograms are fed from the
 * watched policies' `events$`; gauges of current state are read from `stats()` when the registry
 * is scraped, so nothing runs between scrapes. Families are looked up in the registry before they
 * are created: many policies share one family, told apart by the `name` label.
 *
 * ```ts
 * import { Registry } from 'prom-client';
 * import { prometheusMetrics } from 'rx-resilience/prometheus';
 * const exporter = prometheusMetrics({ registry: new Registry() });
 * const unwatch = exporter.watch([breaker, retry, pool]);
 * http.createServer(async (_, res) => res.setHeader('content-type', exporter.contentType).end(await exporter.metrics()));
 * // resilience_circuit_breaker_state{name="payments",state="open"} 1 …
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function prometheusMetrics(config: PrometheusMetricsConfig = {}): PrometheusMetrics {
  const c = parsePrometheusMetricsConfig(config);
  const families = new Families(c);
  const watched = new Map<unknown, () => void>();
  const exporter = {};
  /** Claims `name` in `groups` or throws a ConfigError naming the policy and the families. */
  const claimOrFail = (groups: readonly string[], name: string): (() => void) => {
    const result = claim(c, groups, name, exporter);
    if (typeof result === 'function') return result;
    const families = GROUP_FAMILIES[result.group]!.split(', ').map((f) => c.prefix + f).join(', ');
    throw new ConfigError('prometheus', 'watch', name, `a name not watched yet in the families ${families} of this registry (${name} is, by ${result.mine ? 'this' : 'another'} exporter)`);
  };

  const bind = (target: unknown, known?: ResilienceKind): (() => void) => {
    const existing = watched.get(target);
    if (existing !== undefined) return existing;
    const kind = known ?? resilienceKind(target);
    let release: () => void;
    if (kind === 'health-monitor') {
      const monitor = target as WatchedHealthMonitor;
      // A monitor's components are claimed up front, so a clash is refused here, not at a report.
      const listed = Array.isArray(monitor.components) ? monitor.components.map((component) => component.name) : [];
      const unclaims: (() => void)[] = [];
      try {
        for (const name of new Set(listed)) unclaims.push(claimOrFail(['health'], name));
      } catch (e) {
        unclaims.forEach((u) => u());
        throw e;
      }
      const unclaim = () => unclaims.forEach((u) => u());
      release = bindOrUndo(() => bindHealthMonitor(monitor, families, (name) => (listed.includes(name) ? true : claim(c, ['health'], name, exporter))), unclaim);
    } else if (kind === 'pipeline') {
      release = bindAll(Object.values((target as Pipeline).parts));
    } else if (kind === 'registry') {
      release = bindRegistry(target as WatchedRegistry, bindRegistered);
    } else if (kind === 'fleet-control') {
      const fleet = target as WatchedFleet;
      const unclaim = claimOrFail(['fleet'], fleet.name);
      release = bindOrUndo(() => bindFleet(fleet, families), unclaim);
    } else if (kind === 'operation-mode') {
      const mode = target as WatchedOperationMode;
      const unclaim = claimOrFail(['mode'], mode.name);
      release = bindOrUndo(() => bindOperationMode(mode, families), unclaim);
    } else if (kind !== undefined && kind !== 'chaos-experiment') {
      const [groups, binder] = BINDERS[kind];
      const unclaim = claimOrFail(groups, (target as { name: string }).name);
      release = bindOrUndo(() => binder(target as never, families, bindRegistered), unclaim);
    } else {
      throw new ConfigError('prometheus', 'watch', target, 'a policy built by rx-resilience, a resilienceRegistry(), a healthMonitor(), an operationMode(), a fleetControl(), or an array of them');
    }
    let done = false;
    const unwatch = () => {
      if (done) return;
      done = true;
      release();
      watched.delete(target);
    };
    watched.set(target, unwatch);
    return unwatch;
  };

  /**
   * A registered policy: skipped when its kind has no metrics, or its name is already watched in
   * its families (on its own, or by another exporter), or binding it fails: a registration must
   * never throw inside the registry's stream.
   */
  const bindRegistered: BindRegistered = (policy, kind) => {
    if (!(kind in BINDERS) || watched.has(policy)) return undefined;
    try {
      return bind(policy, kind as ResilienceKind);
    } catch {
      return undefined;
    }
  };

  /** Binds every target, or none: when one fails, the ones bound before it are released. */
  function bindAll(targets: readonly unknown[]): () => void {
    const undo: (() => void)[] = [];
    try {
      for (const t of targets) undo.push(bind(t));
    } catch (e) {
      undo.forEach((u) => u());
      throw e;
    }
    return () => undo.forEach((u) => u());
  }

  return {
    watch: (target: unknown): (() => void) => (Array.isArray(target) ? bindAll(target) : bind(target)),
    metrics: () => c.registry.metrics(),
    contentType: c.registry.contentType,
    exposition: async () => ({ contentType: c.registry.contentType, body: await c.registry.metrics() }),
    registry: c.registry,
  };
}

/** Runs `binder`; when it throws, gives the claims back. Returns the binding's release plus the claims'. */
function bindOrUndo(binder: () => () => void, unclaim: () => void): () => void {
  let release: () => void;
  try {
    release = binder();
  } catch (e) {
    unclaim();
    throw e;
  }
  return () => {
    release();
    unclaim();
  };
}
