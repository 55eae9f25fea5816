/**
 * What a cache offers to the policies built on it (the fallback ladder): the one port into a
 * cache, so that no other area depends on the cache's core class.
 */
import type { SchedulerLike, Subscriber, Observable } from 'rxjs';
import type { Entry } from './entries.js';

export type { Entry as CacheEntry } from './entries.js';

export interface CacheStore {
  readonly ttl: number;
  readonly staleTtl: number;
  readonly scheduler: SchedulerLike;
  /** The key used when the cache itself is piped. */
  readonly defaultKey: string;
  /** A fresh entry for `key` (counted as a hit), or undefined. */
  takeFresh(key: string): Entry | undefined;
  /** A stale entry less than `staleFor` ms past its `ttl` (counted as stale), or undefined. */
  takeStale(key: string, staleFor: number): Entry | undefined;
  /** The miss path: joins the call in flight for `key`, or starts one with `source`. */
  fetch<T>(key: string, source: Observable<T>, subscriber: Subscriber<T>): void;
}
