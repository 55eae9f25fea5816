/**
 * Registry binder: watches every policy of a `resilienceRegistry()` through the handle it hands
 * out (handles follow hot reloads, so a rebuilt policy keeps its series), under the registered
 * name and the kind the registry knows. The registry's `states$` emits on every (un)registration:
 * each emission re-reads the names, binding new policies and releasing removed ones.
 */
import type { Observable } from 'rxjs';

/** What the binder reads of a `resilienceRegistry()`. */
export interface WatchedRegistry {
  names(): string[];
  kindOf(name: string): string | undefined;
  get(name: string): unknown;
  readonly states$: Observable<unknown>;
}

/**
 * `bind(policy, kind)` keeps the metrics of one policy and returns its release, or undefined for
 * a kind without metrics (a custom operator) or a policy already watched otherwise.
 */
export function bindRegistry(registry: WatchedRegistry, bind: (policy: unknown, kind: string) => (() => void) | undefined): () => void {
  const bound = new Map<string, { policy: unknown; release: (() => void) | undefined }>();
  const sync = () => {
    const names = new Set(registry.names());
    for (const [name, entry] of bound) {
      if (!names.has(name) || registry.get(name) !== entry.policy) {
        entry.release?.();
        bound.delete(name);
      }
    }
    for (const name of names) {
      if (bound.has(name)) continue;
      const policy = registry.get(name);
      const kind = registry.kindOf(name);
      bound.set(name, { policy, release: kind === undefined ? undefined : bind(policy, kind) });
    }
  };
  const subscription = registry.states$.subscribe(sync);
  sync();
  return () => {
    subscription.unsubscribe();
    for (const entry of bound.values()) entry.release?.();
    bound.clear();
  };
}
