/**
 * Which kind of object the library built: read by the registry's snapshot, its handles and the
 * Prometheus exporter (public as `policyKind` and `resilienceKind`). Every object a factory builds
 * carries its descriptor (the kernel's `brand`, under a `Symbol.for` key), so the kind is read
 * from the object itself, also for an object built by another copy of the library (an ES module
 * and a CommonJS copy loaded side by side). Nothing is guessed from shapes.
 */
import { descriptorOf } from '../internal/policy.js';

/** The kind of every policy factory, as its descriptor names it. */
export const POLICY_KINDS = [
  'circuit-breaker',
  'retry',
  'retry-budget',
  'time-limit',
  'fallback',
  'fallback-ladder',
  'bulkhead',
  'adaptive-concurrency',
  'rate-limiter',
  'adaptive-rate-limit',
  'adaptive-throttle',
  'cache',
  'hedge',
  'pipeline',
  'chaos',
] as const;

export type PolicyKind = (typeof POLICY_KINDS)[number];

/** The registry's kind for an operator it does not recognise. */
export type RegistryKind = PolicyKind | 'custom';

/** Every kind of object the library builds: the policies, and what watches or holds them. */
export type ResilienceKind = PolicyKind | 'health-monitor' | 'operation-mode' | 'registry' | 'fleet-control' | 'chaos-experiment';

const KINDS: ReadonlySet<string> = new Set<string>([...POLICY_KINDS, 'health-monitor', 'operation-mode', 'registry', 'fleet-control', 'chaos-experiment']);
const POLICIES: ReadonlySet<string> = new Set<string>(POLICY_KINDS);

/** The kind of a policy built by one of the library's factories (or a registry handle for one); `undefined` for anything else. */
export function policyKind(policy: unknown): PolicyKind | undefined {
  const kind = descriptorOf(policy)?.kind;
  return kind !== undefined && POLICIES.has(kind) ? (kind as PolicyKind) : undefined;
}

/** The kind of any object the library builds (a policy, a health monitor, an operation mode, a registry, a fleet control, a chaos experiment); `undefined` for anything else. */
export function resilienceKind(value: unknown): ResilienceKind | undefined {
  const kind = descriptorOf(value)?.kind;
  return kind !== undefined && KINDS.has(kind) ? (kind as ResilienceKind) : undefined;
}

/** The registry's view: `custom` for anything `policyKind` does not recognise. */
export function detectKind(policy: object): RegistryKind {
  return policyKind(policy) ?? 'custom';
}
