/** @internal Stable generated names (`circuit-breaker-1`, `retry-1`, …) per policy kind. */
import { checker, isPlainObject } from './validate.js';

const counters = new Map<string, number>();

function policyName(kind: string, given: string | undefined): string {
  if (given !== undefined) return given;
  const n = (counters.get(kind) ?? 0) + 1;
  counters.set(kind, n);
  return `${kind}-${n}`;
}

/** The `name` of a factory's config, checked (a non-empty string), or a generated one. */
export function configuredName(kind: string, config: unknown): string {
  // Only a plain object has options: a function's or a class instance's own `name` is not one.
  return policyName(kind, checker(kind).name('name', isPlainObject(config) ? config.name : undefined));
}
