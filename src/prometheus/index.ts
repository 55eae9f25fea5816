/**
 * rx-resilience/prometheus: Prometheus metrics (prom-client) kept from the policies' streams.
 * The only module that imports prom-client; it reaches the library through its public names.
 */
import { register as globalRegistry, type Registry } from 'prom-client';
import type {
  AdaptiveConcurrency,
  AdaptiveRateLimiter,
  AdaptiveThrottle,
  Bulkhead,
  Cache,
  CircuitBreaker,
  Fallback,
  FallbackLadder,
  Hedge,
  RateLimiter,
  RetryBackoff,
  RetryBudget,
  TimeLimit,
} from '../index.js';
import { ConfigError } from '../index.js';
import { bindBreaker } from './breaker.js';
import { bindBulkhead } from './bulkhead.js';
import { bindCache, bindHedge } from './cacheHedge.js';
import { Families } from './families.js';
import { bindFallback, bindFallbackLadder } from './fallback.js';
import { bindFleet, isFleet } from './fleet.js';
import { bindHealthMonitor, bindOperationMode, isHealthMonitor, isOperationMode } from './health.js';
import { policyKind, type PolicyKind } from './kinds.js';
import { bindLimiter, bindThrottle } from './limiter.js';
import { bindRegistry, isRegistry } from './registry.js';
import { bindRetry, bindRetryBudget } from './retry.js';
import { bindTimeLimit } from './timeLimit.js';

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
   * Keeps metrics for a policy (any of the library's), every policy of a `resilienceRegistry()`
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

const KEYS = ['registry', 'prefix', 'buckets'];
const PREFIX = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/;
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Binder = (target: never, families: Families) => () => void;

/** Binder per kind, and the group of families it writes (two watched objects may not share a group and a name). */
const BINDERS: Readonly<Record<PolicyKind, readonly [string, Binder]>> = {
  'circuit-breaker': ['breaker', (p: CircuitBreaker, f) => bindBreaker(p, f)],
  retry: ['retry', (p: RetryBackoff, f) => bindRetry(p, f)],
  'retry-budget': ['retry-budget', (p: RetryBudget, f) => bindRetryBudget(p, f)],
  'time-limit': ['time-limit', (p: TimeLimit, f) => bindTimeLimit(p, f)],
  fallback: ['fallback', (p: Fallback<unknown>, f) => bindFallback(p, f)],
  'fallback-ladder': ['fallback', (p: FallbackLadder<unknown>, f) => bindFallbackLadder(p, f)],
  bulkhead: ['bulkhead', (p: Bulkhead, f) => bindBulkhead(p, f)],
  'adaptive-concurrency': ['bulkhead', (p: AdaptiveConcurrency, f) => bindBulkhead(p, f, true)],
  'rate-limiter': ['limiter', (p: RateLimiter, f) => bindLimiter(p, f)],
  'adaptive-rate-limit': ['limiter', (p: AdaptiveRateLimiter, f) => bindLimiter(p, f)],
  'adaptive-throttle': ['limiter', (p: AdaptiveThrottle, f) => bindThrottle(p, f)],
  cache: ['cache', (p: Cache, f) => bindCache(p, f)],
  hedge: ['hedge', (p: Hedge, f) => bindHedge(p, f)],
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
  const c = parseConfig(config);
  const families = new Families(c);
  const watched = new Map<unknown, () => void>();
  const names = new Map<string, unknown>();

  const bind = (target: unknown, known?: PolicyKind): (() => void) => {
    const existing = watched.get(target);
    if (existing !== undefined) return existing;
    const kind = known ?? policyKind(target);
    let group: string;
    let binder: () => () => void;
    if (kind !== undefined) {
      const [g, b] = BINDERS[kind];
      group = g;
      binder = () => b(target as never, families);
    } else if (isHealthMonitor(target)) {
      group = `health-monitor`;
      binder = () => bindHealthMonitor(target, families);
    } else if (isRegistry(target)) {
      group = 'registry';
      binder = () => bindRegistry(target, bindRegistered);
    } else if (isOperationMode(target)) {
      group = 'operation-mode';
      binder = () => bindOperationMode(target, families);
    } else if (isFleet(target)) {
      group = 'fleet';
      binder = () => bindFleet(target, families);
    } else {
      throw new ConfigError('prometheus', 'watch', target, 'a policy built by rx-resilience, a resilienceRegistry(), a healthMonitor(), an operationMode(), a fleetControl(), or an array of them');
    }
    // Components and registered policies carry their own names; monitors and registries are told apart by identity only.
    const key = group === 'health-monitor' || group === 'registry' ? undefined : `${group}\u0000${(target as { name: string }).name}`;
    if (key !== undefined && names.has(key)) {
      throw new ConfigError('prometheus', 'watch', target, `a policy whose name is not already watched in the same metric families (${(target as { name: string }).name})`);
    }
    const release = binder();
    let done = false;
    const unwatch = () => {
      if (done) return;
      done = true;
      release();
      watched.delete(target);
      if (key !== undefined) names.delete(key);
    };
    watched.set(target, unwatch);
    if (key !== undefined) names.set(key, target);
    return unwatch;
  };

  /** A registered policy: skipped when its kind has no metrics or it is already watched on its own. */
  const bindRegistered = (policy: unknown, kind: string): (() => void) | undefined => {
    if (!(kind in BINDERS) || watched.has(policy)) return undefined;
    const known = kind as PolicyKind;
    if (names.has(`${BINDERS[known][0]}\u0000${(policy as { name: string }).name}`)) return undefined;
    return bind(policy, known);
  };

  return {
    watch(target: unknown): () => void {
      if (!Array.isArray(target)) return bind(target);
      const undo: (() => void)[] = [];
      try {
        for (const t of target) undo.push(bind(t));
      } catch (e) {
        undo.forEach((u) => u());
        throw e;
      }
      return () => undo.forEach((u) => u());
    },
    metrics: () => c.registry.metrics(),
    contentType: c.registry.contentType,
    exposition: async () => ({ contentType: c.registry.contentType, body: await c.registry.metrics() }),
    registry: c.registry,
  };
}

function parseConfig(config: PrometheusMetricsConfig): { registry: Registry; prefix: string; buckets: readonly number[] } {
  const fail = (field: string, value: unknown, allowed: string): never => {
    throw new ConfigError('prometheus', field, value, allowed);
  };
  if (typeof config !== 'object' || config === null || Array.isArray(config)) fail('', config, 'an object');
  for (const key of Object.keys(config)) if (!KEYS.includes(key)) fail(key, (config as Record<string, unknown>)[key], `one of the keys ${KEYS.join(', ')}`);
  const registry = config.registry ?? globalRegistry;
  if (typeof registry !== 'object' || registry === null || typeof registry.getSingleMetric !== 'function' || typeof registry.metrics !== 'function') {
    fail('registry', registry, 'a prom-client Registry');
  }
  const prefix = config.prefix ?? 'resilience_';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) fail('prefix', prefix, 'a string of letters, digits, _ and : not starting with a digit');
  const buckets = config.buckets ?? DEFAULT_BUCKETS;
  const sorted = Array.isArray(buckets) && buckets.length > 0 && buckets.every((b, i) => typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > (buckets[i - 1] as number)));
  if (!sorted) fail('buckets', buckets, 'a non-empty array of increasing finite numbers > 0 (seconds)');
  return { registry, prefix, buckets };
}
