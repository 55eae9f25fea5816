/**
 * @internal The config file's schema (`config/resilience.yaml`): sections, fields, their
 * types, defaults and units, and the environment overrides `RESILIENCE_<POLICY>_<NAME>_<FIELD>`.
 *
 * `parseConfig` validates a whole config (file values merged with env values, env winning) and
 * returns one normalized spec per policy, in the file's names and units (seconds). Every refusal
 * is a `ConfigError` whose `field` is the path in the file (`circuit_breakers.database.timeout`)
 * or, for a value that came from the environment, the variable's name.
 */
import { checker } from '../internal/validate.js';
import type { RegistryKind as PolicyKind } from './kind.js';

export type Section = 'circuit_breakers' | 'retry_policies' | 'timeouts' | 'bulkheads' | 'rate_limits' | 'chaos';
export type Value = number | string | boolean;

type FieldType =
  | { readonly type: 'integer'; readonly min: number }
  | { readonly type: 'seconds'; readonly zero?: boolean }
  | { readonly type: 'number'; readonly min: number; readonly max: number; readonly above?: boolean }
  | { readonly type: 'boolean' }
  | { readonly type: 'enum'; readonly values: readonly string[] };

type FieldSpec = FieldType & {
  readonly default?: Value;
  /** Rate limits: the algorithms this field belongs to (and is required for, with `required`). */
  readonly only?: readonly string[];
  readonly required?: boolean;
};

interface SectionSpec {
  /** The `<POLICY>` part of the env variables. */
  readonly env: string;
  readonly kind: PolicyKind;
  readonly fields: Readonly<Record<string, FieldSpec>>;
}

const BUCKET = ['token_bucket'];
const WINDOWS = ['sliding_window', 'fixed_window'];

export const SECTIONS: Readonly<Record<Section, SectionSpec>> = {
  circuit_breakers: {
    env: 'CIRCUIT_BREAKER',
    kind: 'circuit-breaker',
    fields: {
      failure_threshold: { type: 'integer', min: 1, default: 5 },
      success_threshold: { type: 'integer', min: 1, default: 1 },
      timeout: { type: 'seconds', default: 60 },
      half_open_max_calls: { type: 'integer', min: 1, default: 1 },
      latency: { type: 'boolean', default: false },
    },
  },
  retry_policies: {
    env: 'RETRY_POLICY',
    kind: 'retry',
    fields: {
      max_retries: { type: 'integer', min: 0, default: 2 },
      initial_delay: { type: 'seconds', zero: true, default: 0.1 },
      backoff_factor: { type: 'number', min: 1, max: 1000, default: 2 },
      max_delay: { type: 'seconds', zero: true, default: 30 },
      jitter: { type: 'enum', values: ['none', 'full', 'equal', 'decorrelated'], default: 'full' },
      max_elapsed: { type: 'seconds' },
      reset_on_success: { type: 'boolean', default: false },
      latency: { type: 'boolean', default: false },
    },
  },
  timeouts: {
    env: 'TIMEOUT',
    kind: 'time-limit',
    fields: { duration: { type: 'seconds' }, first: { type: 'seconds' }, each: { type: 'seconds' }, latency: { type: 'boolean', default: false } },
  },
  bulkheads: {
    env: 'BULKHEAD',
    kind: 'bulkhead',
    fields: {
      max_concurrent: { type: 'integer', min: 1, required: true },
      max_queued: { type: 'integer', min: 0, default: 0 },
      queue_timeout: { type: 'seconds' },
      latency: { type: 'boolean', default: false },
    },
  },
  rate_limits: {
    env: 'RATE_LIMIT',
    kind: 'rate-limiter',
    fields: {
      algorithm: { type: 'enum', values: [...BUCKET, ...WINDOWS], default: 'token_bucket' },
      capacity: { type: 'number', min: 0, max: Number.MAX_VALUE, above: true, only: BUCKET, required: true },
      refill_per_second: { type: 'number', min: 0, max: Number.MAX_VALUE, above: true, only: BUCKET, required: true },
      limit: { type: 'integer', min: 1, only: WINDOWS, required: true },
      window: { type: 'seconds', only: WINDOWS, default: 1 },
      mode: { type: 'enum', values: ['reject', 'wait'], default: 'reject' },
      max_wait: { type: 'seconds', zero: true },
      cost: { type: 'number', min: 0, max: Number.MAX_VALUE, above: true, default: 1 },
    },
  },
  chaos: {
    env: 'CHAOS',
    kind: 'chaos',
    fields: {
      // Off unless switched on: a config copied from a test environment injects nothing.
      enabled: { type: 'boolean', default: false },
      rate: { type: 'number', min: 0, max: 1, required: true },
      fault: { type: 'enum', values: ['error', 'latency'], default: 'error' },
      latency: { type: 'seconds', zero: true },
      max_injections: { type: 'integer', min: 0 },
      seed: { type: 'integer', min: 0 },
    },
  },
};

/** One policy of a config, validated, in the file's names and units, defaults filled in. */
export interface PolicySpec {
  readonly section: Section;
  readonly name: string;
  readonly kind: PolicyKind;
  /** `circuit_breakers.database` */
  readonly path: string;
  readonly values: Readonly<Record<string, Value | undefined>>;
  /** Per field, where its value was written: the path in the file, or the env variable that set it. */
  readonly origins: Readonly<Record<string, string>>;
  /** Per field, the value as written there (seconds as in the file, an env variable's text), if any. */
  readonly written: Readonly<Record<string, unknown>>;
}

export type Env = Readonly<Record<string, string | undefined>>;

const check = checker('config');
const fail = check.fail;

/** The env variable that overrides `field` of policy `name` in `section`. */
export function envName(section: Section, name: string, field: string): string {
  return `RESILIENCE_${SECTIONS[section].env}_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${field.toUpperCase()}`;
}

/** Validates a whole config; returns its policies by name (unique across sections). */
export function parseConfig(input: unknown, env: Env): Map<string, PolicySpec> {
  const sections = Object.keys(SECTIONS) as Section[];
  const root = check.object('', input ?? {}, sections);
  const specs = new Map<string, PolicySpec>();
  const expected = new Map<string, string>();
  for (const section of sections) {
    const body = root[section] ?? {};
    const policies = check.object(section, body, Object.keys(body as object));
    for (const [name, raw] of Object.entries(policies)) {
      const path = `${section}.${name}`;
      if (name.trim() === '') fail(path, name, 'a non-empty policy name');
      const taken = specs.get(name);
      if (taken !== undefined) fail(path, raw, `a name not used elsewhere in the config (${taken.path} has it)`);
      for (const field of Object.keys(SECTIONS[section].fields)) {
        const variable = envName(section, name, field);
        const other = expected.get(variable);
        if (other !== undefined) fail(path, name, `a name whose environment variables differ from ${other}'s (${variable})`);
        expected.set(variable, path);
      }
      specs.set(name, parsePolicy(section, name, path, raw, env));
    }
  }
  for (const [variable, value] of Object.entries(env)) {
    const known = sections.some((s) => variable.startsWith(`RESILIENCE_${SECTIONS[s].env}_`));
    if (known && !expected.has(variable)) fail(variable, value, 'an override of a field of a policy in the config (RESILIENCE_<POLICY>_<NAME>_<FIELD>)');
  }
  return specs;
}

function parsePolicy(section: Section, name: string, path: string, raw: unknown, env: Env): PolicySpec {
  const { kind, fields } = SECTIONS[section];
  // A timeout may be written as its duration alone: `database_query: 10`.
  const shorthand = section === 'timeouts' && typeof raw !== 'object';
  const given = shorthand ? { duration: raw } : check.object(path, raw, Object.keys(fields));
  const where = (field: string) => (shorthand && field === 'duration' ? path : `${path}.${field}`);
  const values: Record<string, Value | undefined> = {};
  const origin: Record<string, string> = {};
  const written: Record<string, unknown> = {};
  const present = new Set<string>();
  for (const [field, spec] of Object.entries(fields)) {
    const variable = envName(section, name, field);
    const text = env[variable];
    const fromEnv = text !== undefined;
    origin[field] = fromEnv ? variable : where(field);
    written[field] = fromEnv ? text : (given as Record<string, unknown>)[field];
    const value = fromEnv ? fromText(variable, text, spec) : written[field];
    if (value !== undefined) present.add(field);
    values[field] = value === undefined ? spec.default : validate(origin[field], value, spec, written[field]);
  }
  if (section === 'timeouts' && values.duration === undefined && values.first === undefined && values.each === undefined) {
    fail(path, raw, 'a number of seconds, or an object with duration, first or each');
  }
  if (section === 'retry_policies' && (values.max_delay as number) < (values.initial_delay as number)) {
    fail(origin.max_delay!, written.max_delay ?? values.max_delay, `a number of seconds >= initial_delay (${String(values.initial_delay)})`);
  }
  if (section === 'bulkheads' && values.max_concurrent === undefined) fail(origin.max_concurrent!, undefined, 'an integer >= 1 (required)');
  if (section === 'rate_limits') checkLimit(values, { origin, written, present }, fields);
  if (section === 'chaos') checkChaos(values, { origin, written, present });
  return { section, name, kind, path, values, origins: origin, written };
}

interface Provenance {
  readonly origin: Readonly<Record<string, string>>;
  readonly written: Readonly<Record<string, unknown>>;
  readonly present: ReadonlySet<string>;
}

function checkLimit(values: Record<string, Value | undefined>, { origin, written, present }: Provenance, fields: Readonly<Record<string, FieldSpec>>): void {
  const algorithm = values.algorithm as string;
  for (const [field, spec] of Object.entries(fields)) {
    if (spec.only === undefined) continue;
    if (!spec.only.includes(algorithm)) {
      if (present.has(field)) fail(origin[field]!, written[field], `absent with algorithm ${algorithm}`);
      values[field] = undefined;
    } else if (spec.required && values[field] === undefined) {
      fail(origin[field]!, undefined, `given with algorithm ${algorithm} (${describeType(spec)})`);
    }
  }
  const room = (algorithm === 'token_bucket' ? values.capacity : values.limit) as number;
  if ((values.cost as number) > room) fail(origin.cost!, written.cost ?? values.cost, `a number <= ${algorithm === 'token_bucket' ? 'capacity' : 'limit'} (${room})`);
}

function checkChaos(values: Record<string, Value | undefined>, { origin, written, present }: Provenance): void {
  if (values.rate === undefined) fail(origin.rate!, undefined, 'a number in [0, 1] (required)');
  if (values.fault === 'latency' && values.latency === undefined) fail(origin.latency!, undefined, 'a number of seconds >= 0 (required with fault latency)');
  if (values.fault !== 'latency' && present.has('latency')) fail(origin.latency!, written.latency, `absent with fault ${String(values.fault)}`);
}

/** A plain decimal: digits, an optional leading `-` and one `.` between digits. No sign `+`, exponent, hex, spaces or `Infinity`. */
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** An env variable's text, taken as written (nothing is trimmed). */
function fromText(variable: string, text: string, spec: FieldSpec): Value {
  if (spec.type === 'enum') return text;
  if (spec.type === 'boolean') {
    const t = text.toLowerCase();
    if (t !== 'true' && t !== 'false') fail(variable, text, 'true or false');
    return t === 'true';
  }
  const n = DECIMAL.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n)) fail(variable, text, `${describeType(spec)}, written as a plain decimal (e.g. 12, 0.5)`);
  return n;
}

/** `shown` is the value as the user wrote it (an env variable's text), named in the error. */
function validate(field: string, value: unknown, spec: FieldSpec, shown: unknown = value): Value {
  const ok = (() => {
    switch (spec.type) {
      case 'integer':
        return typeof value === 'number' && Number.isInteger(value) && value >= spec.min;
      case 'seconds':
        return typeof value === 'number' && Number.isFinite(value) && (spec.zero ? value >= 0 : value > 0);
      case 'number':
        return typeof value === 'number' && Number.isFinite(value) && (spec.above ? value > spec.min : value >= spec.min) && value <= spec.max;
      case 'boolean':
        return typeof value === 'boolean';
      case 'enum':
        return typeof value === 'string' && spec.values.includes(value);
    }
  })();
  if (!ok) fail(field, shown, describeType(spec));
  return value as Value;
}

function describeType(spec: FieldSpec): string {
  switch (spec.type) {
    case 'integer':
      return `an integer >= ${spec.min}`;
    case 'seconds':
      return spec.zero ? 'a number of seconds >= 0' : 'a number of seconds > 0';
    case 'number':
      return spec.max === Number.MAX_VALUE ? `a number ${spec.above ? '>' : '>='} ${spec.min}` : `a number in [${spec.min}, ${spec.max}]`;
    case 'boolean':
      return 'true or false';
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
  }
}
