/**
 * Registry from a config file: the `config/resilience.yaml` shape, environment overrides,
 * and hot reload from an `Observable` of configs.
 *
 * State scope: the registry it returns, plus the config currently applied (one spec and one
 * built policy per name) and the subscription to the config source, until `close()`.
 */
import { readFileSync } from 'node:fs';
import { isObservable, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { parseDocument } from 'yaml';
import type { RandomSource } from '../backoff/index.js';
import { isResilienceError } from '../errors.js';
import { resolveScheduler } from '../internal/clock.js';
import { checker } from '../internal/validate.js';
import { buildPolicy, changedFields, type Built } from './build.js';
import { resilienceRegistry, type PolicyChange, type RegistryEvent, type RegistryInternals, type ResilienceRegistry } from './resilienceRegistry.js';
import { parseConfig, type Env, type PolicySpec } from './schema.js';

/** A config in the file's shape (snake_case names, seconds), as an object. */
export interface ResilienceConfig {
  readonly circuit_breakers?: Readonly<Record<string, { readonly failure_threshold?: number; readonly success_threshold?: number; readonly timeout?: number; readonly half_open_max_calls?: number; readonly latency?: boolean }>> | null;
  readonly retry_policies?: Readonly<Record<string, { readonly max_retries?: number; readonly initial_delay?: number; readonly backoff_factor?: number; readonly max_delay?: number; readonly jitter?: 'none' | 'full' | 'equal' | 'decorrelated'; readonly max_elapsed?: number; readonly reset_on_success?: boolean; readonly latency?: boolean }>> | null;
  readonly timeouts?: Readonly<Record<string, number | { readonly duration?: number; readonly first?: number; readonly each?: number; readonly latency?: boolean }>> | null;
  readonly bulkheads?: Readonly<Record<string, { readonly max_concurrent: number; readonly max_queued?: number; readonly queue_timeout?: number; readonly latency?: boolean }>> | null;
  readonly rate_limits?: Readonly<Record<string, RateLimitEntry>> | null;
  readonly chaos?: Readonly<Record<string, ChaosEntry>> | null;
}

/** A chaos policy in the config: `fault: error` fails calls with `InjectedFaultError`; `fault: latency` waits `latency` seconds. */
export interface ChaosEntry {
  readonly enabled?: boolean;
  readonly rate: number;
  readonly fault?: 'error' | 'latency';
  readonly latency?: number;
  readonly max_injections?: number;
  readonly seed?: number;
}

export interface RateLimitEntry {
  readonly algorithm?: 'token_bucket' | 'sliding_window' | 'fixed_window';
  readonly capacity?: number;
  readonly refill_per_second?: number;
  readonly limit?: number;
  readonly window?: number;
  readonly mode?: 'reject' | 'wait';
  readonly max_wait?: number;
  readonly cost?: number;
}

/** A config object, YAML text, or the path of a `.yaml`/`.yml`/`.json` file. */
export type ConfigInput = ResilienceConfig | string;

export interface FromConfigOptions {
  /** Where overrides are read, at every (re)load. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The clock of every policy built and of the registry. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** The registry's name. */
  readonly name?: string;
  /** Random source for retry jitter, and for chaos policies without a `seed`. Default `Math.random`. */
  readonly random?: RandomSource;
}

/** A registry built from config; `close()` stops following an `Observable` source. */
export interface ConfigRegistry extends ResilienceRegistry {
  close(): void;
}

/**
 * Builds a registry from a config (object, YAML text or file path), with environment overrides
 * `RESILIENCE_<POLICY>_<NAME>_<FIELD>` (e.g. `RESILIENCE_CIRCUIT_BREAKER_DATABASE_FAILURE_THRESHOLD=10`).
 * Given an `Observable` of configs, each new one reconfigures the policies in place: the handles
 * from `get()` keep working, a breaker keeps its state, and a `reconfigured` event lists what
 * changed; an invalid one is refused whole (`config-rejected` event) and the last good one stays.
 * An error of the source is a `config-rejected` event too; the registry keeps the last good config.
 *
 * ```text
 * config$:   a-------b-------c(invalid)
 * events$:   --------R-------X          R: reconfigured { changed: [{ name, fields }] }, X: config-rejected
 * ```
 *
 * ```ts
 * import type { CircuitBreaker } from 'rx-resilience';
 * import { fromConfig } from 'rx-resilience/config';
 * const registry = fromConfig('config/resilience.yaml');
 * const db = registry.get<CircuitBreaker>('database')!;
 * query$.pipe(db).subscribe(...);
 * console.log(registry.snapshot().database); // { name: 'database', kind: 'circuit-breaker', stats: {...} }
 * ```
 * @throws ConfigError naming the path (`circuit_breakers.database.failure_threshold`) or the env
 * variable of the first bad value, when the config is invalid, or when an Observable source applies
 * nothing while fromConfig runs but is refused (or errors) then.
 */
export function fromConfig(source: ConfigInput | Observable<ConfigInput>, options: FromConfigOptions = {}): ConfigRegistry {
  const check = checker('config');
  const o = check.object('options', options, ['env', 'scheduler', 'name', 'random']);
  const env = (o.env ?? (globalThis as { process?: { env?: Env } }).process?.env ?? {}) as Env;
  if (typeof env !== 'object' || env === null) check.fail('options.env', env, 'an object of strings');
  const scheduler = resolveScheduler(check.scheduler('options.scheduler', o.scheduler));
  const random = check.fn<RandomSource>('options.random', o.random);
  const registry = resilienceRegistry({ scheduler, ...(o.name === undefined ? {} : { name: o.name as string }) });
  const internals = registry as unknown as RegistryInternals;
  const current = new Map<string, Built>();

  const apply = (input: ConfigInput) => {
    const specs = parseConfig(load(input), env);
    // Build everything first: a config that fails anywhere changes nothing.
    const added: Built[] = [];
    const changed: { built: Built; fields: string[] }[] = [];
    for (const spec of specs.values()) {
      const before = current.get(spec.name);
      if (before === undefined || before.spec.kind !== spec.kind) {
        added.push(buildPolicy(spec, { scheduler, random }));
        continue;
      }
      const fields = changedFields(before.spec, spec);
      if (fields.length > 0) changed.push({ built: buildPolicy(spec, { scheduler, random }, { built: before, current: internals.slot(spec.name)!.policy }), fields });
    }
    const removed = [...current.values()].filter((b) => specs.get(b.spec.name)?.kind !== b.spec.kind).map((b) => b.spec);
    // A name registered by hand is not the config's to replace: refused before anything changes.
    for (const built of added) {
      if (registry.has(built.spec.name) && !removed.some((r) => r.name === built.spec.name)) {
        checker('config').fail(built.spec.path, built.spec.name, 'a name not registered in the registry by hand');
      }
    }
    commit(removed, added, changed);
  };

  const commit = (removed: PolicySpec[], added: Built[], changed: { built: Built; fields: string[] }[]) => {
    for (const spec of removed) {
      registry.remove(spec.name);
      current.delete(spec.name);
    }
    for (const { built } of changed) {
      internals.swap(built.spec.name, built.policy);
      current.set(built.spec.name, built);
    }
    for (const built of added) {
      registry.register(built.spec.name, built.policy, { kind: built.spec.kind });
      current.set(built.spec.name, built);
    }
    if (removed.length + added.length + changed.length === 0) return;
    const changes: PolicyChange[] = changed.map(({ built, fields }) => ({ name: built.spec.name, kind: built.spec.kind, fields }));
    internals.emit({ type: 'reconfigured', policy: registry.name, at: scheduler.now(), added: added.map((b) => b.spec.name), removed: removed.map((s) => s.name), changed: changes });
  };

  let subscription: Subscription | undefined;
  if (isObservable(source)) {
    // While fromConfig runs, nobody can observe events$ yet: a config refused then (after one was
    // applied) is published at the scheduler's next turn, so a subscriber added at once sees it.
    let starting = true;
    let applied = false;
    const early: RegistryEvent[] = [];
    const reject = (error: unknown) => {
      const event: RegistryEvent = { type: 'config-rejected', policy: registry.name, at: scheduler.now(), error };
      if (starting) early.push(event);
      else internals.emit(event);
    };
    subscription = source.subscribe({
      next: (input) => {
        try {
          apply(input);
          applied = true;
        } catch (error) {
          reject(error);
        }
      },
      // The source cannot emit after an error: the registry keeps the last good config.
      error: reject,
    });
    starting = false;
    if (!applied && early.length > 0) {
      subscription.unsubscribe();
      throw (early[0] as { error: unknown }).error;
    }
    if (early.length > 0) scheduler.schedule(() => early.forEach((event) => internals.emit(event)));
  } else {
    apply(source);
  }
  return Object.assign(registry, { close: () => subscription?.unsubscribe() });
}

/** A config object as is; a string is a file path when it is one line ending in .yaml/.yml/.json, else YAML text. */
function load(input: ConfigInput): unknown {
  const check = checker('config');
  if (typeof input !== 'string') return input;
  const isPath = !input.includes('\n') && /\.(ya?ml|json)$/i.test(input.trim());
  let text = input;
  if (isPath) {
    try {
      text = readFileSync(input.trim(), 'utf8');
    } catch (error) {
      check.fail('source', input, `a readable file (${(error as Error).message})`);
    }
  }
  try {
    // A warning (an unresolved tag such as `!env 3`) is refused like an error: the value would be guessed.
    const document = parseDocument(text);
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem !== undefined) throw problem;
    return document.toJS() as unknown;
  } catch (error) {
    if (isResilienceError(error)) throw error;
    return check.fail(isPath ? input.trim() : 'source', isPath ? input.trim() : text.slice(0, 60), `valid YAML (${(error as Error).message.split('\n')[0]})`);
  }
}
