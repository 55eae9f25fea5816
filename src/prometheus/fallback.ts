/**
 * Fallback binders: failed calls answered by an alternative, by source, pushed from `events$`
 * (`alternative` for a `fallback()`, the rung for a `fallbackLadder()`), and the errors a ladder
 * passed on.
 */
import type { Fallback, FallbackLadder } from '../index.js';
import { Binding, type Families } from './families.js';
import { FALLBACK } from './names.js';


const RUNGS = ['cache', 'stale', 'default', 'degraded'] as const;

export function bindFallback(policy: Fallback<unknown>, families: Families): () => void {
  const b = new Binding(families, policy.name);
  const recoveries = b.counter(FALLBACK.recoveries, { source: 'alternative' });
  b.hold(policy.events$.subscribe(() => recoveries.inc()));
  return () => b.release();
}

export function bindFallbackLadder(ladder: FallbackLadder<unknown, unknown>, families: Families): () => void {
  const b = new Binding(families, ladder.name);
  const recoveries = Object.fromEntries(RUNGS.map((r) => [r, b.counter(FALLBACK.recoveries, { source: r })]));
  const unhandled = b.counter(FALLBACK.unhandled);
  b.hold(ladder.events$.subscribe((e) => {
    if (e.type === 'fallback') recoveries[e.source]?.inc();
    else unhandled.inc();
  }));
  return () => b.release();
}
