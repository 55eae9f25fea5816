/**
 * @internal Which kind of policy an object is, for the registry's snapshot.
 *
 * Every factory builds its policy objects on one prototype per kind (`policyPrototype` in the
 * kernel), so the prototype is the marker: it is learned once, lazily, from one instance per
 * factory built with an explicit name (which consumes no generated name; a policy does nothing
 * until it is piped). Objects built elsewhere fall back to the shape of their `stats()`.
 */
import { EMPTY } from 'rxjs';
import { adaptiveConcurrency } from '../operators/adaptiveConcurrency.js';
import { adaptiveRateLimit } from '../operators/adaptiveRateLimit.js';
import { adaptiveThrottle } from '../operators/adaptiveThrottle.js';
import { bulkhead } from '../operators/bulkhead.js';
import { cache } from '../operators/cache.js';
import { circuitBreaker } from '../operators/circuitBreaker.js';
import { fallback } from '../operators/fallback.js';
import { fallbackLadder } from '../operators/fallbackLadder.js';
import { fixedWindow } from '../operators/fixedWindow.js';
import { hedge } from '../operators/hedge.js';
import { retryBackoff } from '../operators/retryBackoff.js';
import { slidingWindow } from '../operators/slidingWindow.js';
import { timeLimit } from '../operators/timeLimit.js';
import { tokenBucket } from '../operators/tokenBucket.js';

/** The kinds the registry tells apart; `custom` for an operator it does not recognise. */
export type PolicyKind =
  | 'circuit-breaker'
  | 'retry'
  | 'time-limit'
  | 'bulkhead'
  | 'adaptive-concurrency'
  | 'rate-limiter'
  | 'adaptive-rate-limit'
  | 'adaptive-throttle'
  | 'fallback'
  | 'fallback-ladder'
  | 'cache'
  | 'hedge'
  | 'custom';

const PROBE = 'rx-resilience/registry/probe';

const probes: readonly (readonly [PolicyKind, () => unknown])[] = [
  ['circuit-breaker', () => circuitBreaker({ name: PROBE })],
  ['retry', () => retryBackoff({ name: PROBE })],
  ['time-limit', () => timeLimit({ name: PROBE, duration: 1 })],
  ['bulkhead', () => bulkhead({ name: PROBE, maxConcurrent: 1 })],
  ['adaptive-concurrency', () => adaptiveConcurrency({ name: PROBE })],
  ['rate-limiter', () => tokenBucket({ name: PROBE, capacity: 1, refill: { tokens: 1 } })],
  ['rate-limiter', () => slidingWindow({ name: PROBE, limit: 1 })],
  ['rate-limiter', () => fixedWindow({ name: PROBE, limit: 1 })],
  ['adaptive-rate-limit', () => adaptiveRateLimit({ name: PROBE, base: 1 })],
  ['adaptive-throttle', () => adaptiveThrottle({ name: PROBE })],
  ['fallback', () => fallback(EMPTY, { name: PROBE })],
  ['fallback-ladder', () => fallbackLadder({ name: PROBE })],
  ['cache', () => cache({ name: PROBE, ttl: 1 })],
  ['hedge', () => hedge({ name: PROBE })],
];

let byPrototype: Map<object, PolicyKind> | undefined;

/** The kind of `policy`: by its prototype, else by the shape of its `stats()`, else `custom`. */
export function detectKind(policy: object): PolicyKind {
  byPrototype ??= learn();
  return byPrototype.get(Object.getPrototypeOf(policy) as object) ?? byShape(policy);
}

function learn(): Map<object, PolicyKind> {
  const map = new Map<object, PolicyKind>();
  for (const [kind, build] of probes) {
    const proto = Object.getPrototypeOf(build()) as object;
    // A factory that returns plain functions cannot be told apart by prototype: leave it to the shape.
    if (proto !== Function.prototype && proto !== Object.prototype) map.set(proto, kind);
  }
  return map;
}

const BREAKER_STATES: ReadonlySet<unknown> = new Set(['closed', 'open', 'half-open', 'isolated', 'disabled']);

function byShape(policy: object): PolicyKind {
  const stats = (policy as { stats?: unknown }).stats;
  if (typeof stats !== 'function') return 'custom';
  let s: unknown;
  try {
    s = (stats as () => unknown).call(policy);
  } catch {
    return 'custom';
  }
  if (typeof s !== 'object' || s === null) return 'custom';
  const has = (...keys: string[]) => keys.every((k) => k in s);
  if (has('state', 'failureRate') && BREAKER_STATES.has((s as { state: unknown }).state)) return 'circuit-breaker';
  if (has('active', 'queued', 'limit', 'maxQueued')) return 'bulkhead';
  if (has('remaining', 'limit', 'waiting')) return 'rate-limiter';
  return 'custom';
}
