/** @internal Validation of `prometheusMetrics()`'s config. */
import { register as globalRegistry, type Registry } from 'prom-client';
import { checker, isPlainObject } from '../internal/validate.js';

const KEYS = ['registry', 'prefix', 'buckets'];
const PREFIX = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/;
export const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ParsedPrometheusMetricsConfig {
  readonly registry: Registry;
  readonly prefix: string;
  readonly buckets: readonly number[];
}

/** Checks `prometheusMetrics()`'s config, with its defaults (the global registry, `resilience_`, `DEFAULT_BUCKETS`). */
export function parsePrometheusMetricsConfig(config: unknown): ParsedPrometheusMetricsConfig {
  const check = checker('prometheus');
  // A config that is no object at all is reported on the config itself (field '').
  if (!isPlainObject(config)) check.fail('', config, 'an object');
  const c = check.object('', config, KEYS);
  const registry = (c.registry ?? globalRegistry) as Partial<Registry> | null;
  if (typeof registry !== 'object' || registry === null || typeof registry.getSingleMetric !== 'function' || typeof registry.metrics !== 'function') {
    check.fail('registry', registry, 'a prom-client Registry');
  }
  const prefix = c.prefix ?? 'resilience_';
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) check.fail('prefix', prefix, 'a string of letters, digits, _ and : not starting with a digit');
  const buckets = c.buckets ?? DEFAULT_BUCKETS;
  const sorted = Array.isArray(buckets) && buckets.length > 0 && buckets.every((b, i) => typeof b === 'number' && Number.isFinite(b) && b > 0 && (i === 0 || b > (buckets[i - 1] as number)));
  if (!sorted) check.fail('buckets', buckets, 'a non-empty array of increasing finite numbers > 0 (seconds)');
  return { registry: registry as Registry, prefix: prefix as string, buckets: buckets as readonly number[] };
}
