/**
 * Fleet control binder: which breakers a fleet control imposes a state on. The gauge reads the
 * latest `imposed$` value on scrape; a lifted state reads 0 (its series stays until unwatched).
 */
import type { Observable } from 'rxjs';
import { Binding, type Families } from './families.js';
import { FLEET } from './names.js';

/** What the binder reads of a fleet control. */
export interface WatchedFleet {
  readonly name: string;
  readonly imposed$: Observable<Readonly<Record<string, { readonly action: string }>>>;
}

export function bindFleet(fleet: WatchedFleet, families: Families): () => void {
  const b = new Binding(families, fleet.name);
  const seen = new Map<string, { name: string; action: string }>();
  let current: Readonly<Record<string, { readonly action: string }>> = {};
  b.hold(
    fleet.imposed$.subscribe((imposed) => {
      current = imposed;
      for (const [name, { action }] of Object.entries(imposed)) seen.set(`${name}\u0000${action}`, { name, action });
    }),
  );
  b.gauge(FLEET.imposed, (set) => {
    for (const { name, action } of seen.values()) set(current[name]?.action === action ? 1 : 0, { name, action });
  });
  return () => b.release();
}
