/**
 * The machinery of the config fuzz tests: a factory's valid base config, one to three random
 * mistakes put into it, and the check that the factory either refuses with a ConfigError naming a
 * field of the input (or a field it lists as known) or builds something that works.
 */
import { fc } from '@fast-check/vitest';
import { NEVER, Observable, of, type OperatorFunction, type SchedulerLike, VirtualTimeScheduler } from 'rxjs';
import { expect } from 'vitest';
import { ConfigError } from 'rx-resilience';

export type Run = (built: unknown, scheduler: VirtualTimeScheduler) => void;

export interface Factory {
  readonly name: string;
  readonly base: (scheduler: SchedulerLike) => Record<string, unknown>;
  readonly build: (config: unknown) => unknown;
  readonly run: Run;
  /** Fields the factory may name beyond the paths of its input (required options, cross-field rules). */
  readonly known?: readonly string[];
  /** For a factory of several arguments: the base key of the options argument, whose fields it names without the key. */
  readonly nested?: string;
}

/** Runs the scheduled actions one at a time; more than `limit` of them is a hang. */
export function drain(scheduler: VirtualTimeScheduler, limit = 5_000): number {
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

/**
 * One call through an operator ends; a call cancelled at once leaves at most the policy's one
 * action scheduled, which ends by itself (nothing is scheduled per call; a time limit or a hedge
 * cancels its action lazily, by its last deadline).
 */
export const operator: Run = (built, scheduler) => {
  const policy = built as OperatorFunction<number, unknown>;
  let ended = false;
  of(1).pipe(policy).subscribe({ error: () => (ended = true), complete: () => (ended = true) });
  drain(scheduler);
  expect(ended).toBe(true);
  NEVER.pipe(policy).subscribe({ error: () => undefined }).unsubscribe();
  expect(scheduler.actions.length).toBeLessThanOrEqual(1);
  drain(scheduler);
  expect(scheduler.actions).toHaveLength(0);
};

/** A stream is subscribed, runs a few scheduled turns, and leaves nothing scheduled once unsubscribed. */
export const component: Run = (built, scheduler) => {
  const subscription = (built as Observable<unknown>).subscribe({ error: () => undefined });
  for (let i = 0; i < 20 && scheduler.actions.length > 0; i++) {
    const action = scheduler.actions.shift()!;
    scheduler.frame = action.delay;
    action.execute(action.state, action.delay);
  }
  subscription.unsubscribe();
  expect(scheduler.actions).toHaveLength(0);
};

export const buildOnly: Run = () => undefined;

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
export const nasty: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: numbers },
  { weight: 3, arbitrary: special.map((make) => make()) },
  { weight: 2, arbitrary: fc.oneof(fc.double(), fc.integer(), fc.string({ maxLength: 6 }), fc.boolean()) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

/** Every path of `value` through plain objects and arrays: the fields a ConfigError may name. */
export function paths(value: unknown, prefix = '', out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 4 || typeof value !== 'object' || value === null) return out;
  if (!Array.isArray(value) && ![Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)) return out;
  for (const key of Object.keys(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    out.add(path);
    paths((value as Record<string, unknown>)[key], path, out, depth + 1);
  }
  return out;
}

export interface Mutation {
  readonly path: readonly string[];
  readonly value: unknown;
}

export function mutate(base: Record<string, unknown>, mutations: readonly Mutation[]): unknown {
  let config: unknown = base;
  for (const { path, value } of mutations) {
    if (path.length === 0) {
      config = value;
      continue;
    }
    let at = config;
    for (const key of path.slice(0, -1)) {
      if (typeof at !== 'object' || at === null || Object.getPrototypeOf(at) !== Object.prototype) break;
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

/** One to three mistakes, mostly at the paths of `base`, some at extra keys or replacing it whole. */
export function mutationsOf(base: Record<string, unknown>): fc.Arbitrary<Mutation[]> {
  const known = [...paths(base)].filter((p) => !p.startsWith('scheduler.'));
  const pathArb = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...known).map((p) => p.split('.')) },
    { weight: 1, arbitrary: fc.constantFrom(...EXTRA_KEYS).map((k) => [k]) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...known), fc.constantFrom(...EXTRA_KEYS)).map(([p, k]) => [...p.split('.'), k]) },
    { weight: 1, arbitrary: fc.constant([] as string[]) },
  );
  return fc.array(fc.record({ path: pathArb, value: nasty }), { minLength: 1, maxLength: 3 });
}

/** A random factory of `factories` with random mistakes in its config. */
export function casesOf(factories: readonly Factory[]): fc.Arbitrary<{ index: number; mutations: Mutation[] }> {
  return fc.integer({ min: 0, max: factories.length - 1 }).chain((index) =>
    fc.record({ index: fc.constant(index), mutations: mutationsOf(factories[index]!.base(new VirtualTimeScheduler())) }),
  );
}

/** Asserts `error` is a ConfigError whose field is one of `allowed` (an array index may be dropped). */
export function expectConfigError(error: unknown, allowed: ReadonlySet<string>): void {
  expect(error).toBeInstanceOf(ConfigError);
  const field = (error as ConfigError).field;
  // A missing required field is named inside an object the input has: its parent is allowed.
  const parent = field.replace(/\.[^.]+$/, '');
  expect(allowed.has(field) || allowed.has(field.replace(/\.\d+$/, '')) || (parent !== field && allowed.has(parent)), `field ${field}`).toBe(true);
}

/** Builds `factory` from its base config with `mutations`: a ConfigError naming a field, or a working result. */
export function check(factory: Factory, mutations: readonly Mutation[]): void {
  const scheduler = new VirtualTimeScheduler();
  const config = mutate(factory.base(scheduler), mutations);
  let built: unknown;
  try {
    built = factory.build(config);
  } catch (error) {
    const base = factory.base(scheduler);
    const options = factory.nested === undefined ? [] : [...paths((config as Record<string, unknown> | null)?.[factory.nested]), ...paths(base[factory.nested])];
    // A config that is not a plain object may still be refused by naming one of its own keys.
    const own = typeof config === 'object' && config !== null ? Object.keys(config) : [];
    expectConfigError(error, new Set(['config', '', ...own, ...paths(config), ...paths(base), ...options, ...(factory.known ?? [])]));
    return;
  }
  factory.run(built, scheduler);
}

/** The runs of a fuzz property: `FUZZ_RUNS` scales every default by the same factor (8 000 = 1×). */
export function runs(defaultRuns: number): number {
  const override = process.env.FUZZ_RUNS;
  return override === undefined ? defaultRuns : Math.max(1, Math.round((defaultRuns * Number(override)) / 8_000));
}
