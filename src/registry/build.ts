/**
 * @internal Builds a policy from a validated spec (seconds become milliseconds), carrying state over
 * from the policy it replaces where a policy can take it:
 * - a circuit breaker: `exportState()` of the old one becomes `initialState` of the new one;
 * - a rate limiter: the new one keeps the old one's store (same algorithm), so its buckets and
 *   windows carry over; the algorithm's parameters travel with every take.
 * Retry, time limit and chaos keep no state between calls (a rebuilt chaos policy counts its
 * injections from zero, and is not enlisted in the experiments of the one it replaces). A bulkhead cannot carry its slots: calls in
 * flight finish on the old pool while the new one starts empty.
 */
import type { SchedulerLike } from 'rxjs';
import { exponential } from '../backoff/index.js';
import type { RandomSource } from '../backoff/index.js';
import { ConfigError, isResilienceError } from '../errors.js';
import { bulkhead } from '../bulkhead/bulkhead.js';
import { chaos } from '../chaos/chaos.js';
import { errorFault, latencyFault } from '../chaos/faults.js';
import { seededRandom } from '../chaos/seededRandom.js';
import { circuitBreaker, type CircuitBreaker } from '../breaker/circuitBreaker.js';
import { fixedWindow } from '../rate/fixedWindow.js';
import { retryBackoff } from '../retry/retryBackoff.js';
import { slidingWindow } from '../rate/slidingWindow.js';
import { timeLimit } from '../time/timeLimit.js';
import { tokenBucket } from '../rate/tokenBucket.js';
import { memoryStore } from '../rate/memoryStore.js';
import type { RateStore } from '../rate/store.js';
import type { AnyPolicy } from './handle.js';
import type { PolicySpec, Section, Value } from './schema.js';

export interface BuildContext {
  readonly scheduler: SchedulerLike;
  readonly random: RandomSource | undefined;
}

/** What a built policy leaves for the one that replaces it. */
export interface Built {
  readonly policy: AnyPolicy;
  readonly spec: PolicySpec;
  /** Rate limiters: the store, kept across reloads while the algorithm stays. */
  readonly store?: RateStore;
}

const ms = (seconds: Value | undefined): number | undefined => (seconds === undefined ? undefined : Math.round((seconds as number) * 1e6) / 1e3);

/** Builds `spec`; `previous` is what it replaces (same name and kind), whose state it takes over. */
export function buildPolicy(spec: PolicySpec, context: BuildContext, previous?: { readonly built: Built; readonly current: AnyPolicy }): Built {
  return asWritten(spec, FIELDS[spec.section], () => build(spec, context, previous));
}

/** Per section, the factory option each config field becomes (a dotted option names its parent too). */
const FIELDS: Readonly<Record<Section, Readonly<Record<string, string>>>> = {
  circuit_breakers: { strategy: 'failure_threshold', 'strategy.failures': 'failure_threshold', successThreshold: 'success_threshold', halfOpenMaxCalls: 'half_open_max_calls', breakDuration: 'timeout' },
  retry_policies: { maxAttempts: 'max_retries', maxElapsed: 'max_elapsed', resetOnSuccess: 'reset_on_success' },
  timeouts: { duration: 'duration', first: 'first', each: 'each' },
  bulkheads: { maxConcurrent: 'max_concurrent', maxQueued: 'max_queued', queueTimeout: 'queue_timeout' },
  rate_limits: { capacity: 'capacity', refill: 'refill_per_second', 'refill.tokens': 'refill_per_second', 'refill.every': 'refill_per_second', limit: 'limit', window: 'window', mode: 'mode', maxWait: 'max_wait', cost: 'cost' },
  chaos: { enabled: 'enabled', rate: 'rate', fault: 'fault', ms: 'latency', maxInjections: 'max_injections', seed: 'seed' },
};
/** The retry's `exponential` backoff options. */
const BACKOFF_FIELDS: Readonly<Record<string, string>> = { initial: 'initial_delay', factor: 'backoff_factor', max: 'max_delay', jitter: 'jitter' };

/**
 * Runs a factory; a value it refuses is reported the way the user wrote it: under the config field
 * (its path in the file, or the env variable that set it), with the value as written there (seconds,
 * an env variable's text), and what the factory made of it. An option no field maps to is reported
 * under the policy's path.
 */
function asWritten<T>(spec: PolicySpec, fields: Readonly<Record<string, string>>, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!isResilienceError(error, 'CONFIG_INVALID')) throw error;
    const e = error as ConfigError;
    const field = fields[e.field] ?? fields[e.field.split('.')[0]!];
    const became = `${e.field} = ${describeValue(e.value)}, which must be ${e.allowed}`;
    if (field === undefined) throw new ConfigError('config', spec.path, e.value, `settings the ${spec.kind} accepts (they give ${became})`);
    throw new ConfigError('config', spec.origins[field] ?? `${spec.path}.${field}`, spec.written[field] ?? spec.values[field], `a value the ${spec.kind} accepts (it becomes ${became})`);
  }
}

function describeValue(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function build(spec: PolicySpec, { scheduler, random }: BuildContext, previous: { readonly built: Built; readonly current: AnyPolicy } | undefined): Built {
  const v = spec.values;
  const name = spec.name;
  switch (spec.section) {
    case 'circuit_breakers': {
      const initialState = previous === undefined ? undefined : (previous.current as unknown as CircuitBreaker).exportState();
      const policy = circuitBreaker({
        name,
        scheduler,
        strategy: { kind: 'consecutive', failures: v.failure_threshold as number },
        successThreshold: v.success_threshold as number,
        halfOpenMaxCalls: v.half_open_max_calls as number,
        breakDuration: ms(v.timeout)!,
        latency: v.latency as boolean,
        ...(initialState === undefined ? {} : { initialState }),
      });
      return { policy, spec };
    }
    case 'retry_policies': {
      const jitter = v.jitter as 'none' | 'full' | 'equal' | 'decorrelated';
      const backoff = asWritten(spec, BACKOFF_FIELDS, () =>
        exponential({ initial: ms(v.initial_delay)!, factor: v.backoff_factor as number, max: ms(v.max_delay)!, jitter, ...(random === undefined ? {} : { random }) }),
      );
      const maxElapsed = ms(v.max_elapsed);
      // Decision 9 (docs/decisions.md): max_retries counts retries, maxAttempts counts the first call too.
      const policy = retryBackoff({ name, scheduler, maxAttempts: (v.max_retries as number) + 1, backoff, resetOnSuccess: v.reset_on_success as boolean, latency: v.latency as boolean, ...(maxElapsed === undefined ? {} : { maxElapsed }) });
      return { policy, spec };
    }
    case 'timeouts': {
      const limits: Record<string, number> = {};
      for (const field of ['duration', 'first', 'each'] as const) if (v[field] !== undefined) limits[field] = ms(v[field])!;
      return { policy: timeLimit({ name, scheduler, ...limits, latency: v.latency as boolean }), spec };
    }
    case 'bulkheads': {
      const queueTimeout = ms(v.queue_timeout);
      const policy = bulkhead({ name, scheduler, maxConcurrent: v.max_concurrent as number, maxQueued: v.max_queued as number, latency: v.latency as boolean, ...(queueTimeout === undefined ? {} : { queueTimeout }) });
      return { policy, spec };
    }
    case 'rate_limits': {
      const sameAlgorithm = previous !== undefined && previous.built.spec.values.algorithm === v.algorithm;
      const store = sameAlgorithm && previous.built.store !== undefined ? previous.built.store : memoryStore();
      const maxWait = ms(v.max_wait);
      const common = { name, scheduler, store, mode: v.mode as 'reject' | 'wait', cost: v.cost as number, ...(maxWait === undefined ? {} : { maxWait }) };
      const policy =
        v.algorithm === 'token_bucket'
          ? tokenBucket({ ...common, capacity: v.capacity as number, refill: { tokens: v.refill_per_second as number, every: 1_000 } })
          : (v.algorithm === 'sliding_window' ? slidingWindow : fixedWindow)({ ...common, limit: v.limit as number, window: ms(v.window)! });
      return { policy, spec, store };
    }
    case 'chaos': {
      // An error fault from config fails calls with InjectedFaultError; a seed replays the run.
      const fault = v.fault === 'latency' ? latencyFault(ms(v.latency)!) : errorFault();
      const source = v.seed === undefined ? random : seededRandom(v.seed as number);
      const maxInjections = v.max_injections as number | undefined;
      const policy = chaos({ name, scheduler, rate: v.rate as number, fault, enabled: v.enabled as boolean, ...(maxInjections === undefined ? {} : { maxInjections }), ...(source === undefined ? {} : { random: source }) });
      return { policy, spec };
    }
  }
}

/** Fields (file names) whose values differ between two specs of the same policy. */
export function changedFields(before: PolicySpec, after: PolicySpec): string[] {
  const fields = new Set([...Object.keys(before.values), ...Object.keys(after.values)]);
  return [...fields].filter((field) => !Object.is(before.values[field], after.values[field]));
}
