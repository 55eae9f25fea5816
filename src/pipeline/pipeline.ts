/**
 * Pipeline: policies built elsewhere, composed in the recommended order (docs/composing-policies.md).
 *
 * It builds nothing: every part is a policy the caller built once (or a registry handle for one)
 * and keeps its own state, streams and controls. The pipeline holds the parts and pipes each call
 * through them, outermost first:
 *
 *   fallback → cache → rateLimit → retry → breaker → hedge → bulkhead → timeLimit → source
 *
 * State scope: the parts and the order, at factory-call scope; a call holds what its parts hold.
 */
import type { Observable } from 'rxjs';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { Bulkhead } from '../bulkhead/bulkhead.js';
import type { Cache } from '../cache/cache.js';
import type { AdaptiveConcurrency } from '../concurrency/adaptiveConcurrency.js';
import type { Fallback } from '../fallback/fallback.js';
import type { FallbackLadder, Tagged } from '../fallback/fallbackLadder.js';
import type { Hedge } from '../hedge/hedge.js';
import { definePolicy, descriptorOf, policyPrototype } from '../internal/policy.js';
import { checker } from '../internal/validate.js';
import type { AdaptiveRateLimiter } from '../rate/adaptiveRateLimit.js';
import type { AdaptiveThrottle } from '../rate/adaptiveThrottle.js';
import type { RateLimiter } from '../rate/types.js';
import type { RetryBackoff } from '../retry/retryBackoff.js';
import type { TimeLimit } from '../time/timeLimit.js';

/** What a pipeline's `fallback` may be. */
export type PipelineFallback = Fallback<unknown> | FallbackLadder<unknown>;

export interface PipelineConfig<F extends PipelineFallback | undefined = undefined> {
  /** The pipeline's own name (its parts keep theirs). Default `'pipeline'`. */
  readonly name?: string;
  /** Outermost: a `fallback()` or a `fallbackLadder()`; it replaces what the whole pipeline failed with. */
  readonly fallback?: F;
  /** A `cache()`: a fresh hit goes through nothing below it. */
  readonly cache?: Cache;
  /** A `tokenBucket()`, `slidingWindow()`, `fixedWindow()`, `adaptiveRateLimit()` or `adaptiveThrottle()`: one permit per logical call. */
  readonly rateLimit?: RateLimiter | AdaptiveRateLimiter | AdaptiveThrottle;
  /** A `retryBackoff()`: each attempt goes through everything below it. */
  readonly retry?: RetryBackoff;
  /** A `circuitBreaker()`: judges each attempt. */
  readonly breaker?: CircuitBreaker;
  /** A `hedge()`: each attempt may start extra requests. */
  readonly hedge?: Hedge;
  /** A `bulkhead()` or `adaptiveConcurrency()`: one slot per request (hedged requests included). */
  readonly bulkhead?: Bulkhead | AdaptiveConcurrency;
  /** Innermost: a `timeLimit()` on each request. */
  readonly timeLimit?: TimeLimit;
}

/** The roles a pipeline composes, outermost first. */
export type PipelineRole = 'fallback' | 'cache' | 'rateLimit' | 'retry' | 'breaker' | 'hedge' | 'bulkhead' | 'timeLimit';

/** The parts a pipeline was given, by role. */
export type PipelineParts = { readonly [R in PipelineRole]?: Exclude<PipelineConfig<PipelineFallback>[R], undefined> };

/** What a call through the pipeline emits: the fallback decides. */
export type PipelineValue<T, F> = F extends FallbackLadder<infer V> ? Tagged<T | V> : F extends Fallback<infer A> ? T | A : T;

export interface PipelineStats {
  readonly name: string;
  /** Each part's `stats()`, by role. */
  readonly parts: { readonly [R in PipelineRole]?: unknown };
}

/** A pipeline: an operator that pipes a call through its parts; the parts stay reachable. */
export interface Pipeline<F extends PipelineFallback | undefined = undefined> {
  <T>(source: Observable<T>): Observable<PipelineValue<T, F>>;
  readonly name: string;
  /** The parts, by role (frozen). */
  readonly parts: PipelineParts;
  /** The roles given, outermost first. */
  readonly order: readonly PipelineRole[];
  /** The pipeline with `cache` and a `fallbackLadder` keyed by `key` (`forKey(key)` of each). */
  forKey(key: string): <T>(source: Observable<T>) => Observable<PipelineValue<T, F>>;
  stats(): PipelineStats;
}

/** Outermost first, and the kinds each role accepts (as descriptors name them). */
const ROLES: readonly (readonly [PipelineRole, readonly string[]])[] = [
  ['fallback', ['fallback', 'fallback-ladder']],
  ['cache', ['cache']],
  ['rateLimit', ['rate-limiter', 'adaptive-rate-limit', 'adaptive-throttle']],
  ['retry', ['retry']],
  ['breaker', ['circuit-breaker']],
  ['hedge', ['hedge']],
  ['bulkhead', ['bulkhead', 'adaptive-concurrency']],
  ['timeLimit', ['time-limit']],
];

/** The roles a pipeline composes, outermost first. */
export const PIPELINE_ORDER: readonly PipelineRole[] = Object.freeze(ROLES.map(([role]) => role));

/** Roles whose part is keyed by `forKey(key)`. */
const KEYED: ReadonlySet<string> = new Set(['cache', 'fallback-ladder']);

type Operator = (<T>(source: Observable<T>) => Observable<T>) & { readonly name: string; forKey?(key: string): <T>(source: Observable<T>) => Observable<T>; stats?(): unknown };

/** Checks a pipeline's config: the name, no unknown key, each part a policy of its role's kinds, at least one part. */
export function parsePipelineConfig(config: unknown): { readonly name: string; readonly parts: PipelineParts; readonly order: readonly PipelineRole[] } {
  const check = checker('pipeline');
  const c = check.object('', config, ['name', ...PIPELINE_ORDER]);
  const name = check.name('name', c.name) ?? 'pipeline';
  const named = checker(name);
  const parts: Partial<Record<PipelineRole, unknown>> = {};
  for (const [role, kinds] of ROLES) {
    const part = c[role];
    if (part === undefined) continue;
    const kind = descriptorOf(part)?.kind;
    if (typeof part !== 'function' || kind === undefined || !kinds.includes(kind)) {
      named.fail(role, part, `a policy of kind ${kinds.join(' or ')} built by rx-resilience${kind === undefined ? '' : ` (this one is a ${kind})`}`);
    }
    parts[role] = part;
  }
  const order = PIPELINE_ORDER.filter((role) => parts[role] !== undefined);
  if (order.length === 0) named.fail('config', config, `at least one part (${PIPELINE_ORDER.join(', ')})`);
  return { name, parts: Object.freeze(parts) as PipelineParts, order: Object.freeze(order) };
}

/**
 * Composes already-built policies in the recommended order, whatever order they are given in:
 * `fallback`, `cache`, `rateLimit` per logical call; `retry` around the attempts; `breaker`,
 * `hedge` per attempt; `bulkhead`, `timeLimit` per request. Every part is optional.
 *
 * The pipeline is itself a policy (kind `pipeline`): registering it in a `resilienceRegistry()`
 * registers each part under its own name too, and a Prometheus exporter watching it watches
 * each part.
 *
 * ```ts
 * import { bulkhead, circuitBreaker, fromAbortable, pipeline, retryBackoff, timeLimit } from 'rx-resilience';
 *
 * // Built once, at module scope: every call shares the breaker's window and the bulkhead's slots.
 * const upstream = pipeline({
 *   name: 'quotes',
 *   retry: retryBackoff({ name: 'quotes-retry', maxAttempts: 3 }),
 *   breaker: circuitBreaker({ name: 'quotes-breaker' }),
 *   bulkhead: bulkhead({ name: 'quotes-pool', maxConcurrent: 8 }),
 *   timeLimit: timeLimit({ name: 'quotes-attempt', duration: 1_000 }),
 * });
 * const quote = (id: string) => fromAbortable((signal) => fetch(`https://example.com/quotes/${id}`, { signal }).then((r) => r.json())).pipe(upstream);
 * ```
 * @throws ConfigError for an unknown key, a part that is not a policy of its role's kinds, or no part.
 */
export function pipeline<F extends PipelineFallback | undefined = undefined>(config: PipelineConfig<F>): Pipeline<F> {
  const { name, parts, order } = parsePipelineConfig(config);
  return definePolicy<Pipeline<F>>(new PipelineCore(name, parts, order), PROTO);
}

const PROTO = policyPrototype({ kind: 'pipeline', controls: ['stats', 'forKey'], fields: ['parts', 'order'] });

class PipelineCore {
  /** Innermost first, as `pipe` takes them. */
  private readonly inward: readonly (readonly [PipelineRole, Operator])[];

  constructor(
    readonly name: string,
    readonly parts: PipelineParts,
    readonly order: readonly PipelineRole[],
  ) {
    this.inward = [...order].reverse().map((role) => [role, parts[role] as unknown as Operator] as const);
  }

  apply<T>(source: Observable<T>): Observable<T> {
    let call = source;
    for (const [, part] of this.inward) call = part(call);
    return call;
  }

  forKey(key: string): <T>(source: Observable<T>) => Observable<T> {
    checker(this.name).name('key', key);
    const keyed = this.inward.map(([, part]) => (KEYED.has(descriptorOf(part)!.kind) ? part.forKey!(key) : part));
    return <T>(source: Observable<T>) => keyed.reduce<Observable<T>>((call, part) => part(call), source);
  }

  stats(): PipelineStats {
    const out: Partial<Record<PipelineRole, unknown>> = {};
    for (const role of this.order) out[role] = (this.parts[role] as unknown as Operator).stats?.();
    return { name: this.name, parts: out };
  }
}
