import { filter, firstValueFrom, of, throwError, VirtualTimeScheduler, type Observable } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { circuitBreaker, ConfigError, type CircuitBreaker, type CircuitState } from 'rx-resilience';
import { sharedBreaker, type SharedBreaker, type SharedBreakerEvent } from 'rx-resilience/redis';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server.stop());

const started: SharedBreaker[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

let channels = 0;
interface Instance {
  breaker: CircuitBreaker;
  shared: SharedBreaker;
  states: CircuitState[];
  scheduler: VirtualTimeScheduler;
}

/** One "process": its own connection, its own breaker (one failure opens it for a minute). */
async function instance(channel: string, options: { quorum?: number; window?: number } = {}): Promise<Instance> {
  const scheduler = new VirtualTimeScheduler();
  const breaker = circuitBreaker({ name: 'payments', strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 60_000, scheduler });
  const shared = sharedBreaker(breaker, { client: server.client(), channel, scheduler, ...options });
  started.push(shared);
  const states: CircuitState[] = [];
  breaker.state$.subscribe((s) => states.push(s));
  await shared.ready;
  return { breaker, shared, states, scheduler };
}

const fail = (i: Instance) => throwError(() => new Error('down')).pipe(i.breaker).subscribe({ error: () => undefined });
const when = (i: Instance, test: (e: SharedBreakerEvent) => boolean) => firstValueFrom((i.shared.events$ as Observable<SharedBreakerEvent>).pipe(filter(test)));
const received = (i: Instance) => when(i, (e) => e.type === 'received');

describe('sharedBreaker', () => {
  it('quorum 1: one instance trips, the other opens on its message and does not echo it; a close brings both back', async () => {
    const channel = `c${++channels}`;
    const a = await instance(channel);
    const b = await instance(channel);
    const published: SharedBreakerEvent[] = [];
    b.shared.events$.pipe(filter((e) => e.type === 'published')).subscribe((e) => published.push(e));
    const own = when(a, (e) => e.type === 'ignored');
    let arrived = received(b);
    fail(a);
    expect(await arrived).toMatchObject({ message: { instance: a.shared.instance, epoch: 1, state: 'open' }, applied: true });
    expect(b.states).toEqual(['closed', 'open']);
    expect(await own).toMatchObject({ reason: 'own' });
    // b's opening was the fleet's doing: nothing published, nothing looped back to a.
    expect(published).toEqual([]);
    of(1).pipe(b.breaker).subscribe({ error: (e: unknown) => expect((e as Error).name).toBe('CircuitOpenError') });

    arrived = received(b);
    a.breaker.reset();
    expect(await arrived).toMatchObject({ message: { epoch: 2, state: 'closed' }, applied: true });
    expect(b.states).toEqual(['closed', 'open', 'closed']);
  });

  it('quorum 2: one tripping instance does not open the others; a second one within the window does', async () => {
    const channel = `c${++channels}`;
    const [a, b, c] = [await instance(channel, { quorum: 2 }), await instance(channel, { quorum: 2 }), await instance(channel, { quorum: 2 })];
    let arrived = received(c);
    fail(a);
    expect(await arrived).toMatchObject({ applied: false });
    expect(c.states).toEqual(['closed']);
    expect(b.breaker.stats().state).toBe('closed');
    arrived = received(c);
    fail(b);
    expect(await arrived).toMatchObject({ message: { instance: b.shared.instance }, applied: true });
    expect(c.states).toEqual(['closed', 'open']);
  });

  it('quorum 2: openings further apart than the window do not add up', async () => {
    const channel = `c${++channels}`;
    const a = await instance(channel, { quorum: 2, window: 1_000 });
    const b = await instance(channel, { quorum: 2, window: 1_000 });
    const c = await instance(channel, { quorum: 2, window: 1_000 });
    let arrived = received(c);
    fail(a);
    await arrived;
    for (const i of [a, b, c]) {
      i.scheduler.schedule(() => undefined, 1_001);
      i.scheduler.flush();
    }
    arrived = received(c);
    fail(b);
    expect(await arrived).toMatchObject({ applied: false });
    expect(c.breaker.stats().state).toBe('closed');
  });

  it('an instance that starts while the fleet is open starts open; after the fleet closes, one starts closed', async () => {
    const channel = `c${++channels}`;
    const a = await instance(channel);
    const b = await instance(channel);
    const arrived = received(b);
    fail(a);
    await arrived;
    const client = server.client();
    // The decision is written right after the publish: poll it (bounded), then check its TTL.
    let decision = await client.hgetall(`${channel}:decision`);
    for (let i = 0; i < 1_000 && decision.state !== 'open'; i++) decision = await client.hgetall(`${channel}:decision`);
    // Every instance that sees the quorum met keeps the decision: the last write names one of them.
    expect(decision.state).toBe('open');
    expect([a.shared.instance, b.shared.instance]).toContain(decision.by);
    expect(await client.pttl(`${channel}:decision`)).toBeGreaterThan(0);
    const late = await instance(channel);
    expect(late.states).toEqual(['closed', 'open']);

    const closed = received(late);
    a.breaker.reset();
    await closed;
    expect(late.breaker.stats().state).toBe('closed');
    expect(await client.exists(`${channel}:decision`)).toBe(0);
    const later = await instance(channel);
    expect(later.states).toEqual(['closed']);
  });

  it('ignores a late or duplicate message (an epoch not newer than the last seen) and malformed ones', async () => {
    const channel = `c${++channels}`;
    const a = await instance(channel);
    const client = server.client();
    const send = (m: unknown) => client.publish(channel, typeof m === 'string' ? m : JSON.stringify(m));
    let next = when(a, (e) => e.type !== 'published');
    await send({ instance: 'x', epoch: 5, state: 'closed' });
    expect(await next).toMatchObject({ type: 'received', applied: false });
    next = when(a, (e) => e.type !== 'published');
    await send({ instance: 'x', epoch: 4, state: 'open' });
    expect(await next).toMatchObject({ type: 'ignored', reason: 'stale' });
    next = when(a, (e) => e.type !== 'published');
    await send('{not json');
    expect(await next).toMatchObject({ type: 'ignored', reason: 'malformed' });
    expect(a.states).toEqual(['closed']);
  });

  it('leaves an isolated breaker alone', async () => {
    const channel = `c${++channels}`;
    const a = await instance(channel);
    const b = await instance(channel);
    b.breaker.isolate();
    const arrived = received(b);
    fail(a);
    expect(await arrived).toMatchObject({ applied: false });
    expect(b.breaker.stats().state).toBe('isolated');
  });

  it('refuses bad options with a ConfigError', () => {
    const breaker = circuitBreaker({ name: 'x' });
    const client = { duplicate: () => undefined } as never;
    expect(() => sharedBreaker({} as never, { client })).toThrowError(ConfigError);
    expect(() => sharedBreaker(breaker, {} as never)).toThrowError(/client/);
    expect(() => sharedBreaker(breaker, { client, quorum: 0 })).toThrowError(/quorum/);
    expect(() => sharedBreaker(breaker, { client, window: -1 })).toThrowError(/window/);
    expect(() => sharedBreaker(breaker, { client, channel: '' })).toThrowError(/channel/);
  });
});
