/**
 * The graded fallback ladder as one operator: primary (behind an optional cache), then a
 * fresh cached value, then a stale one within a limit, then a default, then degraded mode. Every
 * value comes tagged with where it came from, a degraded flag and warnings.
 *
 * State scope: the factory call holds the rungs and lifetime counters; entries live in the
 * `cache` policy it is given (shared with anything else using that cache). Each subscription is
 * one call with its own key.
 */
import { catchError, map, Observable, type ObservableInput, type SchedulerLike } from 'rxjs';
import { judgeValues, parseJudge, replaces, unbox, type ParsedJudge } from './judge.js';
import { fallbackWarnings, tag, UNREPLACED_WARNING, type Tagged, type TaggedFrom, type TagSource } from './tagged.js';
import { FailureResultError } from '../errors.js';
import { EventBus } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import type { FailureJudge } from '../internal/judge.js';
import { configuredName } from '../internal/names.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { checker } from '../internal/validate.js';
import { cacheStore, type Cache } from '../cache/cache.js';
import type { CacheStore } from '../cache/types.js';
import { replay, wrapKeyed } from '../internal/keyed.js';

export type { TaggedFrom, TagSource, Tagged } from './tagged.js';

/** A value, or a function of the error and the call's key giving one (`undefined`: none for this key). */
export type RungValue<V> = V | ((error: unknown, key: string) => V | undefined);

/**
 * `D`, `G`: the types of `default` and `degraded`. `T`: the value type of the streams the ladder
 * guards, from `isFailureResult`'s parameter (default `unknown`: any stream).
 */
export interface FallbackLadderConfig<D = never, G = never, T = unknown> extends FailureJudge<T> {
  readonly name?: string;
  /** Serves fresh hits before calling the primary, stores its results, and feeds the cache rungs. */
  readonly cache?: Cache;
  /** How long past its `ttl` a stale entry may still be served, in ms. Default (and at most) the cache's `staleTtl`. */
  readonly staleFor?: number;
  /** The default value, tagged `'default'`. */
  readonly default?: RungValue<D>;
  /** The degraded-mode value, tagged `'degraded'` with `degraded: true`. */
  readonly degraded?: RungValue<G>;
  /** @deprecated The older name of `isFailure`; giving both is a `ConfigError`. */
  readonly when?: (error: unknown) => boolean;
  /** Default: the cache's scheduler, else `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

export type FallbackLadderEvent =
  | { readonly type: 'fallback'; readonly policy: string; readonly at: number; readonly key: string; readonly source: Exclude<TagSource, 'primary'>; readonly error: unknown }
  | { readonly type: 'unhandled'; readonly policy: string; readonly at: number; readonly key: string; readonly error: unknown };

export interface FallbackLadderStats {
  readonly name: string;
  /** Failed calls rescued, by rung. */
  readonly fallbacks: { readonly cache: number; readonly stale: number; readonly default: number; readonly degraded: number };
  /** Errors passed on: refused by `when`, or no rung had a value. */
  readonly unhandled: number;
}

/**
 * A fallback ladder: an operator tagging values (for the cache's default key), with keyed forms.
 * It guards streams of a `T`; a stream of `S` comes out as `Tagged<S, D, G>`.
 */
export interface FallbackLadder<D = never, G = never, T = unknown> {
  <S extends T>(source: Observable<S>): Observable<Tagged<S, D, G>>;
  readonly name: string;
  readonly events$: Observable<FallbackLadderEvent>;
  stats(): FallbackLadderStats;
  forKey(key: string): <S extends T>(source: Observable<S>) => Observable<Tagged<S, D, G>>;
  wrap<A extends unknown[], S extends T>(fn: (...args: A) => ObservableInput<S>, keyOf?: (...args: A) => string): (...args: A) => Observable<Tagged<S, D, G>>;
}

const KEYS = ['name', 'cache', 'staleFor', 'default', 'degraded', 'isFailure', 'isFailureResult', 'when', 'scheduler'] as const;

export interface ParsedFallbackLadderConfig<V> {
  readonly name: string;
  readonly store: CacheStore | undefined;
  readonly rungs: Rungs<V>;
  /** The one given, else the cache's. */
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `fallbackLadder()`'s config: `staleFor` only with a cache, at most its `staleTtl` (the default). */
export function parseFallbackLadderConfig<V>(config: unknown): ParsedFallbackLadderConfig<V> {
  const name = configuredName('fallback-ladder', config);
  const check = checker(name);
  const c = check.object('', config, KEYS, true);
  const store = c.cache === undefined ? undefined : (cacheStore(c.cache) ?? check.fail('cache', c.cache, 'a policy built by cache()'));
  let staleFor = 0;
  if (store === undefined) {
    if (c.staleFor !== undefined) check.fail('staleFor', c.staleFor, 'given only together with a cache');
  } else {
    staleFor = check.duration('staleFor', c.staleFor, store.staleTtl, true);
    if (staleFor > store.staleTtl) check.fail('staleFor', staleFor, `at most the cache's staleTtl (${store.staleTtl} ms)`);
  }
  const rungs: Rungs<V> = {
    default: c.default as RungValue<V> | undefined,
    degraded: c.degraded as RungValue<V> | undefined,
    judge: parseJudge(check, c),
    staleFor,
  };
  return { name, store, rungs, scheduler: check.scheduler('scheduler', c.scheduler) ?? store?.scheduler };
}

/**
 * Tags each value with its origin and, when the primary fails with an error `isFailure` accepts
 * or emits a value `isFailureResult` matches, walks down the ladder: fresh cache → stale cache (at
 * most `staleFor` past its ttl) → default → degraded. A failing value is neither delivered nor
 * stored in the cache. When no rung has a value the error passes on unchanged, and a failing
 * value is delivered tagged `'primary'` with a warning, then the call completes.
 *
 * ```text
 * primary:        --#
 * ladder:         --s|     s = { value: <stored>, source: 'stale', degraded: false, warnings: ['primary failed …'] }
 * ```
 *
 * ```ts
 * import { cache, fallbackLadder } from 'rx-resilience';
 * import { match } from 'ts-pattern';
 * const pricing = cache({ ttl: 300_000, staleTtl: 3_600_000 });
 * const ladder = fallbackLadder({ cache: pricing, default: { services: [] }, degraded: { services: [], limited: true } });
 * ladder.wrap((region: string) => aws.pricing(region), (region) => region)('us-east-1').subscribe((r) =>
 *   match(r).with({ source: 'primary' }, { source: 'cache' }, ({ value }) => show(value))
 *     .with({ source: 'degraded' }, ({ value, warnings }) => showLimited(value, warnings)) // value: { services, limited }
 *     .otherwise(({ value, warnings }) => showWithBanner(value, warnings)));
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function fallbackLadder<D = never, G = never, T = unknown>(config: FallbackLadderConfig<D, G, T> = {}): FallbackLadder<D, G, T> {
  const c = parseFallbackLadderConfig<D | G>(config);
  return definePolicy<FallbackLadder<D, G, T>>(new LadderCore(c.name, c.store, c.rungs, resolveScheduler(c.scheduler)), PROTO);
}

const PROTO = policyPrototype({ kind: 'fallback-ladder', streams: ['events$'], controls: ['stats', 'forKey', 'wrap'] });

/** A value of any rung, inside the core; the public signatures say which. */
type AnyTag = TaggedFrom<TagSource, unknown>;

interface Rungs<V> {
  readonly default: RungValue<V> | undefined;
  readonly degraded: RungValue<V> | undefined;
  readonly judge: ParsedJudge;
  readonly staleFor: number;
}

class LadderCore<V> {
  private readonly bus = new EventBus<FallbackLadderEvent>();
  private readonly fallbacks = { cache: 0, stale: 0, default: 0, degraded: 0 };
  private unhandled = 0;

  constructor(
    readonly name: string,
    private readonly store: CacheStore | undefined,
    private readonly rungs: Rungs<V>,
    private readonly scheduler: SchedulerLike,
  ) {}

  get events$(): Observable<FallbackLadderEvent> {
    return this.bus.events$;
  }

  apply<T>(source: Observable<T>): Observable<T> {
    // The public call signature is `Observable<Tagged<S, D, G>>`; the kernel's shape says `T`.
    return this.serve(this.store?.defaultKey ?? 'default', source) as unknown as Observable<T>;
  }

  forKey(key: string): (source: Observable<unknown>) => Observable<AnyTag> {
    if (typeof key !== 'string') checker(this.name).fail('key', key, 'a string');
    return (source) => this.serve(key, source);
  }

  wrap<A extends unknown[]>(fn: (...args: A) => ObservableInput<unknown>, keyOf?: (...args: A) => string): (...args: A) => Observable<AnyTag> {
    return wrapKeyed((key, source: Observable<unknown>) => this.serve(key, source), fn, keyOf);
  }

  /** A failing value ends the primary before the cache sees it: it is never stored. */
  private serve(key: string, source: Observable<unknown>): Observable<AnyTag> {
    const store = this.store;
    const judged = judgeValues(this.name, source, this.rungs.judge.isFailureResult);
    const primary = store === undefined ? judged : new Observable<unknown>((subscriber) => store.fetch(key, judged, subscriber));
    const guarded = primary.pipe(
      map((value): AnyTag => tag(value, 'primary', [])),
      catchError((error: unknown) => this.rescue(key, unbox(error))),
    );
    if (store === undefined) return guarded;
    return new Observable<AnyTag>((subscriber) => {
      const entry = store.takeFresh(key);
      if (entry === undefined) return guarded.subscribe(subscriber);
      replay(entry.values, subscriber, (value): AnyTag => tag(value, 'cache', []));
      return undefined;
    });
  }

  /**
   * The rungs below the primary, in order. Throws from `isFailure` or a rung function become the
   * error. An error no rung replaces is rethrown from the selector, so that it reaches downstream
   * before the primary's teardown.
   */
  private rescue(key: string, error: unknown): ObservableInput<AnyTag> {
    const { judge, staleFor } = this.rungs;
    if (!replaces(judge, error)) throw this.unhandledOutcome(key, error);
    const store = this.store;
    if (store !== undefined) {
      const fresh = store.takeFresh(key);
      if (fresh !== undefined) return this.served(key, error, 'cache', fresh.values, fresh.storedAt);
      const stale = staleFor > 0 ? store.takeStale(key, staleFor) : undefined;
      if (stale !== undefined) return this.served(key, error, 'stale', stale.values, stale.storedAt);
    }
    for (const rung of ['default', 'degraded'] as const) {
      const given = this.rungs[rung];
      const value = typeof given === 'function' ? (given as (error: unknown, key: string) => V | undefined)(error, key) : given;
      if (value !== undefined) return this.served(key, error, rung, [value], undefined);
    }
    this.unhandledOutcome(key, error);
    if (error instanceof FailureResultError) return [tag(error.value, 'primary', [UNREPLACED_WARNING])];
    throw error;
  }

  private served(key: string, error: unknown, source: Exclude<TagSource, 'primary'>, values: readonly unknown[], storedAt: number | undefined): Observable<AnyTag> {
    this.fallbacks[source]++;
    const at = this.scheduler.now();
    if (this.bus.observed) this.bus.emit({ type: 'fallback', policy: this.name, at, key, source, error });
    const age = storedAt === undefined ? undefined : (this.store?.scheduler.now() ?? at) - storedAt;
    return new Observable<AnyTag>((subscriber) => replay(values, subscriber, (value) => tag(value, source, fallbackWarnings(source, error, age))));
  }

  /** Counts and reports an outcome no rung replaced; returns its error. */
  private unhandledOutcome(key: string, error: unknown): unknown {
    this.unhandled++;
    if (this.bus.observed) this.bus.emit({ type: 'unhandled', policy: this.name, at: this.scheduler.now(), key, error });
    return error;
  }

  stats(): FallbackLadderStats {
    return { name: this.name, fallbacks: { ...this.fallbacks }, unhandled: this.unhandled };
  }
}
