/** @internal Stable generated names (`circuit-breaker-1`, `retry-1`, …) per policy kind. */
const counters = new Map<string, number>();

export function policyName(kind: string, given: string | undefined): string {
  if (given !== undefined) return given;
  const n = (counters.get(kind) ?? 0) + 1;
  counters.set(kind, n);
  return `${kind}-${n}`;
}
