/**
 * `fromConfig` fuzzed three ways: a config object with random mistakes, YAML text (the object
 * written out, then cut, spliced with junk or replaced by random text), and random environment
 * overrides. Each gives a ConfigError naming a YAML path, an env variable or the source, or a
 * registry whose policies take a call, end it in virtual time and, once closed, leave nothing
 * scheduled.
 */
import { fc } from '@fast-check/vitest';
import { of, VirtualTimeScheduler } from 'rxjs';
import { expect } from 'vitest';
import { stringify, parse } from 'yaml';
import { fromConfig } from 'rx-resilience/config';
import { drain, expectConfigError, type Mutation, mutate, mutationsOf, paths } from './fuzz.js';

const BASE = {
  circuit_breakers: { db: { failure_threshold: 3, success_threshold: 1, timeout: 0.05, half_open_max_calls: 1 } },
  retry_policies: { api: { max_retries: 2, initial_delay: 0.01, backoff_factor: 2, max_delay: 0.1, jitter: 'none', max_elapsed: 1 } },
  timeouts: { q: 0.1, w: { duration: 0.2, first: 0.05, each: 0.02 } },
  bulkheads: { pool: { max_concurrent: 2, max_queued: 2, queue_timeout: 0.1 } },
  rate_limits: { api: { algorithm: 'token_bucket', capacity: 5, refill_per_second: 10, mode: 'wait', max_wait: 1 }, login: { algorithm: 'sliding_window', limit: 3, window: 1 } },
};
const base = () => structuredClone(BASE) as Record<string, unknown>;
/** Every field of the schema: a refusal may name a field of a policy in the input it was not written in (a missing required one, the other side of a cross-field rule). */
const FIELDS = ['failure_threshold', 'success_threshold', 'timeout', 'half_open_max_calls', 'latency', 'max_retries', 'initial_delay', 'backoff_factor', 'max_delay', 'jitter', 'max_elapsed', 'reset_on_success', 'duration', 'first', 'each', 'max_concurrent', 'max_queued', 'queue_timeout', 'algorithm', 'capacity', 'refill_per_second', 'limit', 'window', 'mode', 'max_wait', 'cost'];

/** Builds a registry from `source`; a refusal must name one of `allowed` (plus the paths of what was parsed). */
function attempt(source: unknown, env: Record<string, string>, allowed: readonly string[]): void {
  const scheduler = new VirtualTimeScheduler();
  let registry: ReturnType<typeof fromConfig>;
  try {
    registry = fromConfig(source as never, { env, scheduler });
  } catch (error) {
    const parsed = typeof source === 'string' ? safeParse(source) : source;
    const policies = [...paths(parsed)].filter((p) => p.split('.').length === 2);
    const under = policies.flatMap((p) => FIELDS.map((f) => `${p}.${f}`));
    expectConfigError(error, new Set(['', 'source', ...(typeof source === 'string' ? [source.trim()] : []), ...paths(parsed), ...under, ...allowed, ...Object.keys(env)]));
    return;
  }
  for (const name of registry.names()) {
    let ended = false;
    of(1).pipe(registry.get(name) as never).subscribe({ error: () => (ended = true), complete: () => (ended = true) });
    drain(scheduler);
    expect(ended, name).toBe(true);
  }
  registry.close();
  expect(scheduler.actions).toHaveLength(0);
}

function safeParse(text: string): unknown {
  try {
    return parse(text, { logLevel: 'error' }) as unknown;
  } catch {
    return undefined;
  }
}

const objects = mutationsOf(base());

const texts = fc.oneof(
  objects.map((mutations) => stringify(mutate(base(), mutations), (_key, value: unknown) => (typeof value === 'function' ? 'fn' : value))),
  fc.tuple(fc.nat(), fc.string({ maxLength: 8, unit: fc.constantFrom(':', '-', ' ', '\n', '{', '[', '"', '#', '&', '*', '!', 'a', '1', '.') })).map(([at, junk]) => {
    const text = stringify(BASE);
    const cut = at % (text.length + 1);
    return text.slice(0, cut) + junk + text.slice(cut);
  }),
  fc.string({ maxLength: 40 }),
  fc.constantFrom('a.yaml', 'missing/config.yml', '~', '!!binary AAAA', '[1, 2]', 'circuit_breakers: 3', '*alias', '&a [*a]'),
);

const VARIABLES = [
  'RESILIENCE_CIRCUIT_BREAKER_DB_FAILURE_THRESHOLD',
  'RESILIENCE_CIRCUIT_BREAKER_DB_TIMEOUT',
  'RESILIENCE_RETRY_POLICY_API_MAX_RETRIES',
  'RESILIENCE_RETRY_POLICY_API_JITTER',
  'RESILIENCE_TIMEOUT_Q_DURATION',
  'RESILIENCE_TIMEOUT_W_EACH',
  'RESILIENCE_BULKHEAD_POOL_MAX_CONCURRENT',
  'RESILIENCE_BULKHEAD_POOL_LATENCY',
  'RESILIENCE_RATE_LIMIT_API_CAPACITY',
  'RESILIENCE_RATE_LIMIT_LOGIN_WINDOW',
  'RESILIENCE_RATE_LIMIT_LOGIN_ALGORITHM',
  'RESILIENCE_BULKHEAD_NOPE_MAX_QUEUED',
  'RESILIENCE_OTHER',
  'PATH',
];
const envValues = fc.oneof(
  fc.constantFrom('', ' ', '1', '0', '-1', '0.5', '1e309', 'NaN', 'Infinity', '2147483648', '9007199254740993', 'true', 'no', 'none', 'full', 'sliding_window', 'fixed_window', '0x10', '1_000'),
  fc.string({ maxLength: 6 }),
);
const envs = fc.dictionary(fc.constantFrom(...VARIABLES), envValues, { minKeys: 1, maxKeys: 4 });

export interface FromConfigFuzz {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<unknown>;
  readonly property: (value: unknown) => void;
}

export const FROM_CONFIG_FUZZ: readonly FromConfigFuzz[] = [
  { name: 'objects', arbitrary: objects, property: (mutations) => attempt(mutate(base(), mutations as Mutation[]), {}, ['config']) },
  { name: 'YAML text', arbitrary: texts, property: (text) => attempt(text, {}, ['config']) },
  { name: 'env overrides', arbitrary: envs, property: (env) => attempt(base(), env as Record<string, string>, ['config']) },
];
