/**
 * How the kit reads a policy from the outside: its descriptor (kind, state streams, other
 * streams, controls) and its resolved settings, both stamped by the library under `Symbol.for`
 * keys, so a copy of the kit reads policies built by another copy of the library. A composed
 * pipeline is read through its parts: an array of policies, or any object that carries `parts`
 * (an array, or a record of named policies; with an `order` of its keys, outermost first, as
 * `pipeline()` has, the record is read innermost first).
 */
import type { Observable } from 'rxjs';

const DESCRIPTOR = Symbol.for('rx-resilience/descriptor');
const SETTINGS = Symbol.for('rx-resilience/settings');

export interface PolicyDescriptor {
  readonly kind: string;
  readonly state: readonly string[];
  readonly streams: readonly string[];
  readonly controls: readonly string[];
}

/** A policy as the kit sees it. */
export interface WatchedPolicy {
  readonly name: string;
  readonly kind: string;
  readonly policy: Record<string, unknown>;
  readonly descriptor: PolicyDescriptor;
  /** The resolved settings the policy carries (empty when it carries none). */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly events$: Observable<{ readonly type: string; readonly at?: number }> | undefined;
  /** The first state stream (`state$` for most policies). */
  readonly state$: Observable<unknown> | undefined;
  stats(): Record<string, unknown> | undefined;
}

/** The descriptor `value` carries, or undefined when it is not an object built by the library. */
export function descriptorOf(value: unknown): PolicyDescriptor | undefined {
  if ((typeof value !== 'function' && typeof value !== 'object') || value === null) return undefined;
  const d = (value as Record<symbol, unknown>)[DESCRIPTOR] as Partial<PolicyDescriptor> | undefined;
  if (typeof d !== 'object' || d === null || typeof d.kind !== 'string') return undefined;
  return { kind: d.kind, state: d.state ?? [], streams: d.streams ?? [], controls: d.controls ?? [] };
}

/** The resolved settings `value` carries (its own, not inherited), or an empty record. */
export function settingsOf(value: unknown): Readonly<Record<string, unknown>> {
  if ((typeof value !== 'function' && typeof value !== 'object') || value === null) return {};
  const s = (value as Record<symbol, unknown>)[SETTINGS];
  return typeof s === 'object' && s !== null ? (s as Record<string, unknown>) : {};
}

/**
 * The policies in `target`: itself when it is a policy, each element of an array, and the parts of
 * anything that exposes `parts` (recursively). Objects without a descriptor are skipped.
 */
export function policiesOf(target: unknown): WatchedPolicy[] {
  const found: WatchedPolicy[] = [];
  const seen = new Set<unknown>();
  const visit = (value: unknown) => {
    if ((typeof value !== 'function' && typeof value !== 'object') || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) return value.forEach(visit);
    const { parts, order } = value as { parts?: unknown; order?: unknown };
    if (parts !== undefined && typeof parts === 'object' && parts !== null) {
      // A `pipeline()` names its roles outermost first in `order`: read them innermost first, as pipe() order.
      const roles = Array.isArray(order) && order.every((r) => typeof r === 'string' && r in parts) ? [...(order as string[])].reverse() : undefined;
      (roles === undefined ? Object.values(parts) : roles.map((r) => (parts as Record<string, unknown>)[r])).forEach(visit);
    }
    const descriptor = descriptorOf(value);
    if (descriptor !== undefined && (descriptor.streams.length > 0 || descriptor.state.length > 0)) found.push(watched(value as Record<string, unknown>, descriptor));
  };
  visit(target);
  return found;
}

function watched(policy: Record<string, unknown>, descriptor: PolicyDescriptor): WatchedPolicy {
  const stream = (name: string | undefined) => (name === undefined ? undefined : (policy[name] as Observable<never> | undefined));
  return {
    name: typeof policy.name === 'string' ? policy.name : descriptor.kind,
    kind: descriptor.kind,
    policy,
    descriptor,
    settings: settingsOf(policy),
    events$: descriptor.streams.includes('events$') ? stream('events$') : undefined,
    state$: stream(descriptor.state[0]),
    stats: () => (descriptor.controls.includes('stats') ? (policy.stats as () => Record<string, unknown>)() : undefined),
  };
}
