/** The root entry's policy factories, each with a valid base config and one use of what it builds. */
import { NEVER, of } from 'rxjs';
import { expect } from 'vitest';
import {
  adaptiveConcurrency,
  adaptiveRateLimit,
  adaptiveThrottle,
  bulkhead,
  cache,
  chaos,
  chaosExperiment,
  circuitBreaker,
  constant,
  decorrelatedJitter,
  errorFault,
  exponential,
  fallback,
  fallbackLadder,
  fibonacci,
  fixedWindow,
  healthCheck,
  healthFromBreaker,
  healthFromBulkhead,
  healthMonitor,
  hedge,
  linear,
  memoryStore,
  operationMode,
  pipeline,
  resilienceRegistry,
  retryBackoff,
  retryBudget,
  slidingWindow,
  timeLimit,
  tokenBucket,
} from 'rx-resilience';
import { buildOnly, component, type Factory, operator, type Run } from './fuzz.js';

const backoffRun: Run = (built) => {
  const delay = (built as (attempt: number, previous?: number) => number)(3, 10);
  expect(delay).toBeGreaterThanOrEqual(0);
  expect(delay).toBeLessThanOrEqual(2 ** 31 - 1);
};

export const FACTORIES: readonly Factory[] = [
  { name: 'circuitBreaker', base: (scheduler) => ({ strategy: { kind: 'time', duration: 1_000, buckets: 10, minimumCalls: 2 }, breakDuration: 50, scheduler }), build: (c) => circuitBreaker(c as never), run: operator },
  { name: 'circuitBreaker(count)', base: (scheduler) => ({ strategy: { kind: 'count', size: 10 }, slowCallDuration: 10, scheduler }), build: (c) => circuitBreaker(c as never), run: operator },
  { name: 'retryBackoff', base: (scheduler) => ({ maxAttempts: 3, maxDelay: 100, maxElapsed: 1_000, scheduler }), build: (c) => retryBackoff(c as never), run: operator },
  { name: 'retryBudget', base: (scheduler) => ({ ratio: 0.5, minPerSecond: 1, window: 1_000, scheduler }), build: (c) => retryBudget(c as never), run: (b) => {
    const budget = b as ReturnType<typeof retryBudget>;
    budget.deposit();
    budget.tryWithdraw();
    expect(Number.isFinite(budget.stats().available)).toBe(true);
  } },
  { name: 'timeLimit', base: (scheduler) => ({ duration: 100, first: 50, each: 20, scheduler }), build: (c) => timeLimit(c as never), run: operator, known: ['duration'] },
  { name: 'bulkhead', base: (scheduler) => ({ maxConcurrent: 2, maxQueued: 2, queueTimeout: 100, scheduler }), build: (c) => bulkhead(c as never), run: operator },
  { name: 'adaptiveConcurrency', base: (scheduler) => ({ algorithm: { kind: 'aimd', timeout: 100 }, minLimit: 1, maxLimit: 10, window: { minTime: 10, maxTime: 100, size: 5 }, scheduler }), build: (c) => adaptiveConcurrency(c as never), run: operator },
  { name: 'cache', base: (scheduler) => ({ ttl: 100, staleTtl: 50, maxEntries: 10, scheduler }), build: (c) => cache(c as never), run: operator },
  { name: 'fallback', base: (scheduler) => ({ name: 'f', scheduler }), build: (c) => fallback(of(0), c as never), run: operator },
  { name: 'fallbackLadder', base: (scheduler) => ({ default: 0, degraded: 1, scheduler }), build: (c) => fallbackLadder(c as never), run: operator },
  { name: 'hedge', base: (scheduler) => ({ delay: 10, maxHedges: 2, scheduler }), build: (c) => hedge(c as never), run: operator },
  { name: 'pipeline', base: (scheduler) => ({ name: 'p', retry: retryBackoff({ maxAttempts: 2, backoff: constant(1), scheduler }), breaker: circuitBreaker({ scheduler }), timeLimit: timeLimit({ duration: 10, scheduler }) }), build: (c) => pipeline(c as never), run: operator },
  { name: 'tokenBucket', base: (scheduler) => ({ capacity: 5, refill: { tokens: 1, every: 100 }, mode: 'wait', maxWait: 1_000, scheduler }), build: (c) => tokenBucket(c as never), run: operator, known: ['capacity', 'refill', 'refill.tokens', 'maxWait', 'cost'] },
  { name: 'slidingWindow', base: (scheduler) => ({ limit: 5, window: 100, cost: 1, scheduler }), build: (c) => slidingWindow(c as never), run: operator, known: ['limit', 'cost', 'maxKeys'] },
  { name: 'fixedWindow', base: (scheduler) => ({ limit: 5, window: 100, mode: 'wait', scheduler }), build: (c) => fixedWindow(c as never), run: operator, known: ['limit', 'cost', 'maxWait'] },
  { name: 'adaptiveRateLimit', base: (scheduler) => ({ base: 10, min: 2, max: 20, window: 1_000, scheduler }), build: (c) => adaptiveRateLimit(c as never), run: operator, known: ['base', 'cost', 'min', 'max'] },
  { name: 'adaptiveThrottle', base: (scheduler) => ({ k: 2, window: 1_000, random: () => 0.5, scheduler }), build: (c) => adaptiveThrottle(c as never), run: operator },
  { name: 'memoryStore', base: () => ({ maxKeys: 10 }), build: (c) => memoryStore(c as never), run: (b) => {
    const result = (b as ReturnType<typeof memoryStore>).take('k', 1, 0, { kind: 'fixed-window', limit: 1, window: 10 }, 0);
    expect(result).toMatchObject({ allowed: true });
  } },
  { name: 'exponential', base: () => ({ initial: 10, factor: 2, max: 1_000, jitter: 'full' }), build: (c) => exponential(c as never), run: backoffRun },
  { name: 'linear', base: () => ({ initial: 10, step: 10, max: 1_000 }), build: (c) => linear(c as never), run: backoffRun },
  { name: 'fibonacci', base: () => ({ initial: 10, max: 1_000 }), build: (c) => fibonacci(c as never), run: backoffRun },
  { name: 'decorrelatedJitter', base: () => ({ initial: 10, max: 1_000 }), build: (c) => decorrelatedJitter(c as never), run: backoffRun },
  { name: 'constant', base: () => ({ ms: 10 }), build: (c) => constant((c as { ms: number } | null)?.ms as number), run: backoffRun, known: ['ms'] },
  { name: 'healthCheck', base: (scheduler) => ({ interval: 100, timeLimit: 50, failureThreshold: 2, recoveryThreshold: 1, scheduler }), build: (c) => healthCheck('db', () => of(true), c as never), run: component },
  { name: 'healthFromBreaker', base: (scheduler) => ({ name: 'b', kind: 'deep', critical: true, scheduler }), build: (c) => healthFromBreaker(circuitBreaker(), c as never), run: component },
  { name: 'healthFromBulkhead', base: (scheduler) => ({ name: 'p', scheduler }), build: (c) => healthFromBulkhead(bulkhead({ maxConcurrent: 1 }), c as never), run: component },
  { name: 'healthMonitor', base: (scheduler) => ({ components: [], scheduler }), build: (c) => healthMonitor(c as never), run: buildOnly, known: ['components'] },
  { name: 'operationMode', base: (scheduler) => ({ health$: NEVER, rules: [], scheduler }), build: (c) => operationMode(c as never), run: buildOnly, known: ['health$'] },
  { name: 'chaos', base: (scheduler) => ({ name: 'c', rate: 0.5, fault: errorFault(), enabled: true, maxInjections: 10, random: () => 0.3, scheduler }), build: (c) => chaos(c as never), run: operator, known: ['rate', 'fault'] },
  { name: 'chaosExperiment', base: (scheduler) => ({ name: 'x', inject: [chaos({ rate: 1, fault: errorFault() })], duration: 100, abortWhen: NEVER, observe: [circuitBreaker()], recoveryTimeout: 10, scheduler }), build: (c) => chaosExperiment(c as never).report$, run: component, known: ['inject', 'duration'] },
  { name: 'resilienceRegistry', base: (scheduler) => ({ name: 'r', scheduler }), build: (c) => resilienceRegistry(c as never), run: buildOnly },
];

