/**
 * Which kind of policy an object is: read by the registry's snapshot and by the Prometheus
 * exporter (public as `policyKind`). Every factory builds its policy objects on one prototype per
 * kind (the kernel's `policyPrototype`), and two kinds can have the same shape (`retryBackoff` and
 * `timeLimit` both expose only `events$`), so the kind is read from the prototype, learned once,
 * lazily, from one instance per factory built with an explicit name (an explicit name consumes no
 * generated one, and a policy does nothing until it is piped). A policy from another copy of the
 * library is recognised by its shape where the shape is unambiguous.
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
import { retryBudget } from '../retry/retryBudget.js';

export type PolicyKind =
  | 'circuit-breaker'
  | 'retry'
  | 'retry-budget'
  | 'time-limit'
  | 'fallback'
  | 'fallback-ladder'
  | 'bulkhead'
  | 'adaptive-concurrency'
  | 'rate-limiter'
  | 'adaptive-rate-limit'
  | 'adaptive-throttle'
  | 'cache'
  | 'hedge';

/** The registry's kind for an operator it does not recognise. */
export type RegistryKind = PolicyKind | 'custom';

const PROBE = 'rx-resilience/kind-probe';

const probes: readonly (readonly [PolicyKind, () => unknown])[] = [
  ['circuit-breaker', () => circuitBreaker({ name: PROBE })],
  ['retry', () => retryBackoff({ name: PROBE })],
  ['retry-budget', () => retryBudget({ name: PROBE })],
  ['time-limit', () => timeLimit({ name: PROBE, duration: 1 })],
  ['fallback', () => fallback(EMPTY, { name: PROBE })],
  ['fallback-ladder', () => fallbackLadder({ name: PROBE })],
  ['bulkhead', () => bulkhead({ name: PROBE, maxConcurrent: 1 })],
  ['adaptive-concurrency', () => adaptiveConcurrency({ name: PROBE })],
  ['rate-limiter', () => tokenBucket({ name: PROBE, capacity: 1, refill: { tokens: 1 } })],
  ['rate-limiter', () => slidingWindow({ name: PROBE, limit: 1 })],
  ['rate-limiter', () => fixedWindow({ name: PROBE, limit: 1 })],
  ['adaptive-rate-limit', () => adaptiveRateLimit({ name: PROBE, base: 1 })],
  ['adaptive-throttle', () => adaptiveThrottle({ name: PROBE })],
  ['cache', () => cache({ name: PROBE, ttl: 1 })],
  ['hedge', () => hedge({ name: PROBE })],
];

let byPrototype: Map<object, PolicyKind> | undefined;

/**
 * The kind of a policy built by one of the library's factories; `undefined` for anything else.
 * A policy from another copy of the library (an ES module and a CommonJS copy loaded side by side)
 * has other prototypes: it is recognised by its shape where the shape is unambiguous.
 */
export function policyKind(policy: unknown): PolicyKind | undefined {
  if ((typeof policy !== 'function' && typeof policy !== 'object') || policy === null) return undefined;
  byPrototype ??= learn();
  return byPrototype.get(Object.getPrototypeOf(policy) as object) ?? byShape(policy as Record<string, unknown>);
}

function byShape(p: Record<string, unknown>): PolicyKind | undefined {
  const fn = (key: string) => typeof p[key] === 'function';
  const stream = (key: string) => typeof (p[key] as { subscribe?: unknown } | undefined)?.subscribe === 'function';
  if (fn('tryWithdraw') && fn('deposit') && fn('stats')) return 'retry-budget';
  if (!stream('events$') || !fn('stats')) return undefined;
  if (fn('exportState') && fn('isolate')) return 'circuit-breaker';
  if (fn('withPriority')) return stream('limit$') ? 'adaptive-concurrency' : 'bulkhead';
  if (stream('rate$')) return 'adaptive-rate-limit';
  if (fn('peek') && fn('invalidate')) return 'cache';
  const stats = (p.stats as () => unknown)() as Record<string, unknown> | null;
  if (typeof stats !== 'object' || stats === null) return undefined;
  if ('remaining' in stats && 'waiting' in stats) return 'rate-limiter';
  if ('rejectProbability' in stats) return 'adaptive-throttle';
  if ('hedgedWins' in stats) return 'hedge';
  if ('unhandled' in stats) return 'fallback-ladder';
  if ('fallbacks' in stats && 'passed' in stats) return 'fallback';
  return undefined;
}

function learn(): Map<object, PolicyKind> {
  const map = new Map<object, PolicyKind>();
  for (const [kind, build] of probes) {
    const proto = Object.getPrototypeOf(build()) as object;
    // A kind built on a generic prototype could not be told apart: it is left out rather than guessed.
    if (proto !== Object.prototype && proto !== Function.prototype) map.set(proto, kind);
  }
  return map;
}

/** The registry's view: `custom` for anything `policyKind` does not recognise. */
export function detectKind(policy: object): RegistryKind {
  return policyKind(policy) ?? 'custom';
}
