/**
 * `fleetControl({ client, registry, channel })`: the emergency controls of circuit breakers, for
 * every instance at once. An action is written to a Redis hash (`<channel>:state`, one field per
 * breaker name, `*` for all), published on `channel`, and applied to this instance's registry at
 * once; every other instance applies it on the message. An instance that starts later (or a
 * breaker registered later) gets the persisted state. Every action is an audit event naming who
 * asked, when, from which instance, and the breakers it changed here.
 *
 * State per name: `isolate` or `disable` is imposed until `reset(name)`; `isolateAll()` replaces
 * every per-name entry with `*`; `resetAll()` clears everything. A later per-name entry wins
 * over `*`.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Observable, type SchedulerLike } from 'rxjs';
import type { CircuitBreaker, ResilienceRegistry } from '../index.js';
import { EventBus, StateCell } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import { brand } from '../internal/policy.js';
import { checker } from '../internal/validate.js';

export type FleetAction = 'isolate' | 'reset' | 'disable';

/** A persisted entry: what was imposed, by whom, when (ms since the epoch, the caller's clock). */
export interface FleetEntry {
  readonly action: FleetAction;
  readonly by: string;
  readonly at: number;
}

export interface FleetAuditEvent {
  readonly type: 'fleet-action';
  /** When it was asked, on the asking instance's clock. */
  readonly at: number;
  readonly action: FleetAction;
  /** A breaker name, or `*` for every breaker. */
  readonly target: string;
  readonly by: string;
  /** The instance that asked. */
  readonly origin: string;
  /** Breakers whose state this instance changed. */
  readonly applied: readonly string[];
}

export interface FleetControlOptions {
  readonly client: Redis;
  readonly registry: ResilienceRegistry;
  /** Pub/sub channel; the hash is `<channel>:state`. Default `'rxr:fleet'`. */
  readonly channel?: string;
  /** This instance's id. Default: a random UUID. */
  readonly instance?: string;
  /** Clock of the audit events and entries. Default: the `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

export interface FleetControl {
  readonly name: string;
  readonly instance: string;
  /** Resolves once subscribed and the persisted state has been applied. */
  readonly ready: Promise<void>;
  isolate(name: string, options?: { readonly by?: string }): Promise<void>;
  reset(name: string, options?: { readonly by?: string }): Promise<void>;
  disable(name: string, options?: { readonly by?: string }): Promise<void>;
  isolateAll(options?: { readonly by?: string }): Promise<void>;
  resetAll(options?: { readonly by?: string }): Promise<void>;
  /** Breaker name → the entry imposed on it by the fleet (isolate or disable), for this registry. */
  imposed(): Readonly<Record<string, FleetEntry>>;
  /** Replays `imposed()`, then each change. */
  readonly imposed$: Observable<Readonly<Record<string, FleetEntry>>>;
  /** Hot: one audit event per action, here and on every instance that applied it. */
  readonly events$: Observable<FleetAuditEvent>;
  stop(): Promise<void>;
}

interface Message extends FleetEntry {
  readonly target: string;
  readonly origin: string;
}

const ALL = '*';

/** @throws ConfigError when an option is invalid. */
export function fleetControl(options: FleetControlOptions): FleetControl {
  const check = checker('fleet-control');
  const c = check.object('', options, ['client', 'registry', 'channel', 'instance', 'scheduler']);
  if (typeof (c.client as Partial<Redis> | undefined)?.duplicate !== 'function') check.fail('client', c.client, 'an ioredis client');
  const registry = c.registry as Partial<ResilienceRegistry> | undefined;
  if (typeof registry?.kindOf !== 'function' || typeof registry.states$?.subscribe !== 'function') check.fail('registry', c.registry, 'a resilienceRegistry()');
  const channel = check.name('channel', c.channel) ?? 'rxr:fleet';
  const instance = check.name('instance', c.instance) ?? randomUUID();
  return new Fleet(c.client as Redis, c.registry as ResilienceRegistry, channel, instance, resolveScheduler(check.scheduler('scheduler', c.scheduler)));
}

class Fleet implements FleetControl {
  readonly ready: Promise<void>;
  private readonly bus = new EventBus<FleetAuditEvent>();
  private readonly cell = new StateCell<Readonly<Record<string, FleetEntry>>>({}, sameEntries);
  private readonly subscriber: Redis;
  private readonly key: string;
  /** The persisted state as this instance knows it. */
  private state = new Map<string, FleetEntry>();
  private known = new Set<string>();
  private readonly watching;

  constructor(
    private readonly client: Redis,
    private readonly registry: ResilienceRegistry,
    readonly name: string,
    readonly instance: string,
    private readonly scheduler: SchedulerLike,
  ) {
    this.key = `${name}:state`;
    this.subscriber = client.duplicate();
    this.subscriber.on('error', () => undefined); // ioredis reconnects; actions report their own errors
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.name) this.receive(text);
    });
    this.ready = this.start();
    this.ready.catch(() => undefined); // rejects for whoever awaits it (e.g. stopped before ready); never unhandled
    this.watching = registry.states$.subscribe(() => this.registered());
  }

  get imposed$(): Observable<Readonly<Record<string, FleetEntry>>> {
    return this.cell.changes$;
  }

  get events$(): Observable<FleetAuditEvent> {
    return this.bus.events$;
  }

  imposed(): Readonly<Record<string, FleetEntry>> {
    return this.cell.value;
  }

  isolate(name: string, options?: { by?: string }): Promise<void> {
    return this.act('isolate', name, options);
  }

  reset(name: string, options?: { by?: string }): Promise<void> {
    return this.act('reset', name, options);
  }

  disable(name: string, options?: { by?: string }): Promise<void> {
    return this.act('disable', name, options);
  }

  isolateAll(options?: { by?: string }): Promise<void> {
    return this.act('isolate', ALL, options);
  }

  resetAll(options?: { by?: string }): Promise<void> {
    return this.act('reset', ALL, options);
  }

  async stop(): Promise<void> {
    this.watching.unsubscribe();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private async start(): Promise<void> {
    await this.subscriber.subscribe(this.name);
    const stored = await this.client.hgetall(this.key);
    const entries = Object.entries(stored).map(([target, text]) => [target, JSON.parse(text) as FleetEntry] as const);
    // `*` first: a per-name entry is newer than the `*` it survived.
    for (const [target, entry] of entries.sort(([a], [b]) => (a === ALL ? -1 : b === ALL ? 1 : 0))) this.apply({ ...entry, target, origin: '' }, false);
    this.refresh();
  }

  private async act(action: FleetAction, target: string, options: { by?: string } | undefined): Promise<void> {
    if (typeof target !== 'string' || target.length === 0) checker('fleet-control').fail('name', target, 'a non-empty string');
    const message: Message = { action, target, by: options?.by ?? this.instance, at: this.scheduler.now(), origin: this.instance };
    const entry = JSON.stringify({ action, by: message.by, at: message.at });
    const tx = this.client.multi();
    if (target === ALL) tx.del(this.key);
    if (!(target === ALL && action === 'reset')) tx.hset(this.key, target, entry);
    await tx.publish(this.name, JSON.stringify(message)).exec();
    this.apply(message, true);
  }

  private receive(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return;
    }
    if (message.origin === this.instance || !['isolate', 'reset', 'disable'].includes(message.action) || typeof message.target !== 'string') return;
    this.apply(message, true);
  }

  /** Records the entry and applies it to the breakers it names; `audit` emits the event. */
  private apply(message: Message, audit: boolean): void {
    const { action, target, by, at } = message;
    if (target === ALL) this.state = new Map(action === 'reset' ? [] : [[ALL, { action, by, at }]]);
    else this.state.set(target, { action, by, at });
    const names = target === ALL ? this.breakers() : this.breakers().filter((n) => n === target);
    const applied = names.filter((n) => this.enforce(n, action));
    this.refresh();
    if (audit) this.bus.emit({ type: 'fleet-action', at, action, target, by, origin: message.origin, applied });
  }

  /** A breaker registered after the start gets what the fleet imposes on it. */
  private registered(): void {
    for (const name of this.breakers()) {
      if (this.known.has(name)) continue;
      const entry = this.entryFor(name);
      if (entry !== undefined && entry.action !== 'reset') this.enforce(name, entry.action);
    }
    this.refresh();
  }

  private enforce(name: string, action: FleetAction): boolean {
    const breaker = this.registry.get<CircuitBreaker>(name)!;
    const before = breaker.stats().state;
    breaker[action]();
    return breaker.stats().state !== before;
  }

  private entryFor(name: string): FleetEntry | undefined {
    return this.state.get(name) ?? this.state.get(ALL);
  }

  private breakers(): string[] {
    return this.registry.names().filter((n) => this.registry.kindOf(n) === 'circuit-breaker');
  }

  private refresh(): void {
    const names = this.breakers();
    this.known = new Set(names);
    const imposed: Record<string, FleetEntry> = {};
    for (const name of names) {
      const entry = this.entryFor(name);
      if (entry !== undefined && entry.action !== 'reset') imposed[name] = entry;
    }
    this.cell.set(imposed);
  }
}

function sameEntries(a: Readonly<Record<string, FleetEntry>>, b: Readonly<Record<string, FleetEntry>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] !== undefined && a[k]!.action === b[k].action && a[k]!.at === b[k].at && a[k]!.by === b[k].by);
}

brand(Fleet.prototype, { kind: 'fleet-control', state: ['imposed$'], streams: ['events$'], controls: ['imposed', 'isolate', 'reset', 'disable', 'isolateAll', 'resetAll', 'stop'] });
