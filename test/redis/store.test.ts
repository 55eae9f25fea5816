import { fc, test } from '@fast-check/vitest';
import { filter, firstValueFrom, lastValueFrom, of, type Observable, toArray, take as takeN, VirtualTimeScheduler } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, memoryStore, RateLimitedError, tokenBucket, type RateParams } from 'rx-resilience';
import { healthFromStore, redisStore, type RedisStore, type RedisStoreEvent } from 'rx-resilience/redis';
import { scopedKey } from '../../src/rate/store.js';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server.stop());

let prefixes = 0;
const fresh = () => `t${++prefixes}:`;

/** One call through a limiter: the value, or the error it failed with. */
const call = (limiter: (s: Observable<number>) => Observable<number>) =>
  lastValueFrom(of(1).pipe(limiter)).then(
    (v) => v as unknown,
    (e: unknown) => e,
  );

// Times and parameters are whole seconds (or halves) apart, so every record's TTL is at least
// 500 ms of real time: Redis never expires a record that virtual time still needs.
const paramsArb: fc.Arbitrary<{ params: RateParams; cost: number }> = fc.oneof(
  fc.record({ capacity: fc.integer({ min: 1, max: 5 }), interval: fc.constantFrom(1_000, 2_000, 5_000, 8_000, 20_000) }).chain(({ capacity, interval }) =>
    fc.record({ params: fc.constant<RateParams>({ kind: 'token-bucket', capacity, interval }), cost: fc.constantFrom(...[0.5, 1, 2].filter((c) => c <= capacity)) }),
  ),
  fc.record({ limit: fc.integer({ min: 1, max: 5 }), window: fc.integer({ min: 1, max: 30 }).map((s) => s * 1_000), kind: fc.constantFrom('sliding-window' as const, 'fixed-window' as const) }).chain(
    ({ limit, window, kind }) => fc.record({ params: fc.constant<RateParams>({ kind, limit, window }), cost: fc.integer({ min: 1, max: limit }) }),
  ),
);
const stepsArb = fc.array(fc.record({ gap: fc.integer({ min: 0, max: 12 }).map((s) => s * 1_000), queued: fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 4 })) }), {
  minLength: 1,
  maxLength: 25,
});

describe('redisStore scripts', () => {
  let store: RedisStore;
  beforeAll(() => {
    store = redisStore({ client: server.client(), prefix: 'prop:', clock: 'client', timeout: 5_000 });
  });
  let run = 0;

  test.prop([paramsArb, stepsArb, fc.constantFrom(0, 1_732_000_000_000)], { numRuns: 80 })(
    'answer every take exactly as the pure step functions do (client clock)',
    async ({ params, cost }, steps, base) => {
      const memory = memoryStore();
      const key = `k${++run}`;
      let now = base;
      for (const { gap, queued } of steps) {
        now += gap;
        const expected = { ...memory.take(key, cost, now, params, queued) };
        expect(await store.take(key, cost, now, params, queued)).toEqual(expected);
      }
      expect(store.stats().insured).toBe(0);
    },
  );
});

describe('redisStore keys', () => {
  it('namespaces records by prefix, algorithm, escaped limiter name and key, each with a TTL of its idle time', async () => {
    const client = server.client();
    const prefix = fresh();
    const store = redisStore({ client, prefix });
    const scheduler = new VirtualTimeScheduler();
    const a = tokenBucket({ name: 'a:b', capacity: 2, refill: { tokens: 2, every: 1_000 }, store, scheduler });
    const b = tokenBucket({ name: 'a', capacity: 2, refill: { tokens: 2, every: 1_000 }, store, scheduler });
    await call(a.forKey('c'));
    await call(b.forKey('b:c'));
    await call(b.forKey('b:c'));
    expect((await client.keys(`${prefix}*`)).sort()).toEqual([`${prefix}tb:a:b:c`, `${prefix}tb:a\\:b:c`]);
    // One token of two taken (500 ms to refill) and two of two taken (1000 ms).
    const ttlA = await client.pttl(`${prefix}tb:a\\:b:c`);
    const ttlB = await client.pttl(`${prefix}tb:a:b:c`);
    expect(ttlA).toBeGreaterThan(0);
    expect(ttlA).toBeLessThanOrEqual(500);
    expect(ttlB).toBeGreaterThan(500);
    expect(ttlB).toBeLessThanOrEqual(1_000);
    expect(store.redisKey(scopedKey('a:b', 'c'), 'token-bucket')).toBe(`${prefix}tb:a\\:b:c`);
  });

  it('limiters of the same name in two stores on two connections share one bucket', async () => {
    const prefix = fresh();
    const limiter = () =>
      tokenBucket({ name: 'shared', capacity: 3, refill: { tokens: 1, every: 60_000 }, store: redisStore({ client: server.client(), prefix }), scheduler: new VirtualTimeScheduler() });
    const one = limiter();
    const two = limiter();
    const results = await Promise.all([call(one), call(two), call(one), call(two), call(one)]);
    expect(results.filter((r) => r === 1)).toHaveLength(3);
    expect(results.filter((r) => r instanceof RateLimitedError)).toHaveLength(2);
  });

  it('keeps working after SCRIPT FLUSH (EVALSHA falls back to EVAL)', async () => {
    const client = server.client();
    const store = redisStore({ client, prefix: fresh() });
    const params: RateParams = { kind: 'sliding-window', limit: 2, window: 60_000 };
    expect((await store.take('k', 1, 0, params, 0)).allowed).toBe(true);
    await client.script('FLUSH');
    expect(await store.take('k', 1, 0, params, 0)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await store.take('k', 1, 0, params, 0)).toMatchObject({ allowed: false });
    expect(store.stats()).toMatchObject({ remote: 3, insured: 0, failures: 0 });
  });

  it("with clock: 'server', reads Redis TIME: the callers' clocks do not matter", async () => {
    const store = redisStore({ client: server.client(), prefix: fresh() });
    const params: RateParams = { kind: 'token-bucket', capacity: 1, interval: 60_000 };
    expect((await store.take('k', 1, 0, params, 0)).allowed).toBe(true);
    // A caller whose clock is a year ahead finds the bucket as empty as the first left it.
    const later = await store.take('k', 1, 365 * 86_400_000, params, 0);
    expect(later.allowed).toBe(false);
    expect(later.retryAfter).toBeGreaterThan(50_000);
    expect(later.retryAfter).toBeLessThanOrEqual(60_000);
  });
});

const recovered = (store: RedisStore) => firstValueFrom(store.events$.pipe(filter((e) => e.type === 'store-recovered')));

describe('redisStore outages', () => {
  it('a frozen Redis: answers come from the insurance share within the timeout; events and health report it; recovery restores the shared limit', async () => {
    const prefix = fresh();
    const client = server.client();
    await client.ping();
    const store = redisStore({ client, prefix, timeout: 200, insurance: { processes: 4 } });
    const params: RateParams = { kind: 'fixed-window', limit: 8, window: 3_600_000 };
    const events: RedisStoreEvent[] = [];
    store.events$.subscribe((e) => events.push(e));
    const health = firstValueFrom(healthFromStore(store).pipe(takeN(3), toArray()));
    expect((await store.take('k', 1, 0, params, 0)).remaining).toBe(7);
    const back = recovered(store);
    server.pause();
    try {
      // The first take waits the timeout; the rest are answered at once from 8 / 4 = 2 units.
      const during = [];
      for (let i = 0; i < 4; i++) during.push(await store.take('k', 1, 0, params, 0));
      expect(during.map((r) => r.allowed)).toEqual([true, true, false, false]);
      expect(store.stats().state).toBe('unavailable');
      expect(events.map((e) => e.type)).toEqual(['store-unavailable']);
    } finally {
      server.resume();
    }
    // The take that timed out and the probe reach Redis once it runs again: the probe's answer ends the outage.
    await back;
    expect(events.map((e) => e.type)).toEqual(['store-unavailable', 'store-recovered']);
    expect((await health).map((r) => r.status)).toEqual(['healthy', 'degraded', 'healthy']);
    // Both counted on Redis (a late take errs on the safe side): 8 - 1 - 2 - 1 left.
    expect(await store.take('k', 1, 0, params, 0)).toEqual({ allowed: true, retryAfter: 0, remaining: 4 });
  });

  it('a restarted Redis: no error reaches the caller; after reconnecting, the store answers from Redis again', async () => {
    const client = server.client();
    const store = redisStore({ client, prefix: fresh(), timeout: 100 });
    const params: RateParams = { kind: 'sliding-window', limit: 2, window: 3_600_000 };
    const events: string[] = [];
    store.events$.subscribe((e) => events.push(e.type));
    await store.take('k', 1, 0, params, 0);
    const during: boolean[] = [];
    const back = recovered(store);
    await server.restart(async () => {
      for (let i = 0; i < 3; i++) during.push((await store.take('k', 1, 0, params, 0)).allowed);
    });
    expect(during).toEqual([true, true, false]); // the insurance limiter's own 2 units
    expect(events).toEqual(['store-unavailable']);
    // ioredis reconnects and sends what it queued: the probe succeeds.
    await back;
    expect(events).toEqual(['store-unavailable', 'store-recovered']);
    // Redis lost its data (no persistence); the queued takes counted again, and the limit holds.
    const again = [await store.take('k', 1, 0, params, 0), await store.take('k', 1, 0, params, 0)];
    expect(again.at(-1)!.allowed).toBe(false);
    expect(await client.zcard(store.redisKey('k', 'sliding-window'))).toBe(2);
  });
});

describe('redisStore config', () => {
  const client = { defineCommand: () => undefined } as never;
  it.each([
    ['client', {}],
    ['client', { client: {} }],
    ['prefix', { client, prefix: 1 }],
    ['clock', { client, clock: 'local' }],
    ['timeout', { client, timeout: 0 }],
    ['insurance.share', { client, insurance: { share: 2 } }],
    ['insurance.processes', { client, insurance: { processes: 0 } }],
    ['insurance.size', { client, insurance: { size: 1 } }],
    ['name', { client, name: '' }],
    ['retries', { client, retries: 1 }],
  ])('refuses a bad %s with a ConfigError naming it', (field, options) => {
    expect(() => redisStore(options as never)).toThrowError(ConfigError);
    try {
      redisStore(options as never);
    } catch (e) {
      expect((e as ConfigError).message).toContain(field);
    }
  });
});
