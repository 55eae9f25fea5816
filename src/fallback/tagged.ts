/**
 * The tagged result of `fallbackLadder`: a value, where it came from, whether the
 * service is in degraded mode, and warnings for the caller to show or log. Pure helpers.
 */
import { describeError } from '../internal/describeError.js';

/** Where a value came from: the primary call, the cache (fresh or stale), a default, or degraded mode. */
export type TagSource = 'primary' | 'cache' | 'stale' | 'default' | 'degraded';

export interface Tagged<T> {
  readonly value: T;
  readonly source: TagSource;
  /** True only for degraded-mode values. */
  readonly degraded: boolean;
  /** Empty for the primary and for a fresh hit served before calling it. */
  readonly warnings: string[];
}

export function tag<T>(value: T, source: TagSource, warnings: string[]): Tagged<T> {
  return { value, source, degraded: source === 'degraded', warnings };
}

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
