/**
 * `redisStreamStore({ client, stream })`: the durable queue's store on a Redis stream, for many
 * processes sharing one queue.
 *
 * Each enqueue is an `XADD` (durable as far as Redis persists: run it with AOF and
 * `appendfsync always` to lose nothing acknowledged across a Redis restart). Consumers read
 * through one consumer group (`XREADGROUP ... >`), so each message goes to one of them; a
 * delivered message is `XACK`ed and `XDEL`eted in one `MULTI`. A consumer that dies leaves its
 * messages pending in the group: after `claimAfter` ms of silence any other consumer takes them
 * over with `XAUTOCLAIM`. A live consumer keeps the messages it holds (in flight, or waiting for a
 * retry's backoff) with an `XCLAIM ... JUSTID` heartbeat on every poll, so only the messages of
 * a dead consumer are claimed. Failure counts live in a hash (`<stream>:failures`), dead letters
 * in another (`<stream>:dead`). Payloads are stored as JSON.
 *
 * Order: one consumer receives a key's messages in stream order; with several consumers, two
 * messages of one key may be handled at the same time by different processes.
 */
import type { Redis } from 'ioredis';
import { EMPTY, type Observable } from 'rxjs';
import type { DeadLetter, QueueStore, StoreContents, StoreEvent, StoredMessage } from '../index.js';
import { checker } from '../internal/validate.js';

export interface RedisStreamStoreOptions {
  /** An ioredis client (the caller owns it: `close()` does not disconnect it). */
  readonly client: Redis;
  /** The stream's key. */
  readonly stream: string;
  /** The consumer group. Default `'rx-resilience'`. */
  readonly group?: string;
  /** This consumer's name in the group; unique per process. Default: a random one. */
  readonly consumer?: string;
  /** A message silent for this many ms in a consumer's hands is taken over. Default 30 000. */
  readonly claimAfter?: number;
}

export interface RedisStreamStore extends QueueStore {
  readonly stream: string;
  readonly consumer: string;
  open(): Promise<StoreContents>;
  poll(max: number): Promise<readonly StoredMessage[]>;
}

type Entry = [entryId: string, fields: string[] | null];

export function redisStreamStore(options: RedisStreamStoreOptions): RedisStreamStore {
  const check = checker('redis-stream-store');
  const o = check.object('', options, ['client', 'stream', 'group', 'consumer', 'claimAfter']);
  if (typeof o.client !== 'object' || o.client === null || typeof (o.client as Redis).call !== 'function') check.fail('client', o.client, 'an ioredis client');
  const stream = check.name('stream', o.stream) ?? check.fail('stream', o.stream, 'a stream key');
  const group = check.name('group', o.group) ?? 'rx-resilience';
  const consumer = check.name('consumer', o.consumer) ?? `consumer-${globalThis.crypto.randomUUID()}`;
  const claimAfter = check.duration('claimAfter', o.claimAfter, 30_000);
  return new StreamStore(o.client as Redis, stream, group, consumer, claimAfter);
}

class StreamStore implements RedisStreamStore {
  readonly kind = 'redis-stream';
  readonly events$ = EMPTY as Observable<StoreEvent>;
  /** Stream entry ids of the messages this consumer holds, by message id. */
  private readonly held = new Map<string, string>();
  private cursor = '0-0';
  private readonly failures: string;
  private readonly dead: string;

  constructor(private readonly client: Redis, readonly stream: string, private readonly group: string, readonly consumer: string, private readonly claimAfter: number) {
    this.failures = `${stream}:failures`;
    this.dead = `${stream}:dead`;
  }

  async open(): Promise<StoreContents> {
    try {
      await this.client.call('XGROUP', 'CREATE', this.stream, this.group, '0', 'MKSTREAM');
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
    // Messages this consumer (by name) held before a restart come back first.
    const mine = await this.client.call('XREADGROUP', 'GROUP', this.group, this.consumer, 'STREAMS', this.stream, '0');
    const pending = await this.take(entriesOf(mine));
    const letters = Object.values(await this.client.hgetall(this.dead)).map((json) => JSON.parse(json) as DeadLetter);
    return { pending, deadLetters: letters.sort((a, b) => a.deadAt - b.deadAt) };
  }

  async append(message: StoredMessage): Promise<void> {
    const fields = ['id', message.id, 'p', JSON.stringify(message.payload ?? null), 'at', String(message.enqueuedAt)];
    if (message.key !== undefined) fields.push('k', message.key);
    await this.client.call('XADD', this.stream, '*', ...fields);
  }

  async poll(max: number): Promise<readonly StoredMessage[]> {
    if (this.held.size > 0) {
      await this.client.call('XCLAIM', this.stream, this.group, this.consumer, '0', ...this.held.values(), 'JUSTID');
    }
    const claimed = (await this.client.call('XAUTOCLAIM', this.stream, this.group, this.consumer, String(this.claimAfter), this.cursor, 'COUNT', String(max))) as [string, Entry[]];
    this.cursor = claimed[0];
    const entries = claimed[1].filter((e) => !this.held.has(fieldOf(e[1], 'id') ?? ''));
    if (entries.length < max) {
      const fresh = await this.client.call('XREADGROUP', 'GROUP', this.group, this.consumer, 'COUNT', String(max - entries.length), 'STREAMS', this.stream, '>');
      entries.push(...entriesOf(fresh));
    }
    return this.take(entries);
  }

  async ack(id: string): Promise<void> {
    await this.release(id, this.client.multi()).hdel(this.failures, id).exec();
  }

  async fail(id: string, failures: number, notBefore: number): Promise<void> {
    await this.client.hset(this.failures, id, `${failures}:${notBefore}`);
  }

  async deadLetter(letter: DeadLetter): Promise<void> {
    await this.release(letter.id, this.client.multi()).hset(this.dead, letter.id, JSON.stringify(letter)).hdel(this.failures, letter.id).exec();
  }

  async requeue(id: string, at: number): Promise<void> {
    const json = await this.client.hget(this.dead, id);
    if (json === null) return;
    const letter = JSON.parse(json) as DeadLetter;
    await this.append({ ...letter, notBefore: at, failures: 0 });
    await this.client.hdel(this.dead, id);
  }

  async close(): Promise<void> {
    this.held.clear();
  }

  /** The entries as messages (their failure counts read back), now held by this consumer. */
  private async take(entries: readonly Entry[]): Promise<StoredMessage[]> {
    const live = entries.filter((e): e is [string, string[]] => e[1] !== null && fieldOf(e[1], 'id') !== undefined);
    if (live.length === 0) return [];
    const counts = await this.client.hmget(this.failures, ...live.map((e) => fieldOf(e[1], 'id')!));
    return live.map(([entryId, fields], i) => {
      const id = fieldOf(fields, 'id')!;
      this.held.set(id, entryId);
      const [failures, notBefore] = (counts[i] ?? '0:0').split(':').map(Number) as [number, number];
      return { id, key: fieldOf(fields, 'k'), payload: JSON.parse(fieldOf(fields, 'p') ?? 'null') as unknown, enqueuedAt: Number(fieldOf(fields, 'at')), failures, notBefore };
    });
  }

  private release<M extends ReturnType<Redis['multi']>>(id: string, multi: M): M {
    const entryId = this.held.get(id);
    this.held.delete(id);
    if (entryId !== undefined) multi.xack(this.stream, this.group, entryId).xdel(this.stream, entryId);
    return multi;
  }
}

/** The entries of an XREADGROUP reply on one stream: `[stream, entries]`, or `[[stream, entries]]`, or null. */
function entriesOf(reply: unknown): Entry[] {
  if (!Array.isArray(reply) || reply.length === 0) return [];
  const pair = (typeof reply[0] === 'string' ? reply : reply[0]) as [string, Entry[] | null];
  return pair[1] ?? [];
}

function fieldOf(fields: readonly string[] | null, name: string): string | undefined {
  if (fields === null) return undefined;
  for (let i = 0; i < fields.length - 1; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}
