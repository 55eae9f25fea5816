/**
 * The durable queue on a real redis-server: consumers in one group share the work, a consumer
 * that dies mid-message has it claimed by another, and a Redis restart (AOF, appendfsync always)
 * loses nothing that was acknowledged.
 */
import { firstValueFrom, lastValueFrom, NEVER, of, Subject, throwError } from 'rxjs';
import { filter, take, toArray } from 'rxjs/operators';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constant, durableQueue, type DrainOutcome } from 'rx-resilience';
import { redisStreamStore } from 'rx-resilience/redis';
import { runAndKill } from '../helpers/child.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis({ aof: true, appendfsync: 'always' });
});
afterAll(async () => server.stop());

let streams = 0;
const fresh = () => `jobs-${++streams}`;

const enqueueAll = (queue: ReturnType<typeof durableQueue<string>>, ids: string[]) =>
  Promise.all(ids.map((id) => lastValueFrom(queue.enqueue(`payload ${id}`, { id, key: 'k' }))));

describe('redisStreamStore', () => {
  it('hands every message to one consumer of the group, once, and acknowledges it', async () => {
    const stream = fresh();
    const producer = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream }) });
    const ids = Array.from({ length: 20 }, (_, i) => `m${i}`);
    await enqueueAll(producer, ids);
    const a = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream }), pollInterval: 20 });
    const b = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream }), pollInterval: 20 });
    const seen: string[] = [];
    const done = new Subject<DrainOutcome>();
    const handler = (m: { id: string; payload: string }) => {
      expect(m.payload).toBe(`payload ${m.id}`);
      seen.push(m.id);
      return of(1);
    };
    const subs = [a.drain(handler, { concurrency: 2 }).subscribe(done), b.drain(handler, { concurrency: 2 }).subscribe(done)];
    await firstValueFrom(done.pipe(take(20), toArray()));
    subs.forEach((s) => s.unsubscribe());
    expect([...seen].sort()).toEqual([...ids].sort());
    const client = server.client();
    expect(await client.xlen(stream)).toBe(0);
    expect(await client.xpending(stream, 'rx-resilience')).toEqual([0, null, null, null]);
  });

  it('redelivers after a failure, dead-letters after maxAttempts, and requeues', async () => {
    const stream = fresh();
    const queue = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream }), maxAttempts: 2, backoff: constant(5), pollInterval: 20 });
    await enqueueAll(queue, ['bad']);
    let fail = true;
    const attempts: number[] = [];
    const outcomes = queue.drain((m) => (attempts.push(m.attempt), fail ? throwError(() => new Error('nope')) : of(1)));
    const first = await firstValueFrom(outcomes);
    expect(first).toMatchObject({ type: 'dead-lettered', id: 'bad', attempt: 2, error: 'Error: nope' });
    expect(attempts).toEqual([1, 2]);
    const reopened = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream }), pollInterval: 20 });
    expect((await firstValueFrom(reopened.deadLetters())).map((l) => [l.id, l.failures])).toEqual([['bad', 2]]);
    fail = false;
    expect(await lastValueFrom(reopened.requeue('bad'))).toBe(1);
    const again = await firstValueFrom(reopened.drain((m) => (attempts.push(m.attempt), of(1))));
    expect(again).toEqual({ type: 'delivered', id: 'bad', key: 'k', attempt: 1 });
  });

  it('lets another consumer claim and finish the message of a consumer killed mid-message (SIGKILL)', async () => {
    const stream = fresh();
    const producer = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream }) });
    await enqueueAll(producer, ['job']);
    // A child process takes the message, starts it, and is killed: the message stays pending in its name.
    const lines = await runAndKill(['redis', String(server.port), stream], (line) => line.startsWith('started'));
    expect(lines).toEqual(['started job 1']);
    const client = server.client();
    expect(await client.xpending(stream, 'rx-resilience')).toMatchObject([1, expect.any(String), expect.any(String), [['child', '1']]]);
    const survivor = durableQueue<string>({ store: redisStreamStore({ client, stream, consumer: 'survivor', claimAfter: 200 }), pollInterval: 20 });
    const got: Array<[string, number]> = [];
    const outcome = await firstValueFrom(survivor.drain((m) => (got.push([m.id, m.attempt]), of(1))));
    expect(outcome).toEqual({ type: 'delivered', id: 'job', key: 'k', attempt: 1 });
    expect(got).toEqual([['job', 1]]);
    expect(await client.xlen(stream)).toBe(0);
    expect(await client.xpending(stream, 'rx-resilience')).toEqual([0, null, null, null]);
  }, 60_000);

  it('two consumers of one group: when one stops mid-message, the other claims it and finishes the rest', async () => {
    const stream = fresh();
    const producer = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream }) });
    await enqueueAll(producer, ['a', 'b', 'c']);
    const dyingClient = server.client();
    const dying = durableQueue<string>({ store: redisStreamStore({ client: dyingClient, stream, consumer: 'dying' }), pollInterval: 20 });
    const started = new Subject<string>();
    const sub = dying.drain((m) => (started.next(m.id), NEVER)).subscribe();
    const first = await firstValueFrom(started);
    sub.unsubscribe();
    dyingClient.disconnect();
    const survivor = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream, consumer: 'survivor', claimAfter: 200 }), pollInterval: 20 });
    const outcomes = await firstValueFrom(survivor.drain(() => of(1)).pipe(filter((o) => o.type === 'delivered'), take(3), toArray()));
    expect(outcomes.map((o) => o.id).sort()).toEqual(['a', 'b', 'c']);
    expect(outcomes.map((o) => o.id)).toContain(first);
    expect(await server.client().xlen(stream)).toBe(0);
  });

  it('keeps every acknowledged enqueue through a Redis restart (AOF, appendfsync always)', async () => {
    const stream = fresh();
    const producer = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream }) });
    const ids = Array.from({ length: 50 }, (_, i) => `r${i}`);
    await enqueueAll(producer, ids);
    const early = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream }), pollInterval: 20 });
    const firstTen = await firstValueFrom(early.drain(() => of(1), { concurrency: 4 }).pipe(take(10), toArray()));
    await server.restart();
    const after = durableQueue<string>({ store: redisStreamStore({ client: server.client(), stream, claimAfter: 100 }), pollInterval: 20 });
    const rest = await firstValueFrom(after.drain(() => of(1), { concurrency: 4 }).pipe(take(40), toArray()));
    const delivered = [...firstTen, ...rest].map((o) => o.id);
    expect(new Set(delivered)).toEqual(new Set(ids));
    expect(await server.client().xlen(stream)).toBe(0);
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => redisStreamStore({ client: {} as never, stream: 's' })).toThrow(/client/);
    expect(() => redisStreamStore({ client: server.client(), stream: '' })).toThrow(/stream/);
    expect(() => redisStreamStore({ client: server.client(), stream: 's', claimAfter: -1 })).toThrow(/claimAfter/);
  });
});
