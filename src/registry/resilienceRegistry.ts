/**
 * Resilience registry: named policies, one snapshot and combined streams for dashboards, and the
 * emergency actions of an incident runbook.
 *
 * State scope: the registry (its names, their current policies, its own events) lives at
 * factory-call scope. Each name has a stable handle (src/registry/handle.ts) that delegates to the
 * policy current for it, so a config reload can swap policies under code that holds the handle.
 */
import { combineLatest, map, merge, type Observable, of, type SchedulerLike, switchMap } from 'rxjs';
import type { CircuitState } from '../breaker/machine.js';
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import { EventBus, StateCell } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import { brand } from '../internal/policy.js';
import { configuredName } from '../internal/names.js';
import { checker } from '../internal/validate.js';
import { canary, type CanaryOptions, type CanaryReport } from './canary.js';
import { type AnyPolicy, type RegistrablePolicy, Slot, slotOf } from './handle.js';
import { detectKind, type RegistryKind } from './kind.js';
import type { PolicyTypes } from './policyTypes.js';


export type { CanaryOptions, CanaryReport } from './canary.js';

export interface ResilienceRegistryConfig {
  /** The `policy` of the registry's own events. Default `registry-1`, … */
  readonly name?: string;
  /** Clock for the `at` of the registry's own events. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

/** One policy in `snapshot()`: its kind and its `stats()` (undefined for kinds without stats). */
export interface PolicySnapshot {
  readonly name: string;
  readonly kind: RegistryKind;
  readonly stats: unknown;
}

/** Name → current state (`state$` value) of every policy that has one. */
export type RegistryStates = Readonly<Record<string, unknown>>;

/** A field-level change found by a config reload. */
export interface PolicyChange {
  readonly name: string;
  readonly kind: RegistryKind;
  /** Config fields (file names, e.g. `failure_threshold`) whose value changed. */
  readonly fields: readonly string[];
}

interface EventBase {
  /** The registry's name, or the policy's for `type: 'policy'`. */
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
}

export type RegistryEvent =
  /** An event of a registered policy, tagged with its name and kind. */
  | (EventBase & { readonly type: 'policy'; readonly kind: RegistryKind; readonly event: unknown })
  /** A config reload changed something; policies named in `changed` were rebuilt in place. */
  | (EventBase & { readonly type: 'reconfigured'; readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly PolicyChange[] })
  /** A config reload was refused (invalid): nothing changed. */
  | (EventBase & { readonly type: 'config-rejected'; readonly error: unknown })
  /** `isolateAll()` ran. */
  | (EventBase & { readonly type: 'isolated-all'; readonly breakers: readonly string[]; readonly reason: string | undefined })
  /** `resetWithCanary()` finished (audit). */
  | (EventBase & { readonly type: 'canary' } & CanaryReport);

export interface ResilienceRegistry {
  readonly name: string;
  /**
   * Adds `policy` under `name` and returns its stable handle (use it like the policy). A
   * `pipeline()` also adds each of its parts under the part's own name (a part already registered
   * under it stays), and `remove(name)` takes those with it.
   * @throws ConfigError when the name is taken, `policy` is not an operator, or a pipeline's part
   * has a name registered for another policy.
   */
  register<P extends AnyPolicy>(name: string, policy: P, options?: { readonly kind?: RegistryKind }): P;
  /** A policy typed for the values it guards (its `isFailureResult` takes one type). */
  register<P extends RegistrablePolicy>(name: string, policy: P, options?: { readonly kind?: RegistryKind }): P;
  /**
   * The handle registered under `name`, typed as the policy of `kind`, or undefined when the name
   * is not registered. The kind is checked: `get('payments', 'bulkhead')` on a breaker throws.
   * @throws ConfigError when `name` is registered with another kind.
   */
  get<K extends RegistryKind>(name: string, kind: K): PolicyTypes[K] | undefined;
  /**
   * The handle registered under `name`, or undefined. `P` is not checked: prefer
   * `get(name, kind)`, which checks the kind and gives the policy's type.
   */
  get<P extends AnyPolicy = AnyPolicy>(name: string): P | undefined;
  has(name: string): boolean;
  /** Names, in registration order. */
  names(): string[];
  kindOf(name: string): RegistryKind | undefined;
  /** Drops `name`; a handle held elsewhere keeps working on its last policy. */
  remove(name: string): boolean;
  /** Every policy's kind and stats, keyed by name (the seeds' `get_all_circuit_breaker_stats`). */
  snapshot(): Readonly<Record<string, PolicySnapshot>>;
  /** Name → state of every policy with a `state$`; emits on any change and on (un)registration. */
  readonly states$: Observable<RegistryStates>;
  /** Hot: every policy's events (tagged) and the registry's own (reloads, emergency actions). */
  readonly events$: Observable<RegistryEvent>;
  /** Isolates every circuit breaker (forced open until reset); returns their names. */
  isolateAll(reason?: string): string[];
  /**
   * The stuck-breaker procedure: reset the breaker, send `canary$` through it as one call, and
   * isolate it again unless the canary succeeds (a value, or completion). Cold: nothing happens
   * until subscribed. Emits one report, also published as a `canary` event, then completes.
   * @throws ConfigError when `name` is not a registered circuit breaker.
   */
  resetWithCanary(name: string, canary$: Observable<unknown>, options?: CanaryOptions): Observable<CanaryReport>;
}

/**
 * Builds an empty registry.
 *
 * ```text
 * register('db', breaker)    states$: {db: 'closed'}
 * breaker trips              states$: {db: 'open'}
 * isolateAll()               states$: {db: 'isolated'}   events$: isolated-all [db]
 * ```
 *
 * ```ts
 * import { circuitBreaker, resilienceRegistry } from 'rx-resilience';
 * const registry = resilienceRegistry();
 * const db = registry.register('database', circuitBreaker({ name: 'database' }));
 * query$.pipe(db).subscribe(...);
 * registry.states$.subscribe((s) => dashboard.show(s)); // { database: 'closed' }
 * registry.resetWithCanary('database', defer(() => db.ping())).subscribe((r) => log(r.outcome));
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function resilienceRegistry(config: ResilienceRegistryConfig = {}): ResilienceRegistry {
  const check = checker('registry');
  const c = check.object('', config, ['name', 'scheduler'], true);
  const name = configuredName('registry', c);
  return new Registry(name, resolveScheduler(check.scheduler('scheduler', c.scheduler)));
}

/**
 * An object keyed by policy names without a prototype: a policy named `__proto__`, `constructor`
 * or `toString` is an own key like any other, and a name not present reads `undefined`.
 */
function byName<V>(names: readonly string[], values: readonly V[]): Record<string, V> {
  const out = Object.create(null) as Record<string, V>;
  names.forEach((name, i) => (out[name] = values[i]!));
  return out;
}

/** @internal What `fromConfig` needs beyond the public surface. */
export interface RegistryInternals {
  readonly scheduler: SchedulerLike;
  slot(name: string): Slot | undefined;
  swap(name: string, policy: AnyPolicy): void;
  emit(event: RegistryEvent): void;
}

class Registry implements ResilienceRegistry, RegistryInternals {
  /** A state cell, so a listener that registers or removes delivers its change after the current one. */
  private readonly slots = new StateCell<ReadonlyMap<string, Slot>>(new Map());
  private readonly bus = new EventBus<RegistryEvent>();
  /** The names each registered pipeline added for its parts. */
  private readonly partsOf = new Map<string, readonly Slot[]>();
  readonly states$: Observable<RegistryStates>;
  readonly events$: Observable<RegistryEvent>;

  constructor(
    readonly name: string,
    readonly scheduler: SchedulerLike,
  ) {
    this.states$ = this.slots.changes$.pipe(
      switchMap((slots) => {
        const named = [...slots.values()].filter((slot) => 'state$' in slot.handle);
        const states = named.map((slot) => (slot.handle as unknown as { state$: Observable<unknown> }).state$);
        return states.length === 0 ? of(byName([], [])) : combineLatest(states).pipe(map((values) => byName(named.map((slot) => slot.name), values)));
      }),
    );
    const policyEvents$ = this.slots.changes$.pipe(
      switchMap((slots) =>
        merge(
          ...[...slots.values()]
            .filter((slot) => 'events$' in slot.handle)
            .map((slot) =>
              (slot.handle as unknown as { events$: Observable<{ at?: unknown }> }).events$.pipe(
                map((event): RegistryEvent => ({ type: 'policy', policy: slot.name, kind: slot.kind, at: typeof event.at === 'number' ? event.at : this.scheduler.now(), event })),
              ),
            ),
        ),
      ),
    );
    this.events$ = merge(this.bus.events$, policyEvents$);
  }

  register<P extends AnyPolicy>(name: string, policy: P, options?: { readonly kind?: RegistryKind }): P;
  register<P extends RegistrablePolicy>(name: string, policy: P, options?: { readonly kind?: RegistryKind }): P;
  register<P extends RegistrablePolicy>(name: string, policy: P, options: { readonly kind?: RegistryKind } = {}): P {
    const check = checker(this.name);
    check.name('name', name);
    if (this.slots.value.has(name)) check.fail('name', name, 'a name not registered yet');
    if (typeof policy !== 'function') check.fail('policy', policy, 'a policy (an operator function)');
    const o = check.object('options', options, ['kind']);
    const kind = (o.kind as RegistryKind | undefined) ?? slotOf(policy)?.kind ?? detectKind(policy);
    const slot = new Slot(name, kind, policy as unknown as AnyPolicy);
    const next = new Map(this.slots.value);
    const added = kind === 'pipeline' ? this.addParts(name, slot.policy, next) : [];
    next.set(name, slot);
    this.slots.set(next);
    if (added.length > 0) this.partsOf.set(name, added);
    return slot.handle as P;
  }

  /**
   * A pipeline's parts, each under its own name, into `next`; returns the slots added. A part
   * already registered under its name (itself or its handle) stays as it is; a name held by
   * another policy is refused before anything is registered.
   */
  private addParts(name: string, pipeline: AnyPolicy, next: Map<string, Slot>): Slot[] {
    const check = checker(this.name);
    const added: Slot[] = [];
    for (const part of Object.values((pipeline as { parts?: Record<string, AnyPolicy> }).parts ?? {})) {
      const existing = next.get(part.name);
      if (existing !== undefined && (existing.policy === part || existing.handle === part)) continue;
      if (existing !== undefined || part.name === name) check.fail(`${name}.parts`, part.name, `parts whose names are not registered yet (or registered for the same part): ${part.name} is taken`);
      const slot = new Slot(part.name, slotOf(part)?.kind ?? detectKind(part), part);
      next.set(part.name, slot);
      added.push(slot);
    }
    return added;
  }

  get<K extends RegistryKind>(name: string, kind: K): PolicyTypes[K] | undefined;
  get<P extends AnyPolicy = AnyPolicy>(name: string): P | undefined;
  get(name: string, kind?: RegistryKind): AnyPolicy | undefined {
    const slot = this.slots.value.get(name);
    if (kind !== undefined && slot !== undefined && slot.kind !== kind) {
      checker(this.name).fail('kind', kind, `the kind of ${JSON.stringify(name)}, which is ${slot.kind}`);
    }
    return slot?.handle;
  }

  has(name: string): boolean {
    return this.slots.value.has(name);
  }

  names(): string[] {
    return [...this.slots.value.keys()];
  }

  kindOf(name: string): RegistryKind | undefined {
    return this.slots.value.get(name)?.kind;
  }

  remove(name: string): boolean {
    if (!this.slots.value.has(name)) return false;
    const next = new Map(this.slots.value);
    next.delete(name);
    // A pipeline takes the parts its registration added with it.
    for (const part of this.partsOf.get(name) ?? []) if (next.get(part.name) === part) next.delete(part.name);
    this.partsOf.delete(name);
    this.slots.set(next);
    return true;
  }

  snapshot(): Readonly<Record<string, PolicySnapshot>> {
    const out = byName<PolicySnapshot>([], []);
    for (const slot of this.slots.value.values()) {
      const stats = (slot.handle as { stats?: () => unknown }).stats;
      out[slot.name] = { name: slot.name, kind: slot.kind, stats: typeof stats === 'function' ? stats() : undefined };
    }
    return out;
  }

  isolateAll(reason?: string): string[] {
    const breakers = [...this.slots.value.values()].filter((slot) => slot.kind === 'circuit-breaker');
    for (const slot of breakers) (slot.handle as unknown as CircuitBreaker).isolate();
    const names = breakers.map((slot) => slot.name);
    this.emit({ type: 'isolated-all', policy: this.name, at: this.scheduler.now(), breakers: names, reason });
    return names;
  }

  resetWithCanary(name: string, canary$: Observable<unknown>, options: CanaryOptions = {}): Observable<CanaryReport> {
    const slot = this.slots.value.get(name);
    const check = checker(this.name);
    if (slot === undefined || slot.kind !== 'circuit-breaker') check.fail('name', name, 'the name of a registered circuit breaker');
    check.object('options', options, ['reason']);
    return canary(slot!.handle as unknown as CircuitBreaker & { stats(): { state: CircuitState } }, name, canary$, options, this.scheduler, (report) =>
      this.emit({ type: 'canary', policy: this.name, ...report }),
    );
  }

  slot(name: string): Slot | undefined {
    return this.slots.value.get(name);
  }

  swap(name: string, policy: AnyPolicy): void {
    this.slots.value.get(name)?.swap(policy);
  }

  emit(event: RegistryEvent): void {
    this.bus.emit(event);
  }
}
brand(Registry.prototype, { kind: 'registry', state: ['states$'], streams: ['events$'], controls: ['register', 'get', 'has', 'names', 'kindOf', 'remove', 'snapshot', 'isolateAll', 'resetWithCanary'] });
