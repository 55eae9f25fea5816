/**
 * Chaos binder: injections by fault, pushed from `events$`; calls seen and whether the policy is
 * active now, pulled from `stats()` on scrape.
 */
import type { Chaos, ChaosFaultKind } from '../index.js';
import { Binding, type Families } from './families.js';
import { CHAOS } from './names.js';

const FAULTS: readonly ChaosFaultKind[] = ['latency', 'error', 'result', 'behavior'];

export function bindChaos(policy: Chaos, families: Families): () => void {
  const b = new Binding(families, policy.name);
  const injections = Object.fromEntries(FAULTS.map((f) => [f, b.counter(CHAOS.injections, { fault: f })]));
  b.hold(policy.events$.subscribe((e) => injections[e.fault]!.inc()));
  b.counterFrom(CHAOS.calls, {}, () => policy.stats().calls);
  b.gauge(CHAOS.active, (set) => set(policy.stats().active ? 1 : 0));
  return () => b.release();
}
