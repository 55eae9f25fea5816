/**
 * Metric families in one prom-client registry, shared by every policy watched on it, and the
 * bookkeeping of one watched policy (its series, its gauge readers, its subscriptions), so that
 * unwatching removes exactly what watching added.
 *
 * A family is looked up in the registry before it is created, so many policies (and many
 * exporters on one registry) share it with different `name` labels. Gauges are pulled: each gauge
 * family reads its current values in prom-client's `collect()`, on scrape, from the readers the
 * bindings attached to it; a few counters of totals that a policy keeps without events are pulled
 * the same way.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Subscription } from 'rxjs';
import type { LatencySummary } from '../index.js';
import type { MetricSpec } from './names.js';

type Labels = Record<string, string>;
type Reader = () => void;
type AnyMetric = Counter<string> | Gauge<string> | Histogram<string>;
interface MetricConfig {
  name: string;
  help: string;
  labelNames: string[];
  registers: Registry[];
  collect: () => void;
}

/**
 * What the library keeps on prom-client's own objects, under `Symbol.for` keys, so that every copy
 * of the library in the process (an ES module and a CommonJS copy side by side) shares it: two
 * copies' exporters on one registry share its families and see each other's claims.
 */
const FAMILY = Symbol.for('rx-resilience/prometheus-family');
const CLAIMS = Symbol.for('rx-resilience/prometheus-claims');

/**
 * On each family the library created: its spec (to tell it from a foreign metric of the same
 * name) and its readers, run on scrape (any exporter that finds the family adds its readers here).
 */
interface FamilyMark {
  readonly spec: MetricSpec;
  readonly readers: Set<Reader>;
}

const markOf = (metric: object): FamilyMark | undefined => (metric as { [FAMILY]?: FamilyMark })[FAMILY];
const keep = <V>(target: object, key: symbol, value: V): V => {
  Object.defineProperty(target, key, { value, configurable: true });
  return value;
};

export interface FamilyOptions {
  readonly registry: Registry;
  readonly prefix: string;
  /** Histogram buckets, in seconds. */
  readonly buckets: readonly number[];
}

/** The families of one exporter: the registry, the prefix and the buckets it applies. */
export class Families {
  constructor(readonly options: FamilyOptions) {}

  counter(spec: MetricSpec): Counter<string> {
    return this.family(spec, 'counter', (config) => new Counter(config)) as Counter<string>;
  }

  gauge(spec: MetricSpec): Gauge<string> {
    return this.family(spec, 'gauge', (config) => new Gauge(config)) as Gauge<string>;
  }

  histogram(spec: MetricSpec): Histogram<string> {
    return this.family(spec, 'histogram', (config) => new Histogram({ ...config, buckets: [...this.options.buckets] })) as Histogram<string>;
  }

  /** The readers a family runs on scrape (prom-client's `collect()`). */
  readers(metric: object): Set<Reader> {
    return markOf(metric)!.readers;
  }

  private family(spec: MetricSpec, type: MetricSpec['type'], create: (config: MetricConfig) => AnyMetric): AnyMetric {
    if (spec.type !== type) throw new TypeError(`${spec.name} is a ${spec.type}, not a ${type}`);
    const name = this.options.prefix + spec.name;
    const found = this.options.registry.getSingleMetric(name);
    if (found !== undefined) {
      const ours = markOf(found)?.spec;
      if (ours === undefined || ours.name !== spec.name || ours.type !== spec.type) {
        throw new Error(`prometheusMetrics: the registry already holds a metric named ${name} that rx-resilience did not create`);
      }
      return found as AnyMetric;
    }
    const readers = new Set<Reader>();
    const metric = create({ name, help: spec.help, labelNames: [...spec.labels], registers: [this.options.registry], collect: () => readers.forEach((read) => read()) });
    keep<FamilyMark>(metric, FAMILY, { spec, readers });
    return metric;
  }
}

/**
 * What one watched policy added to the registry. Series are created (at zero, so that `rate()`
 * works from the first scrape) through `counter`/`histogram`/`gauge` and removed by `release()`.
 */
export class Binding {
  private readonly series: { metric: AnyMetric; labels: Labels }[] = [];
  private readonly seen = new Set<string>();
  private readonly readers: { set: Set<Reader>; read: Reader }[] = [];
  private readonly subscriptions: Subscription[] = [];

  constructor(readonly families: Families, readonly name: string) {}

  /** The counter child for these labels (plus `name`), created at zero. */
  counter(spec: MetricSpec, labels: Labels = {}): Counter.Internal {
    const metric = this.families.counter(spec);
    const all = this.track(metric, spec, labels);
    const child = metric.labels(all);
    child.inc(0);
    return child;
  }

  /** The histogram child for these labels (plus `name`), every bucket at zero. */
  histogram(spec: MetricSpec, labels: Labels = {}): Histogram.Internal<string> {
    const metric = this.families.histogram(spec);
    const all = this.track(metric, spec, labels);
    metric.zero(all);
    return metric.labels(all);
  }

  /** Reads this policy's values into the gauge family on every scrape. */
  gauge(spec: MetricSpec, read: (set: (value: number, labels?: Labels) => void) => void): void {
    const metric = this.families.gauge(spec);
    const set = (value: number, labels: Labels = {}) => metric.set(this.track(metric, spec, labels), value);
    this.onScrape(metric, () => read(set));
  }

  /** p50, p90 and p99 of a policy's latency summary, in seconds, as `quantile` series on every scrape; none while it has none. */
  latency(spec: MetricSpec, read: () => LatencySummary | undefined): void {
    this.gauge(spec, (set) => {
      const latency = read();
      if (latency === undefined) return;
      set(latency.p50 / 1_000, { quantile: '0.5' });
      set(latency.p90 / 1_000, { quantile: '0.9' });
      set(latency.p99 / 1_000, { quantile: '0.99' });
    });
  }

  /**
   * A counter kept in step, on every scrape, with a lifetime total the policy counts itself (for
   * policies that count without events). It starts at the total's value when watching starts.
   */
  counterFrom(spec: MetricSpec, labels: Labels, total: () => number): void {
    const child = this.counter(spec, labels);
    let last = total();
    this.onScrape(this.families.counter(spec), () => {
      const now = total();
      if (now > last) child.inc(now - last);
      last = now;
    });
  }

  /** Runs `read` on every scrape of `metric` (a family of this exporter), until `release()`. */
  onScrape(metric: object, read: Reader): void {
    const set = this.families.readers(metric);
    set.add(read);
    this.readers.push({ set, read });
  }

  /** Keeps a subscription until `release()`. */
  hold(subscription: Subscription): void {
    this.subscriptions.push(subscription);
  }

  /** Unsubscribes, detaches the gauge readers and removes every series this binding created. */
  release(): void {
    for (const s of this.subscriptions.splice(0)) s.unsubscribe();
    for (const { set, read } of this.readers.splice(0)) set.delete(read);
    for (const { metric, labels } of this.series.splice(0)) metric.remove(labels);
    this.seen.clear();
  }

  private track(metric: AnyMetric, spec: MetricSpec, labels: Labels): Labels {
    const all: Labels = { name: this.name, ...labels };
    const key = `${spec.name}\u0000${spec.labels.map((l) => all[l]).join('\u0000')}`;
    if (!this.seen.has(key)) {
      this.seen.add(key);
      this.series.push({ metric, labels: all });
    }
    return all;
  }
}

/** The families of each group, for errors (without the prefix). */
export const GROUP_FAMILIES: Readonly<Record<string, string>> = {
  breaker: 'circuit_breaker_*',
  retry: 'retry_calls_total, retry_retries_total, retry_give_ups_total',
  'retry-budget': 'retry_budget_*',
  'time-limit': 'time_limit_*',
  fallback: 'fallback_*',
  bulkhead: 'bulkhead_*',
  limiter: 'rate_limiter_*, adaptive_rate_limit_rate, adaptive_throttle_reject_ratio',
  'adaptive-limit': 'adaptive_limit_changes_total',
  cache: 'cache_*',
  hedge: 'hedge_*',
  health: 'health_*',
  mode: 'operation_mode*',
  fleet: 'circuit_breaker_fleet_imposed',
  chaos: 'chaos_*',
};

/**
 * Claims the `name` label of each family group for `exporter`: two watched objects never share a
 * series, whichever exporter on the registry watches them, so unwatching one never removes another's
 * series. Returns the release, or `{ group, by }` for the first group someone already holds.
 */
export function claim(options: FamilyOptions, groups: readonly string[], name: string, exporter: object): (() => void) | { group: string; mine: boolean } {
  // Who holds each (prefix, family group, name) of the registry, across every exporter (and copy) on it.
  const registry = options.registry as { [CLAIMS]?: Map<string, object> };
  const claims = registry[CLAIMS] ?? keep(registry, CLAIMS, new Map<string, object>());
  const keys = groups.map((group) => `${options.prefix}\u0000${group}\u0000${name}`);
  const taken = keys.findIndex((key) => claims.has(key));
  if (taken >= 0) return { group: groups[taken]!, mine: claims.get(keys[taken]!) === exporter };
  for (const key of keys) claims.set(key, exporter);
  return () => keys.forEach((key) => claims.delete(key));
}
