import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { filter, firstValueFrom, NEVER, Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  healthMonitor, operationMode, type HealthComponent, type HealthKind, type HealthReport, type HealthStatus,
} from 'rx-resilience';
import { healthEndpoints, metricsHandler, type HealthEndpoints } from 'rx-resilience/http';
import { expectConfigError } from '../helpers/configError.js';

const TOKEN = 's3cret-token';

function fed(name: string, kind: HealthKind = 'readiness', critical = true) {
  const subject = new Subject<HealthReport>();
  const component = Object.assign(subject.asObservable(), { name, kind, critical }) as HealthComponent;
  return {
    subject, component,
    send: (status: HealthStatus, error?: unknown) => subject.next({ name, kind, critical, status, since: 0, at: 0, latency: 1, details: { n: 1 }, error, failures: 0, successes: 0 }),
  };
}

let server: Server | undefined;
let endpoints: HealthEndpoints | undefined;
afterEach(async () => {
  endpoints?.close();
  if (server !== undefined) {
    server.closeAllConnections();
    await new Promise((resolve) => server!.close(resolve));
  }
  server = endpoints = undefined;
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<number> {
  server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

async function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const req = request({ host: '127.0.0.1', port, path, method, headers });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode!, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** Opens an event stream and collects its frames; `next(n)` resolves once n events (not comments) have arrived. */
async function openEvents(port: number) {
  const req = request({ host: '127.0.0.1', port, path: '/events' });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const frames: string[] = [];
  let buffer = '';
  let waiter: { count: number; resolve: () => void } | undefined;
  const events = () => frames.filter((f) => f.includes('event: ')).map((f) => ({ event: /event: (.*)/.exec(f)![1], data: JSON.parse(/data: (.*)/.exec(f)![1]!) as unknown }));
  res.on('data', (chunk) => {
    buffer += String(chunk);
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      frames.push(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
    }
    if (waiter !== undefined && (waiter.count < 0 ? frames.filter((f) => f.startsWith(':')).length >= -waiter.count : events().length >= waiter.count)) waiter.resolve();
  });
  res.on('error', () => undefined);
  const until = (count: number) => new Promise<void>((resolve) => {
    waiter = { count, resolve };
    res.emit('data', '');
  });
  return { req, res, frames, events, until };
}

describe('healthEndpoints on loopback', () => {
  it('answers live, ready (503 until every component reported and while one is unhealthy) and 404', async () => {
    const db = fed('db');
    const live = fed('loop', 'liveness');
    const deep = fed('breaker', 'deep', false);
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [db.component, live.component, deep.component] }) });
    const port = await serve(endpoints);

    expect((await get(port, '/health/ready')).status).toBe(503);
    expect((await get(port, '/health/ready')).json()).toMatchObject({ ready: false, pending: ['db', 'loop', 'breaker'] });
    db.send('healthy');
    live.send('healthy');
    expect((await get(port, '/health/ready')).status).toBe(503);
    deep.send('unhealthy');
    const ready = await get(port, '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.headers['cache-control']).toBe('no-store');
    // status: what gates readiness; overallStatus: the monitor's, deep components included.
    expect(ready.json()).toEqual({ ready: true, status: 'healthy', overallStatus: 'degraded', checks: { db: 'healthy', loop: 'healthy' }, deep: { breaker: 'unhealthy' }, pending: [] });
    db.send('unhealthy');
    expect((await get(port, '/health/ready')).status).toBe(503);

    expect((await get(port, '/health/live')).json()).toEqual({ status: 'alive', checks: { loop: 'healthy' } });
    live.send('unhealthy');
    expect((await get(port, '/health/live')).status).toBe(503);

    expect((await get(port, '/nope')).status).toBe(404);
    expect((await get(port, '/health/detailed')).status).toBe(404);
    const post = await get(port, '/health/ready', {}, 'POST');
    expect([post.status, post.headers.allow]).toEqual([405, 'GET, HEAD']);
    const head = await get(port, '/health/live', {}, 'HEAD');
    expect([head.status, head.text]).toEqual([503, '']);
  });

  it('serves /health/detailed only with the bearer token, and never echoes it', async () => {
    const db = fed('db');
    const monitor = healthMonitor({ components: [db.component] });
    const mode = operationMode({ health$: monitor.health$ });
    endpoints = healthEndpoints({ monitor, mode, token: TOKEN, basePath: '/ops' });
    const port = await serve(endpoints);
    db.send('unhealthy', Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }));

    for (const headers of [{} as Record<string, string>, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Bearer ${TOKEN.slice(0, -1)}` }, { authorization: `Basic ${TOKEN}` }, { authorization: 'Bearer' }]) {
      const denied = await get(port, '/ops/health/detailed', headers);
      expect(denied.status).toBe(401);
      expect(denied.headers['www-authenticate']).toBe('Bearer realm="health"');
      expect(denied.text).not.toContain(TOKEN);
    }
    const ok = await get(port, '/ops/health/detailed', { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.text).not.toContain(TOKEN);
    const body = ok.json() as { status: string; components: Record<string, { error: unknown; details: unknown }>; mode: { mode: string; components: string[] } };
    expect(body.status).toBe('unhealthy');
    expect(body.components.db!.error).toEqual({ name: 'Error', message: 'connection refused', code: 'ECONNREFUSED' });
    expect(body.components.db!.details).toEqual({ n: 1 });
    expect(body.mode).toMatchObject({ mode: 'EMERGENCY', components: ['db'] });
    expect((await get(port, '/health/detailed', { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
  });

  it('serves /metrics from a source function; a failing source is a 500 without detail', async () => {
    let fail = false;
    endpoints = healthEndpoints({
      monitor: healthMonitor({ components: [] }),
      metrics: async () => {
        if (fail) throw new Error('registry exploded');
        return { contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'resilience_up 1\n' };
      },
    });
    const port = await serve(endpoints);
    const ok = await get(port, '/metrics');
    expect([ok.status, ok.headers['content-type'], ok.text]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8', 'resilience_up 1\n']);
    fail = true;
    const bad = await get(port, '/metrics');
    expect(bad.status).toBe(500);
    expect(bad.text).not.toContain('exploded');
  });

  it('metricsHandler works alone and refuses a source that returns something else', async () => {
    const port = await serve(metricsHandler(() => ({ nope: 1 }) as never));
    expect((await get(port, '/anything')).status).toBe(500);
  });

  it('streams state changes as server-sent events and releases everything when a client disconnects mid-stream', async () => {
    const scheduler = new VirtualTimeScheduler(undefined, 0);
    const db = fed('db');
    const breakerStates = new Subject<string>();
    const monitor = healthMonitor({ components: [db.component] });
    const mode = operationMode({ health$: monitor.health$ });
    endpoints = healthEndpoints({ monitor, mode, heartbeat: 1_000, scheduler, maxStreams: 2, streams: { payments: breakerStates } });
    const port = await serve(endpoints);

    const client = await openEvents(port);
    await client.until(2);
    expect(client.events()).toEqual([
      { event: 'health', data: { status: 'healthy', components: {}, pending: ['db'] } },
      { event: 'mode', data: expect.objectContaining({ mode: 'NORMAL' }) },
    ]);
    db.send('unhealthy');
    breakerStates.next('open');
    await client.until(6);
    const later = client.events().slice(2);
    expect(later.map((e) => e.event).sort()).toEqual(['health', 'mode', 'payments', 'transition']);
    const data = (name: string) => later.find((e) => e.event === name)!.data;
    expect(data('transition')).toEqual({ type: 'unhealthy', component: 'db', from: undefined, to: 'unhealthy', at: 0 });
    expect(data('health')).toEqual({ status: 'unhealthy', components: { db: 'unhealthy' }, pending: [] });
    expect(data('mode')).toMatchObject({ mode: 'EMERGENCY', components: ['db'] });
    expect(data('payments')).toBe('open');

    // Heartbeats come from the scheduler: advance it by hand.
    expect(scheduler.actions).toHaveLength(1);
    scheduler.maxFrames = 2_000;
    scheduler.flush();
    await client.until(-2);
    expect(client.frames.filter((f) => f === ': heartbeat')).toHaveLength(2);

    expect(breakerStates.observed).toBe(true);
    client.req.destroy();
    await firstValueFrom(endpoints.openStreams$.pipe(filter((n) => n === 0)));
    // The client's heartbeat is released; the streams stay held (for replay) until close().
    expect(scheduler.actions).toHaveLength(0);
    expect(breakerStates.observed).toBe(true);
    // The endpoints' own subscription keeps the checks running for /health/*.
    expect(db.subject.observers).toHaveLength(1);
    endpoints.close();
    expect(db.subject.observed).toBe(false);
    expect(breakerStates.observed).toBe(false);
  });

  it('refuses more event streams than the cap with 503, and accepts again once one leaves', async () => {
    const scheduler = new VirtualTimeScheduler(undefined, 0);
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [fed('db').component] }), heartbeat: 1_000, scheduler, maxStreams: 2, streams: { idle: NEVER } });
    const port = await serve(endpoints);
    const a = await openEvents(port);
    const b = await openEvents(port);
    await Promise.all([a.until(1), b.until(1)]);
    const third = await get(port, '/events');
    expect([third.status, third.headers['retry-after']]).toEqual([503, '5']);
    expect(third.json()).toEqual({ error: 'too many event streams', maxStreams: 2 });
    expect(scheduler.actions).toHaveLength(2);

    a.req.destroy();
    await firstValueFrom(endpoints.openStreams$.pipe(filter((n) => n === 1)));
    const c = await openEvents(port);
    await c.until(1);
    expect(scheduler.actions).toHaveLength(2);

    const ended = Promise.all([once(b.res, 'end'), once(c.res, 'end')]);
    endpoints.close();
    await ended;
    expect(scheduler.actions).toHaveLength(0);
    expect((await get(port, '/events')).status).toBe(503);
  });

  describe('rejects bad config naming the field (and never the token)', () => {
    const monitor = healthMonitor({ components: [] });
    it.each([
      ['monitor', {}],
      ['monitor', { monitor: {} }],
      ['mode', { monitor, mode: {} }],
      ['metrics', { monitor, metrics: 'text' }],
      ['token', { monitor, token: '' }],
      ['token', { monitor, token: 12345 }],
      ['basePath', { monitor, basePath: 'ops' }],
      ['basePath', { monitor, basePath: '/ops/' }],
      ['maxStreams', { monitor, maxStreams: -1 }],
      ['heartbeat', { monitor, heartbeat: 0 }],
      ['heartbeat', { monitor, heartbeat: 2 ** 31 }],
      ['streams.x', { monitor, streams: { x: 1 } }],
      ['streams.a b', { monitor, streams: { 'a b': NEVER } }],
      ['scheduler', { monitor, scheduler: {} }],
      ['tokn', { monitor, tokn: TOKEN }],
    ])('%s', (field, config) => {
      const thrown = expectConfigError(() => healthEndpoints(config as never), field);
      if (field === 'token') expect(thrown.message).not.toContain('12345');
    });
  });
});
