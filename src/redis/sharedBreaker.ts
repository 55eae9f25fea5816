/**
 * `sharedBreaker(breaker, { client, channel, quorum, window })`: one breaker per process, one
 * decision for the fleet, over Redis pub/sub.
 *
 * Each instance publishes its breaker's own openings and closings as `{ instance, epoch, state }`
 * (the epoch counts this instance's messages). An instance applies the fleet's messages: once
 * `quorum` distinct instances (itself included) opened within `window` ms, it trips its breaker; a
 * close (a half-open probe that passed, or a reset) resets every open breaker, so the fleet
 * recovers together. Half-open probing stays local. A message from itself, or one whose epoch is
 * not newer than the last seen from its sender, is ignored; a transition caused by applying a
 * message is never published again. Isolated and disabled breakers are left alone.
 *
 * The last fleet decision is kept in a Redis hash (`<channel>:decision`) with a TTL, so an
 * instance that starts while the fleet is open starts open.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Observable, type SchedulerLike } from 'rxjs';
import type { CircuitBreaker, CircuitState } from '../index.js';
import { EventBus } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import { checker } from '../internal/validate.js';

export interface SharedBreakerOptions {
  /** An ioredis client; a duplicate of it subscribes to the channel. */
  readonly client: Redis;
  /** Pub/sub channel. Default `rxr:breaker:<breaker name>`. */
  readonly channel?: string;
  /** Distinct instances that must open within `window` for the fleet to open. Default 1. */
  readonly quorum?: number;
  /** ms within which openings count toward the quorum. Default 10 000. */
  readonly window?: number;
  /** How long the fleet decision outlives its last refresh in Redis, in ms. Default 60 000. */
  readonly ttl?: number;
  /** This instance's id. Default: a random UUID. */
  readonly instance?: string;
  /** Clock of the quorum window. Default: the `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

export interface FleetMessage {
  readonly instance: string;
  readonly epoch: number;
  readonly state: 'open' | 'closed';
}

export type SharedBreakerEvent =
  | { readonly type: 'published'; readonly at: number; readonly message: FleetMessage }
  | { readonly type: 'received'; readonly at: number; readonly message: FleetMessage; readonly applied: boolean }
  | { readonly type: 'ignored'; readonly at: number; readonly message: FleetMessage; readonly reason: 'own' | 'stale' | 'malformed' }
  | { readonly type: 'error'; readonly at: number; readonly error: unknown };

export interface SharedBreaker {
  readonly instance: string;
  readonly channel: string;
  /** Resolves once subscribed and the last fleet decision has been applied. */
  readonly ready: Promise<void>;
  /** Hot: messages published, received (applied or not), ignored; Redis errors. */
  readonly events$: Observable<SharedBreakerEvent>;
  /** Stops publishing and listening; the breaker keeps its state. */
  stop(): Promise<void>;
}

const KEYS = ['client', 'channel', 'quorum', 'window', 'ttl', 'instance', 'scheduler'];

/** @throws ConfigError when an option is invalid. */
export function sharedBreaker(breaker: CircuitBreaker, options: SharedBreakerOptions): SharedBreaker {
  const check = checker('shared-breaker');
  if (typeof breaker?.trip !== 'function' || typeof breaker.state$?.subscribe !== 'function') check.fail('breaker', breaker, 'a circuit breaker');
  const c = check.object('', options, KEYS);
  if (typeof (c.client as Partial<Redis> | undefined)?.duplicate !== 'function') check.fail('client', c.client, 'an ioredis client');
  const channel = check.name('channel', c.channel) ?? `rxr:breaker:${breaker.name}`;
  return new Shared(breaker, {
    client: c.client as Redis,
    channel,
    quorum: check.integer('quorum', c.quorum, 1),
    window: check.duration('window', c.window, 10_000),
    ttl: check.integer('ttl', c.ttl, 60_000),
    instance: check.name('instance', c.instance) ?? randomUUID(),
    scheduler: resolveScheduler(check.scheduler('scheduler', c.scheduler)),
  });
}

interface Setup {
  readonly client: Redis;
  readonly channel: string;
  readonly quorum: number;
  readonly window: number;
  readonly ttl: number;
  readonly instance: string;
  readonly scheduler: SchedulerLike;
}

class Shared implements SharedBreaker {
  readonly instance: string;
  readonly channel: string;
  readonly ready: Promise<void>;
  private readonly bus = new EventBus<SharedBreakerEvent>();
  private readonly subscriber: Redis;
  private readonly decisionKey: string;
  private epoch = 0;
  /** Last epoch seen per sender. */
  private readonly seen = new Map<string, number>();
  /** When each instance (this one included) last opened, on this scheduler. */
  private readonly opened = new Map<string, number>();
  /** True while a fleet message is being applied: the transitions it causes are not published. */
  private applying = false;
  private previous: CircuitState | undefined = undefined;
  private readonly watching;

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly setup: Setup,
  ) {
    this.instance = setup.instance;
    this.channel = setup.channel;
    this.decisionKey = `${setup.channel}:decision`;
    this.subscriber = setup.client.duplicate();
    this.subscriber.on('error', (error: unknown) => this.report(error));
    this.subscriber.on('message', (channel: string, text: string) => {
      if (channel === this.channel) this.receive(text);
    });
    this.watching = breaker.state$.subscribe((state) => this.local(state));
    this.ready = this.start();
    this.ready.catch((error: unknown) => this.report(error)); // also rejects for whoever awaits it
  }

  get events$(): Observable<SharedBreakerEvent> {
    return this.bus.events$;
  }

  async stop(): Promise<void> {
    this.watching.unsubscribe();
    await this.subscriber.quit().catch(() => this.subscriber.disconnect());
  }

  private async start(): Promise<void> {
    await this.subscriber.subscribe(this.channel);
    const decision = await this.setup.client.hgetall(this.decisionKey);
    if (decision.state === 'open') this.apply(() => this.breaker.trip());
  }

  /** A transition of the local breaker: published unless a fleet message caused it. */
  private local(state: CircuitState): void {
    const from = this.previous;
    this.previous = state;
    if (from === undefined || this.applying) return;
    if (state === 'open') {
      this.opened.set(this.instance, this.setup.scheduler.now());
      this.publish('open');
      if (this.quorumMet()) this.decide('open');
    } else if (state === 'closed' && (from === 'half-open' || from === 'open')) {
      this.opened.clear();
      this.publish('closed');
      this.decide('closed');
    }
  }

  private receive(text: string): void {
    const at = this.setup.scheduler.now();
    let message: FleetMessage;
    try {
      message = JSON.parse(text) as FleetMessage;
      if (typeof message.instance !== 'string' || typeof message.epoch !== 'number' || (message.state !== 'open' && message.state !== 'closed')) throw new TypeError('malformed');
    } catch {
      this.bus.emit({ type: 'ignored', at, message: { instance: '', epoch: NaN, state: 'closed' }, reason: 'malformed' });
      return;
    }
    if (message.instance === this.instance) return this.bus.emit({ type: 'ignored', at, message, reason: 'own' });
    if (message.epoch <= (this.seen.get(message.instance) ?? -Infinity)) return this.bus.emit({ type: 'ignored', at, message, reason: 'stale' });
    this.seen.set(message.instance, message.epoch);
    const before = this.breaker.stats().state;
    if (message.state === 'open') {
      this.opened.set(message.instance, at);
      if (this.quorumMet()) {
        this.apply(() => this.breaker.trip());
        this.decide('open');
      }
    } else {
      this.opened.clear();
      if (before === 'open' || before === 'half-open') this.apply(() => this.breaker.reset());
    }
    this.bus.emit({ type: 'received', at, message, applied: this.breaker.stats().state !== before });
  }

  /** Distinct instances that opened within the window, this one included. */
  private quorumMet(): boolean {
    const since = this.setup.scheduler.now() - this.setup.window;
    let count = 0;
    for (const [id, at] of this.opened) {
      if (at >= since) count++;
      else this.opened.delete(id);
    }
    return count >= this.setup.quorum;
  }

  private apply(action: () => void): void {
    this.applying = true;
    try {
      action();
    } finally {
      this.applying = false;
    }
  }

  private publish(state: 'open' | 'closed'): void {
    const message: FleetMessage = { instance: this.instance, epoch: ++this.epoch, state };
    this.bus.emit({ type: 'published', at: this.setup.scheduler.now(), message });
    this.setup.client.publish(this.channel, JSON.stringify(message)).catch((error: unknown) => this.report(error));
  }

  /** Keeps the fleet decision for instances that start later. */
  private decide(state: 'open' | 'closed'): void {
    const write =
      state === 'open'
        ? this.setup.client.multi().hset(this.decisionKey, { state, by: this.instance }).pexpire(this.decisionKey, this.setup.ttl).exec()
        : this.setup.client.del(this.decisionKey);
    write.catch((error: unknown) => this.report(error));
  }

  private report(error: unknown): void {
    this.bus.emit({ type: 'error', at: this.setup.scheduler.now(), error });
  }
}
