/**
 * Bulkhead: at most `maxConcurrent` calls at once, a bounded priority queue for the rest.
 *
 * State scope: the pool (active count, queue, totals, streams) lives at factory-call scope and is
 * shared by every pipeline the bulkhead (or one of its `withPriority(n)` operators) is piped
 * into; each subscription (one call) holds only its slot, or its place in the queue and its
 * queue-timeout action.
 */
import type { Observable, SchedulerLike } from 'rxjs';
import { parseQueueOptions, POOL_KEYS } from './config.js';
import { SlotPool, type BulkheadEvent, type BulkheadState } from './pool.js';
import { LATENCY_KEYS, parseLatency, type LatencySummary } from '../internal/histogram.js';
import { checker } from '../internal/validate.js';
import { configuredName } from '../internal/names.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';

export type { BulkheadEvent, BulkheadState } from './pool.js';

export interface BulkheadConfig {
  readonly name?: string;
  /** Calls allowed to run at once: an integer ≥ 1. Required. */
  readonly maxConcurrent: number;
  /** Calls allowed to wait for a slot: an integer ≥ 0 or `Infinity`. Default 0 (reject at once). */
  readonly maxQueued?: number;
  /** Longest wait in the queue, in ms; then `QueueTimeoutError`. Default: no limit. */
  readonly queueTimeout?: number;
  readonly scheduler?: SchedulerLike;
  /** Keep a histogram of how long calls hold a slot, reported as `stats().latency`. Default false. */
  readonly latency?: boolean;
  /** With `latency: true`: the rolling window of the histogram, in ms. Default 60 000. */
  readonly latencyWindow?: number;
}

/**
 * What `stats()` returns: the snapshot `state$` emits, and with `latency: true` the durations
 * (ms) of the calls that held a slot and succeeded or failed in the last `latencyWindow` ms.
 */
export type BulkheadStats = BulkheadState & { readonly latency?: LatencySummary };

/** A bulkhead: an operator, with its state as streams attached. */
export interface Bulkhead {
  <T>(source: Observable<T>): Observable<T>;
  readonly name: string;
  /** Replays the current state, then emits each change (once per operation). */
  readonly state$: Observable<BulkheadState>;
  /** Hot: admissions, queueing, rejections, timeouts, cancellations and releases. */
  readonly events$: Observable<BulkheadEvent>;
  stats(): BulkheadStats;
  /**
   * An operator on the same pool whose calls wait with priority `priority` (higher runs first,
   * FIFO within a priority); the bulkhead itself is priority 0.
   * @throws ConfigError when `priority` is not a finite number.
   */
  withPriority(priority: number): <T>(source: Observable<T>) => Observable<T>;
}

/**
 * Builds a bulkhead: isolates a dependency by bounding the calls in flight to it.
 *
 * ```text
 * calls (each a subscription):  a---b---c---d
 * bulkhead(maxConcurrent: 2, maxQueued: 1):
 *   a, b run; c waits until a or b ends, then runs; d is rejected at once with BulkheadFullError
 * ```
 *
 * ```ts
 * import { bulkhead } from 'rx-resilience';
 * const pool = bulkhead({ name: 'payments', maxConcurrent: 10, maxQueued: 100, queueTimeout: 2_000 });
 * defer(() => api.charge(req)).pipe(pool).subscribe(...);
 * defer(() => api.refund(req)).pipe(pool.withPriority(1)).subscribe(...); // jumps the queue
 * pool.state$.subscribe((s) => gauge.set(s.active / s.limit)); // { active, queued, limit, … }
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function bulkhead(config: BulkheadConfig): Bulkhead {
  const name = configuredName('bulkhead', config);
  const check = checker(name);
  const c = check.object('', config, [...POOL_KEYS, 'maxConcurrent', ...LATENCY_KEYS]);
  if (c.maxConcurrent === undefined) check.fail('maxConcurrent', undefined, 'an integer >= 1');
  const maxConcurrent = check.integer('maxConcurrent', c.maxConcurrent, 1);
  const queue = parseQueueOptions(check, c);
  const latency = parseLatency(check, c)?.();
  return definePolicy<Bulkhead>(new SlotPool({ name, limit: maxConcurrent, judge: {}, ...queue, latency }), PROTO, { maxConcurrent, maxQueued: queue.maxQueued, queueTimeout: queue.queueTimeout });
}

const PROTO = policyPrototype({ kind: 'bulkhead', state: ['state$'], streams: ['events$'], controls: ['stats', 'withPriority'] });
