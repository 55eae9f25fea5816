import { afterEach, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from './redis.js';

describe('startRedis (test helper)', () => {
  let server: RedisServer | undefined;
  afterEach(async () => server?.stop());

  it('starts an empty server without persistence; a restart loses the data', async () => {
    server = await startRedis();
    const client = server.client();
    expect(await client.ping()).toBe('PONG');
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    await client.set('a', '1');
    let refused: unknown;
    await server.restart(() => server!.client({ maxRetriesPerRequest: 0, retryStrategy: () => null }).ping().catch((e: unknown) => (refused = e)));
    expect(refused).toBeInstanceOf(Error);
    expect(await client.get('a')).toBeNull();
  });

  it('with aof, keeps the data across a restart', async () => {
    server = await startRedis({ aof: true, appendfsync: 'everysec' });
    const client = server.client();
    await client.set('a', '1');
    await server.restart();
    expect(await client.get('a')).toBe('1');
  });

  it('a paused server answers nothing until resumed', async () => {
    server = await startRedis();
    const client = server.client();
    await client.ping();
    server.pause();
    let answered = false;
    const pong = client.ping().then((r) => ((answered = true), r));
    // A turn of the event loop later there is still no reply (a live server answers in one).
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    server.resume();
    expect(await pong).toBe('PONG');
  });
});
