/**
 * Random configs against every factory: each either refuses with a ConfigError naming a field of
 * the input (or a known option), or builds a policy that works: one call through it ends in
 * virtual time within a bounded number of scheduled actions, and unsubscribing leaves nothing
 * scheduled. Never another error type, and never a hang.
 */
import { fc, test } from '@fast-check/vitest';
import { NEVER, Observable, of, type OperatorFunction, type SchedulerLike, VirtualTimeScheduler } from 'rxjs';
import { expect } from 'vitest';
import {
  adaptiveConcurrency,
  adaptiveRateLimit,
  adaptiveThrottle,
  bulkhead,
  cache,
  circuitBreaker,
  ConfigError,
  constant,
  decorrelatedJitter,
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
  resilienceRegistry,
  retryBackoff,
  retryBudget,
  slidingWindow,
  timeLimit,
  tokenBucket,
} from 'rx-resilience';

type Run = (built: unknown, scheduler: VirtualTimeScheduler) => void;

interface Factory {
  readonly name: string;
  readonly base: (scheduler: SchedulerLike) => Record<string, unknown>;
  readonly build: (config: unknown) => unknown;
  readonly run: Run;
  /** Fields the factory may name beyond the paths of its input (required options, cross-field rules). */
  readonly known?: readonly string[];
}

/** Runs the scheduled actions one at a time; more than `limit` of them is a hang. */
function drain(scheduler: VirtualTimeScheduler, limit = 5_000): number {
  let steps = 0;
  while (scheduler.actions.length > 0) {
    if (++steps > limit) throw new Error(`still scheduling after ${limit} actions`);
    const action = scheduler.actions.shift()!;
    scheduler.frame = action.delay;
    const error = action.execute(action.state, action.delay);
    if (error) throw error;
  }
  return steps;
}

const operator: Run = (built, scheduler) => {
  const policy = built as OperatorFunction<number, unknown>;
  let ended = false;
  of(1).pipe(policy).subscribe({ error: () => (ended = true), complete: () => (ended = true) });
  drain(scheduler);
  expect(ended).toBe(true);
  // A call that never answers, cancelled at once: nothing of it stays scheduled.
  NEVER.pipe(policy).subscribe({ error: () => undefined }).unsubscribe();
  expect(scheduler.actions).toHaveLength(0);
};

const component: Run = (built, scheduler) => {
  const subscription = (built as Observable<unknown>).subscribe({ error: () => undefined });
  for (let i = 0; i < 20 && scheduler.actions.length > 0; i++) {
    const action = scheduler.actions.shift()!;
    scheduler.frame = action.delay;
    action.execute(action.state, action.delay);
  }
  subscription.unsubscribe();
  expect(scheduler.actions).toHaveLength(0);
};

const backoffRun: Run = (built) => {
  const delay = (built as (attempt: number, previous?: number) => number)(3, 10);
  expect(delay).toBeGreaterThanOrEqual(0);
  expect(delay).toBeLessThanOrEqual(2 ** 31 - 1);
};

const buildOnly: Run = () => undefined;

const FACTORIES: readonly Factory[] = [
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
  { name: 'resilienceRegistry', base: (scheduler) => ({ name: 'r', scheduler }), build: (c) => resilienceRegistry(c as never), run: buildOnly },
];

const special = fc.constantFrom<() => unknown>(
  () => null,
  () => new Date(0),
  () => /x/,
  () => new Map([['a', 1]]),
  () => [1, 2],
  () => new (class Options {
    size = 3;
  })(),
  () => Object.create(null) as object,
  () => () => 1,
  () => ({ kind: 'time', duration: 2 ** 40 }),
  () => of(1),
);
const numbers = fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -0, -1, 0.5, 1e-300, 5e-324, 1e300, 2 ** 31 - 1, 2 ** 31, 2 ** 40, 2 ** 53, Number.MAX_VALUE, 1_000_001);
const nasty: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: numbers },
  { weight: 3, arbitrary: special.map((make) => make()) },
  { weight: 2, arbitrary: fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 6 }), fc.boolean()) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Every path of `value` through plain objects and arrays: the fields a ConfigError may name. */
function paths(value: unknown, prefix = '', out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 4 || typeof value !== 'object' || value === null) return out;
  if (!Array.isArray(value) && ![Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) return out;
  for (const key of Object.keys(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.add(path);
    paths((value as Record<string, unknown>)[key], path, out, depth + 1);
  }
  return out;
}

interface Mutation {
  readonly path: readonly string[];
  readonly value: unknown;
}

function mutate(base: Record<string, unknown>, mutations: readonly Mutation[]): unknown {
  let config: unknown = base;
  for (const { path, value } of mutations) {
    if (path.length === 0) {
      config = value;
      continue;
    }
    let at = config;
    for (const key of path.slice(0, -1)) {
      if (typeof at !== 'object' || at === null) break;
      const record = at as Record<string, unknown>;
      // Descend into plain copies only: never write into a shared object (a Date or a scheduler).
      if (typeof record[key] !== 'object' || record[key] === null || Object.getPrototypeOf(record[key]) !== Object.prototype) record[key] = {};
      else record[key] = { ...(record[key] as object) };
      at = record[key];
    }
    if (typeof at === 'object' && at !== null && Object.getPrototypeOf(at) === Object.prototype) (at as Record<string, unknown>)[path[path.length - 1]!] = value;
  }
  return config;
}

const EXTRA_KEYS = ['bogus', 'constructor', 'toString', 'kind', 'size', 'window', 'limit'];

const caseArb = fc.integer({ min: 0, max: FACTORIES.length - 1 }).chain((index) => {
  const factory = FACTORIES[index]!;
  const known = [...paths(factory.base(new VirtualTimeScheduler()))].filter((p) => !p.startsWith('scheduler.'));
  const pathArb = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known).map((p) => p.split('.')) },
    { weight: 1, arbitrary: fc.constantFrom(...EXTRA_KEYS).map((k) => [k]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...known), fc.constantFrom(...EXTRA_KEYS)).map(([p, k]) => [...p.split('.'), k]) },
    { weight: 1, arbitrary: fc.constant([] as string[]) },
  );
  return fc.record({ index: fc.constant(index), mutations: fc.array(fc.record({ path: pathArb, value: nasty }), { minLength: 1, maxLength: 3 }) });
});

test.prop([caseArb], { numRuns: Number(process.env.FUZZ_RUNS ?? 8_000) })('a random config is a ConfigError naming a field, or a policy that works', ({ index, mutations }) => {
  const factory = FACTORIES[index]!;
  const scheduler = new VirtualTimeScheduler();
  const config = mutate(factory.base(scheduler), mutations);
  let built: unknown;
  try {
    built = factory.build(config);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const field = (error as ConfigError).field;
    const allowed = new Set(['config', '', ...paths(config), ...paths(factory.base(scheduler)), ...(factory.known ?? [])]);
    expect(allowed.has(field) || allowed.has(field.replace(/\.\d+$/, ''))).toBe(true);
    return;
  }
  factory.run(built, scheduler);
});
