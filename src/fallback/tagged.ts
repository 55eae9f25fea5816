/**
 * The tagged result of `fallbackLadder`: a value, where it came from, whether the
 * service is in degraded mode, and warnings for the caller to show or log. Pure helpers.
 */
import { describeError } from '../internal/describeError.js';

/** Where a value came from: the primary call, the cache (fresh or stale), a default, or degraded mode. */
export type TagSource = 'primary' | 'cache' | 'stale' | 'default' | 'degraded';

/** One value of the ladder, from the rung `S`. */
export interface TaggedFrom<S extends TagSource, V> {
  readonly value: V;
  readonly source: S;
  /** True only for degraded-mode values. */
  readonly degraded: S extends 'degraded' ? true : false;
  /**
   * Empty for the primary and for a fresh hit served before calling it; one warning for a value
   * served by a rung (and for a failing primary value that no rung could replace).
   */
  readonly warnings: string[];
}

/**
 * What a fallback ladder emits: a union discriminated by `source`. `value` is a `T` (the
 * primary's type) for `'primary'`, `'cache'` and `'stale'`, a `D` for `'default'` and a `G` for
 * `'degraded'`. A ladder without a `default` (or `degraded`) has no such member (`D`, `G` =
 * `never`). `Tagged<T>` alone carries `T` from every rung.
 */
export type Tagged<T, D = T, G = D> =
  | TaggedFrom<'primary', T>
  | TaggedFrom<'cache', T>
  | TaggedFrom<'stale', T>
  | ([D] extends [never] ? never : TaggedFrom<'default', D>)
  | ([G] extends [never] ? never : TaggedFrom<'degraded', G>);

export function tag<S extends TagSource, V>(value: V, source: S, warnings: string[]): TaggedFrom<S, V> {
  return { value, source, degraded: (source === 'degraded') as S extends 'degraded' ? true : false, warnings };
}

/** The warning of a failing primary value that no rung could replace. */
export const UNREPLACED_WARNING = 'primary value judged a failure by isFailureResult; no rung had a value';

/** The warnings of a value served by a fallback rung. */
export function fallbackWarnings(source: Exclude<TagSource, 'primary'>, error: unknown, age: number | undefined): string[] {
  const failed = `primary failed (${describeError(error)})`;
  switch (source) {
    case 'cache':
      return [`${failed}; served a cached value stored ${age ?? 0} ms ago`];
    case 'stale':
      return [`${failed}; served a stale cached value stored ${age ?? 0} ms ago`];
    case 'default':
      return [`${failed}; served the default value`];
    case 'degraded':
      return [`${failed}; running in degraded mode`];
  }
}
