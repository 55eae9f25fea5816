/**
 * Every factory of the root entry builds an object that says what it is: its descriptor names the
 * kind, and the registry handle and the exporter need nothing else. A new export must be listed
 * here, as a factory with its kind or as something that is not a policy.
 */
import { EMPTY, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import * as api from 'rx-resilience';
import { descriptorOf } from '../helpers/descriptor.js';

const monitor = () => api.healthMonitor({ components: [] });

/** Each factory of the root entry, built with minimal config, and the kind it must carry. */
const FACTORIES: Readonly<Record<string, readonly [api.ResilienceKind, () => object]>> = {
  circuitBreaker: ['circuit-breaker', () => api.circuitBreaker()],
  retryBackoff: ['retry', () => api.retryBackoff()],
  retryBudget: ['retry-budget', () => api.retryBudget()],
  timeLimit: ['time-limit', () => api.timeLimit({ duration: 1 })],
  fallback: ['fallback', () => api.fallback(EMPTY)],
  fallbackLadder: ['fallback-ladder', () => api.fallbackLadder()],
  bulkhead: ['bulkhead', () => api.bulkhead({ maxConcurrent: 1 })],
  adaptiveConcurrency: ['adaptive-concurrency', () => api.adaptiveConcurrency()],
  tokenBucket: ['rate-limiter', () => api.tokenBucket({ capacity: 1, refill: { tokens: 1 } })],
  slidingWindow: ['rate-limiter', () => api.slidingWindow({ limit: 1 })],
  fixedWindow: ['rate-limiter', () => api.fixedWindow({ limit: 1 })],
  adaptiveRateLimit: ['adaptive-rate-limit', () => api.adaptiveRateLimit({ base: 1 })],
  adaptiveThrottle: ['adaptive-throttle', () => api.adaptiveThrottle()],
  cache: ['cache', () => api.cache({ ttl: 1 })],
  hedge: ['hedge', () => api.hedge()],
  pipeline: ['pipeline', () => api.pipeline({ breaker: api.circuitBreaker() })],
  healthMonitor: ['health-monitor', monitor],
  operationMode: ['operation-mode', () => api.operationMode({ health$: monitor().health$ })],
  resilienceRegistry: ['registry', () => api.resilienceRegistry()],
  chaos: ['chaos', () => api.chaos({ rate: 0, fault: api.errorFault() })],
  chaosExperiment: ['chaos-experiment', () => api.chaosExperiment({ inject: [api.chaos({ rate: 0, fault: api.errorFault() })], duration: 1 })],
};

/** Exported functions that build no policy: errors, backoff curves, health components, helpers. */
const NOT_POLICIES = [
  'BulkheadFullError', 'CircuitOpenError', 'ConfigError', 'QueueTimeoutError', 'RateLimitedError', 'ResilienceError',
  'RetriesExhaustedError', 'TimeLimitError', 'FailureResultError', 'findResilienceError', 'isLocalRejection', 'isResilienceError',
  // A source (an Observable around an abortable promise), not an operator.
  'fromAbortable',
  'constant', 'decorrelatedJitter', 'exponential', 'fibonacci', 'linear', 'memoryStore',
  'healthCheck', 'healthFromBreaker', 'healthFromBulkhead', 'policyKind', 'recoverWhen', 'resilienceKind',
  // The durable queue is a store-and-forward component, not an operator; queueOnFailure builds a
  // per-call operator around a queue. Neither is bound by the registry or the exporter yet.
  'QueueStoreError', 'durableQueue', 'isQueued', 'memoryQueueStore', 'queueOnFailure',
  // Chaos: the faults a chaos() policy injects, its error, and a seeded random source.
  'InjectedFaultError', 'behaviorFault', 'errorFault', 'latencyFault', 'resultFault', 'seededRandom',
];

describe('descriptors', () => {
  it('every exported function is either a listed factory or listed as not a policy', () => {
    const functions = Object.entries(api).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    expect(functions.filter((k) => !(k in FACTORIES) && !NOT_POLICIES.includes(k))).toEqual([]);
  });

  it.each(Object.entries(FACTORIES))('%s builds an object carrying its kind', (_, [kind, build]) => {
    const built = build();
    expect(api.resilienceKind(built)).toBe(kind);
    const policy = !['health-monitor', 'operation-mode', 'registry', 'chaos-experiment'].includes(kind);
    expect(api.policyKind(built)).toBe(policy ? kind : undefined);
    // every member the descriptor names is there: streams are Observables, controls are functions
    const d = descriptorOf(built)!;
    for (const m of [...d.state, ...d.streams]) expect(typeof (built as Record<string, { subscribe?: unknown }>)[m]?.subscribe, m).toBe('function');
    for (const m of d.controls) expect(typeof (built as Record<string, unknown>)[m], m).toBe('function');
  });

  it('a registry handle carries the kind and the members of its policy', () => {
    const registry = api.resilienceRegistry();
    const handle = registry.register('db', api.circuitBreaker());
    expect(api.policyKind(handle)).toBe('circuit-breaker');
    expect(descriptorOf(handle)).toEqual(descriptorOf(api.circuitBreaker()));
    expect(Object.keys(handle).sort()).toEqual(['disable', 'events$', 'exportState', 'isolate', 'metrics$', 'reset', 'state$', 'stats', 'trip', 'endBreak'].sort());
  });

  it('nothing else has a kind', () => {
    for (const value of [undefined, null, 1, 'x', {}, <T>(s: T) => s, of(1), { stats: () => ({ state: 'open' }) }]) {
      expect(api.policyKind(value)).toBeUndefined();
      expect(api.resilienceKind(value)).toBeUndefined();
    }
  });
});
