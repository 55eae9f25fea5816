/**
 * `redisStore()`: the rate limiters' state on Redis, shared by every process that uses the same
 * prefix, limiter name and key. Each take is one script run (see `scripts.ts`), loaded once per
 * client with `defineCommand`: ioredis sends EVALSHA and falls back to EVAL when Redis has lost the
 * script (SCRIPT FLUSH, a restart).
 *
 * Redis down or slow is an everyday event. A take that fails, or has no answer within `timeout`,
 * is answered by an in-process insurance limiter holding `share` of the limit; until a command
 * succeeds again, the store sends one take at a time to Redis (the probe) and answers the others
 * from the insurance limiter at once. `events$` reports `store-unavailable` and `store-recovered`.
 */
import type { Redis } from 'ioredis';
import { Observable, type SchedulerLike, type Subscription } from 'rxjs';
import { memoryStore, type MemoryStore, type RateParams, type RateStore, type TakeResult } from '../index.js';
import { EventBus, StateCell } from '../internal/cell.js';
import { resolveScheduler, scheduleOnce } from '../internal/clock.js';
import { checker } from '../internal/validate.js';
import { FIXED_WINDOW, SLIDING_WINDOW, TOKEN_BUCKET } from './scripts.js';

export interface RedisStoreOptions {
  /** An ioredis client; the store defines its three scripts on it. */
  readonly client: Redis;
  /** The store's name in health reports. Default `'redis-store'`. */
  readonly name?: string;
  /** Prepended to every key. Default `'rxr:'`. */
  readonly prefix?: string;
  /** `'server'` (default): time is Redis `TIME`, so processes with skewed clocks agree. `'client'`: the limiter's scheduler. */
  readonly clock?: 'server' | 'client';
  /** Most milliseconds a take waits for Redis before the insurance limiter answers. Default 100. */
  readonly timeout?: number;
  /** The insurance limiter: `share` of the limit (default `1 / processes`, else 1), in this process. */
  readonly insurance?: { readonly share?: number; readonly processes?: number };
  /** Clock of the timeout and of event times. Default: the `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
}

export type StoreAvailability = 'available' | 'unavailable';

export type RedisStoreEvent =
  | { readonly type: 'store-unavailable'; readonly at: number; readonly error: unknown }
  | { readonly type: 'store-recovered'; readonly at: number; readonly downFor: number };

export interface RedisStoreStats {
  readonly state: StoreAvailability;
  /** Takes answered by Redis. */
  readonly remote: number;
  /** Takes answered by the insurance limiter. */
  readonly insured: number;
  /** Commands that failed or timed out. */
  readonly failures: number;
}

export interface RedisStore extends RateStore {
  readonly name: string;
  take(key: string, cost: number, now: number, params: RateParams, queued: number): Promise<TakeResult>;
  /** Replays the availability, then each change. */
  readonly state$: Observable<StoreAvailability>;
  /** Hot: `store-unavailable { error }` and `store-recovered { downFor }`. */
  readonly events$: Observable<RedisStoreEvent>;
  stats(): RedisStoreStats;
  /** The Redis key of a limiter's record (for inspection). */
  redisKey(storeKey: string, kind: RateParams['kind']): string;
}

interface Scripted {
  rxrTokenBucket(key: string, ...args: string[]): Promise<[number, string, string]>;
  rxrSlidingWindow(key: string, ...args: string[]): Promise<[number, string, string]>;
  rxrFixedWindow(key: string, ...args: string[]): Promise<[number, string, string]>;
}

const TAGS = { 'token-bucket': 'tb', 'sliding-window': 'sw', 'fixed-window': 'fw' } as const;

/**
 * ```ts
 * import { Redis } from 'ioredis';
 * import { redisStore } from 'rx-resilience/redis';
 * const store = redisStore({ client: new Redis(), insurance: { processes: 10 } });
 * const partnerApi = tokenBucket({ name: 'partner', capacity: 100, refill: { tokens: 100, every: 1_000 }, store });
 * ```
 * @throws ConfigError when an option is invalid.
 */
export function redisStore(options: RedisStoreOptions): RedisStore {
  const check = checker('redis-store');
  const c = check.object('', options, ['client', 'name', 'prefix', 'clock', 'timeout', 'insurance', 'scheduler']);
  const client = c.client as Partial<Redis> | undefined;
  if (typeof client !== 'object' || client === null || typeof client.defineCommand !== 'function') {
    check.fail('client', c.client, 'an ioredis client (with defineCommand)');
  }
  if (c.prefix !== undefined && typeof c.prefix !== 'string') check.fail('prefix', c.prefix, 'a string');
  const insurance = check.object('insurance', c.insurance, ['share', 'processes'], true);
  const processes = check.integer('insurance.processes', insurance.processes, 1);
  const share = check.threshold('insurance.share', insurance.share, 1 / processes);
  const r = c.client as Redis;
  r.defineCommand('rxrTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET });
  r.defineCommand('rxrSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW });
  r.defineCommand('rxrFixedWindow', { numberOfKeys: 1, lua: FIXED_WINDOW });
  return new Store({
    name: check.name('name', c.name) ?? 'redis-store',
    client: r as unknown as Scripted,
    prefix: (c.prefix as string | undefined) ?? 'rxr:',
    serverClock: check.oneOf('clock', c.clock, ['server', 'client'], 'server') === 'server',
    timeout: check.duration('timeout', c.timeout, 100),
    share,
    scheduler: resolveScheduler(check.scheduler('scheduler', c.scheduler)),
  });
}

interface Pending {
  readonly deadline: number;
  /** The insurance limiter answers, and the store counts a failure. */
  readonly expire: (error: unknown) => void;
}

interface Setup {
  readonly name: string;
  readonly client: Scripted;
  readonly prefix: string;
  readonly serverClock: boolean;
  readonly timeout: number;
  readonly share: number;
  readonly scheduler: SchedulerLike;
}

class Store implements RedisStore {
  private readonly cell = new StateCell<StoreAvailability>('available');
  private readonly bus = new EventBus<RedisStoreEvent>();
  private readonly insurance: MemoryStore = memoryStore();
  private downSince = 0;
  /** While unavailable: a take is on its way to Redis (only one at a time). */
  private probing = false;
  /** Takes waiting for Redis, oldest first. */
  private readonly pending = new Set<Pending>();
  private timer: Subscription | undefined = undefined;
  private remote = 0;
  private insured = 0;
  private failures = 0;

  constructor(private readonly setup: Setup) {}

  get name(): string {
    return this.setup.name;
  }

  get state$(): Observable<StoreAvailability> {
    return this.cell.changes$;
  }

  get events$(): Observable<RedisStoreEvent> {
    return this.bus.events$;
  }

  stats(): RedisStoreStats {
    return { state: this.cell.value, remote: this.remote, insured: this.insured, failures: this.failures };
  }

  redisKey(storeKey: string, kind: RateParams['kind']): string {
    return `${this.setup.prefix}${TAGS[kind]}:${storeKey}`;
  }

  take(key: string, cost: number, now: number, params: RateParams, queued: number): Promise<TakeResult> {
    const down = this.cell.value === 'unavailable';
    if (down && this.probing) return Promise.resolve(this.insure(key, cost, now, params, queued));
    if (down) this.probing = true;
    const command = this.send(key, cost, now, params, queued);
    return new Promise<TakeResult>((resolve) => {
      const pending: Pending = {
        deadline: this.setup.scheduler.now() + this.setup.timeout,
        expire: (error) => {
          this.fail(error);
          resolve(this.insure(key, cost, now, params, queued));
        },
      };
      this.pending.add(pending);
      this.armTimeout();
      command.then(
        (reply) => {
          if (down) this.probing = false;
          this.recover();
          if (!this.pending.delete(pending)) return; // timed out: the insurance limiter answered
          this.remote++;
          resolve({ allowed: reply[0] === 1, retryAfter: Number(reply[1]), remaining: Number(reply[2]) });
        },
        (error: unknown) => {
          if (down) this.probing = false;
          if (this.pending.delete(pending)) pending.expire(error);
        },
      );
    });
  }

  /**
   * One timer for every take in flight: takes wait in arrival order, so their deadlines are in
   * order too, and the timer is armed for the oldest.
   */
  private armTimeout(): void {
    if (this.timer !== undefined) return;
    const first = this.pending.values().next();
    if (first.done === true) return;
    this.timer = scheduleOnce(this.setup.scheduler, first.value.deadline - this.setup.scheduler.now(), () => {
      this.timer = undefined;
      const now = this.setup.scheduler.now();
      for (const pending of this.pending) {
        if (pending.deadline > now) break;
        this.pending.delete(pending);
        pending.expire(new Error(`no answer from Redis within ${this.setup.timeout} ms`));
      }
      this.armTimeout();
    });
  }

  private send(key: string, cost: number, now: number, params: RateParams, queued: number): Promise<[number, string, string]> {
    const { client, serverClock } = this.setup;
    const redisKey = this.redisKey(key, params.kind);
    const at = serverClock ? '' : String(now);
    try {
      switch (params.kind) {
        case 'token-bucket':
          return client.rxrTokenBucket(redisKey, at, String(cost), String(queued), String(params.capacity), String(params.interval));
        case 'sliding-window':
          return client.rxrSlidingWindow(redisKey, at, String(cost), String(queued), String(params.limit), String(params.window));
        case 'fixed-window':
          return client.rxrFixedWindow(redisKey, at, String(cost), String(queued), String(params.limit), String(params.window));
      }
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The insurance limiter's answer: this process's share of the limit, in memory. */
  private insure(key: string, cost: number, now: number, params: RateParams, queued: number): TakeResult {
    this.insured++;
    const share = this.setup.share;
    const scaled: RateParams =
      params.kind === 'token-bucket'
        ? { kind: params.kind, capacity: Math.max(cost, params.capacity * share), interval: params.interval / share }
        : { kind: params.kind, limit: Math.max(cost, Math.floor(params.limit * share)), window: params.window };
    return { ...this.insurance.take(key, cost, now, scaled, queued) };
  }

  private fail(error: unknown): void {
    this.failures++;
    if (this.cell.value === 'unavailable') return;
    this.downSince = this.setup.scheduler.now();
    this.cell.set('unavailable');
    this.bus.emit({ type: 'store-unavailable', at: this.downSince, error });
  }

  private recover(): void {
    if (this.cell.value === 'available') return;
    const at = this.setup.scheduler.now();
    this.cell.set('available');
    this.bus.emit({ type: 'store-recovered', at, downFor: at - this.downSince });
  }
}
