/**
 * Cache: a bounded LRU of completed calls, keyed, with fresh and stale ages on the scheduler's
 * clock, and coalescing of concurrent misses.
 *
 * State scope: the entries, the calls in flight and the counters live at factory-call scope and
 * are shared by every pipeline, `forKey` operator and `wrap`ped function of one cache. Each
 * subscription holds only its place in a flight (or nothing, on a hit).
 */
import { Observable, type ObservableInput, type SchedulerLike, type Subscriber } from 'rxjs';
import { Entries, type Entry } from './entries.js';
import { Flight, type FlightEnd } from './flight.js';
import type { CacheStore } from './types.js';
import { EventBus, SnapshotStream } from '../internal/cell.js';
import { replay, wrapKeyed } from '../internal/keyed.js';
import { resolveScheduler } from '../internal/clock.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { checker } from '../internal/validate.js';
import { parseCacheConfig } from './config.js';

export interface CacheConfig {
  readonly name?: string;
  /** The key used when the cache itself is piped (`source.pipe(cached)`). Default `'default'`. */
  readonly key?: string;
  /** Required. An entry is fresh for `ttl` ms after it was stored: served without calling upstream. */
  readonly ttl: number;
  /** Then stale for `staleTtl` ms more: not served by the cache, kept for `fallbackLadder`. Default 0. */
  readonly staleTtl?: number;
  /** The most entries kept; the least recently used is evicted first. Default 1000. */
  readonly maxEntries?: number;
  readonly scheduler?: SchedulerLike;
}

/** What `peek(key)` sees: a stored result and its age. */
export interface CacheEntryInfo {
  readonly key: string;
  readonly values: readonly unknown[];
  /** Scheduler time. */
  readonly storedAt: number;
  readonly age: number;
  readonly state: 'fresh' | 'stale';
}

interface EventBase {
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
  readonly key: string;
}

export type CacheEvent =
  | (EventBase & { readonly type: 'hit'; readonly age: number })
  | (EventBase & { readonly type: 'miss' })
  | (EventBase & { readonly type: 'coalesced' })
  | (EventBase & { readonly type: 'stored' })
  | (EventBase & { readonly type: 'stale'; readonly age: number })
  | (EventBase & { readonly type: 'evicted' });

export interface CacheStats {
  readonly name: string;
  /** Entries held now (fresh or stale; expired ones leave when next touched or evicted). */
  readonly size: number;
  readonly maxEntries: number;
  /** Upstream calls running now, one per key at most. */
  readonly inFlight: number;
  /** Calls served from a fresh entry, without calling upstream. */
  readonly hits: number;
  /** Calls that started an upstream call. */
  readonly misses: number;
  /** Calls that joined an upstream call already running for their key. */
  readonly coalesced: number;
  /** Stale entries served by a fallback ladder. */
  readonly stale: number;
  readonly stored: number;
  /** Entries dropped to make room (LRU). */
  readonly evicted: number;
  /** Entries dropped because they were older than `ttl + staleTtl`. */
  readonly expired: number;
}

/** A cache: an operator (for its default key), with keyed forms, streams and controls attached. */
export interface Cache {
  <T>(source: Observable<T>): Observable<T>;
  readonly name: string;
  /** Hot: hits, misses, coalesced calls, stores, stale serves and evictions. */
  readonly events$: Observable<CacheEvent>;
  /** The current snapshot, then one after every change. */
  readonly metrics$: Observable<CacheStats>;
  stats(): CacheStats;
  /** An operator caching its source's result under `key`. */
  forKey(key: string): <T>(source: Observable<T>) => Observable<T>;
  /** Memoises `fn`: each call's key is `keyOf(...args)` (default `JSON.stringify(args)`); `fn` runs only on a miss. */
  wrap<A extends unknown[], T>(fn: (...args: A) => ObservableInput<T>, keyOf?: (...args: A) => string): (...args: A) => Observable<T>;
  /** The live entry for `key`, without touching its recency or the hit/miss counts (an expired one is dropped). */
  peek(key: string): CacheEntryInfo | undefined;
  /** Drops the entry; a call in flight for `key` goes on, but its result is not stored. */
  invalidate(key: string): boolean;
  /** `invalidate` for every key. */
  clear(): void;
}

/**
 * Builds a cache of completed calls: a fresh hit replays the stored values and completes without
 * subscribing upstream; concurrent misses for one key share one upstream subscription.
 *
 * ```text
 * upstream:                 ----a|
 * calls (key k) at 0, 2, 7: ----a|   (one upstream subscription, the second call joins it)
 *                             --a|
 *                                  (a|)   (fresh hit at 7: no upstream call)
 * ```
 *
 * Only a call that completes is stored (all its values, replayed in order); an error or a
 * cancellation stores nothing. Keys are strings, one namespace per cache.
 *
 * ```ts
 * import { cache } from 'rx-resilience';
 * const prices = cache({ name: 'prices', ttl: 60_000, staleTtl: 3_600_000, maxEntries: 500 });
 * const price = prices.wrap((sku: string) => api.price(sku), (sku) => sku);
 * price('A-1').subscribe(...);                        // miss: calls api.price('A-1')
 * price('A-1').subscribe(...);                        // joins the call in flight, or a fresh hit
 * defer(() => api.rates()).pipe(prices.forKey('rates')).subscribe(...);
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function cache(config: CacheConfig): Cache {
  const c = parseCacheConfig(config);
  const core = new CacheCore(c.name, { ...c, scheduler: resolveScheduler(c.scheduler) });
  const policy = definePolicy<Cache>(core, PROTO, { ttl: c.ttl, staleTtl: c.staleTtl, maxEntries: c.maxEntries });
  Object.defineProperty(policy, STORE, { value: core });
  return policy;
}

/**
 * The store behind a cache policy (see `CacheStore`), or undefined when `policy` is not a cache.
 * It is kept on the policy under a `Symbol.for` key, so a fallback ladder reads a cache built by
 * another copy of the library (an ES module and a CommonJS copy side by side).
 */
export function cacheStore(policy: unknown): CacheStore | undefined {
  return typeof policy === 'function' ? (policy as { [STORE]?: CacheStore })[STORE] : undefined;
}

const STORE = Symbol.for('rx-resilience/cache-store');
const PROTO = policyPrototype({ kind: 'cache', streams: ['events$', 'metrics$'], controls: ['stats', 'forKey', 'wrap', 'peek', 'invalidate', 'clear'] });

interface Settings {
  readonly key: string;
  readonly ttl: number;
  readonly staleTtl: number;
  readonly maxEntries: number;
  readonly scheduler: SchedulerLike;
}

/** @internal */
export class CacheCore implements CacheStore {
  readonly ttl: number;
  readonly staleTtl: number;
  readonly scheduler: SchedulerLike;
  /** The key used when the cache itself is piped. */
  readonly defaultKey: string;
  private readonly entries: Entries;
  private readonly flights = new Map<string, Flight<unknown>>();
  private readonly bus = new EventBus<CacheEvent>();
  private readonly metrics = new SnapshotStream<CacheStats>(() => this.stats());
  private readonly counts = { hits: 0, misses: 0, coalesced: 0, stale: 0, stored: 0, evicted: 0, expired: 0 };

  constructor(readonly name: string, private readonly settings: Settings) {
    this.ttl = settings.ttl;
    this.staleTtl = settings.staleTtl;
    this.scheduler = settings.scheduler;
    this.defaultKey = settings.key;
    const evicted = (key: string) => {
      this.counts.evicted++;
      this.emit('evicted', key);
    };
    const expired = () => {
      this.counts.expired++;
      this.publish();
    };
    this.entries = new Entries(settings.maxEntries, settings.ttl, settings.staleTtl, evicted, expired);
  }

  get events$(): Observable<CacheEvent> {
    return this.bus.events$;
  }

  get metrics$(): Observable<CacheStats> {
    return this.metrics.snapshots$;
  }

  apply<T>(source: Observable<T>): Observable<T> {
    return this.serve(this.defaultKey, source);
  }

  forKey(key: string): <T>(source: Observable<T>) => Observable<T> {
    if (typeof key !== 'string') checker(this.name).fail('key', key, 'a string');
    return (source) => this.serve(key, source);
  }

  wrap<A extends unknown[], T>(fn: (...args: A) => ObservableInput<T>, keyOf?: (...args: A) => string): (...args: A) => Observable<T> {
    return wrapKeyed((key, source: Observable<T>) => this.serve(key, source), fn, keyOf);
  }

  private serve<T>(key: string, source: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const entry = this.takeFresh(key);
      if (entry === undefined) this.fetch(key, source, subscriber);
      else replay(entry.values as T[], subscriber, (value) => value);
    });
  }

  takeFresh(key: string): Entry | undefined {
    const found = this.entries.find(key, this.scheduler.now(), true);
    if (found?.state !== 'fresh') return undefined;
    this.counts.hits++;
    this.emit('hit', key, found.age);
    return found.entry;
  }

  takeStale(key: string, staleFor: number): Entry | undefined {
    const found = this.entries.find(key, this.scheduler.now(), true);
    if (found?.state !== 'stale' || found.age >= this.ttl + staleFor) return undefined;
    this.counts.stale++;
    this.emit('stale', key, found.age);
    return found.entry;
  }

  fetch<T>(key: string, source: Observable<T>, subscriber: Subscriber<T>): void {
    const running = this.flights.get(key) as Flight<T> | undefined;
    if (running !== undefined) {
      this.counts.coalesced++;
      this.emit('coalesced', key);
      running.join(subscriber);
      return;
    }
    this.counts.misses++;
    const flight = new Flight<T>((f, end) => this.land(key, f, end));
    this.flights.set(key, flight as Flight<unknown>);
    this.emit('miss', key);
    flight.join(subscriber);
    source.subscribe(flight);
  }

  private land<T>(key: string, flight: Flight<T>, end: FlightEnd): void {
    if (this.flights.get(key) === flight) this.flights.delete(key);
    if (end === 'complete' && !flight.detached) {
      this.entries.store(key, flight.values, this.scheduler.now());
      this.counts.stored++;
      this.emit('stored', key);
    } else {
      this.publish();
    }
  }

  peek(key: string): CacheEntryInfo | undefined {
    const found = this.entries.find(key, this.scheduler.now(), false);
    return found && { key, values: found.entry.values, storedAt: found.entry.storedAt, age: found.age, state: found.state };
  }

  invalidate(key: string): boolean {
    const flight = this.flights.get(key);
    if (flight !== undefined) {
      flight.detached = true;
      this.flights.delete(key);
    }
    const dropped = this.entries.delete(key);
    this.publish();
    return dropped || flight !== undefined;
  }

  clear(): void {
    for (const flight of this.flights.values()) flight.detached = true;
    this.flights.clear();
    this.entries.clear();
    this.publish();
  }

  stats(): CacheStats {
    return { name: this.name, size: this.entries.size, maxEntries: this.settings.maxEntries, inFlight: this.flights.size, ...this.counts };
  }

  private emit(type: CacheEvent['type'], key: string, age?: number): void {
    if (this.bus.observed) {
      const at = this.scheduler.now();
      this.bus.emit(type === 'hit' || type === 'stale' ? { type, policy: this.name, at, key, age: age ?? 0 } : { type, policy: this.name, at, key });
    }
    this.publish();
  }

  private publish(): void {
    this.metrics.publish();
  }
}
