import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RateParams } from 'rx-resilience';
import { redisStore } from 'rx-resilience/redis';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server.stop());

it('10^5 one-off keys leave no keys in Redis once their TTL (their idle time) has passed', async () => {
  const client = server.client();
  const store = redisStore({ client, prefix: 'mem:', clock: 'client', timeout: 10_000 });
  const all: RateParams[] = [
    { kind: 'token-bucket', capacity: 2, interval: 40 },
    { kind: 'sliding-window', limit: 2, window: 80 },
    { kind: 'fixed-window', limit: 2, window: 80 },
  ];
  const keys = 100_000;
  for (let from = 0; from < keys; from += 2_000) {
    const batch = [];
    for (let i = from; i < from + 2_000; i++) batch.push(store.take(`user-${i}`, 1, 1_000_000 + i, all[i % 3]!, 0));
    for (const r of await Promise.all(batch)) expect(r.allowed).toBe(true);
  }
  expect(store.stats()).toMatchObject({ remote: keys, insured: 0 });
  // Every record carries a TTL no longer than its idle time (a bucket: one token, 40 ms; a window: at most 80 ms).
  const sample = await client.pipeline(['mem:tb:user-0', 'mem:sw:user-1', 'mem:fw:user-2'].map((k) => ['pttl', k])).exec();
  for (const [, ttl] of sample!) expect(ttl).toSatisfy((t: number) => t === -2 || (t > 0 && t <= 80));
  // Redis expires them on its own: poll its key count (bounded), no sleep.
  let size = await client.dbsize();
  for (let polls = 0; size > 0 && polls < 100_000; polls++) size = await client.dbsize();
  expect(size).toBe(0);
}, 60_000);
