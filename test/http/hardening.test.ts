/**
 * Nothing a client sends, and nothing a health detail, a mode reason or an extra stream holds, may
 * throw inside the request listener or end the process. Loopback, raw sockets (node:net), so that
 * malformed requests reach the server as written.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { filter, firstValueFrom, Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError, healthMonitor, operationMode,
  type HealthComponent, type HealthReport, type HealthStatus,
} from 'rx-resilience';
import { healthEndpoints, type HealthEndpoints } from 'rx-resilience/http';

let server: Server | undefined;
let endpoints: HealthEndpoints | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  endpoints?.close();
  sockets.splice(0).forEach((s) => s.destroy());
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

async function open(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  await once(socket, 'connect');
  return socket;
}

/** Sends `text` as is and reads until the server closes the connection. */
async function raw(port: number, text: string | Buffer): Promise<{ status: number; text: string }> {
  const socket = await open(port);
  let out = '';
  socket.on('data', (chunk) => (out += String(chunk)));
  socket.on('error', () => undefined);
  const closed = once(socket, 'close');
  socket.write(text);
  await closed;
  return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(out)?.[1] ?? 0), text: out };
}

const get = (port: number, target: string, headers = '') => raw(port, `GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headers}\r\n`);
const body = (text: string) => JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;

function fed(name: string) {
  const subject = new Subject<HealthReport>();
  const component = Object.assign(subject.asObservable(), { name, kind: 'readiness', critical: true }) as HealthComponent;
  const send = (status: HealthStatus, details: unknown, error?: unknown) =>
    subject.next({ name, kind: 'readiness', critical: true, status, since: 0, at: 0, latency: 1, details: details as Record<string, unknown>, error, failures: 0, successes: 0 });
  return { component, send };
}

const INHERITED = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf'];

describe('request targets never reach an inherited key', () => {
  it.each(['', '/ops'])('basePath %j: every inherited name is a 404 (or next()), and the server stays up', async (basePath) => {
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), basePath, token: 'tok' });
    const port = await serve(endpoints);
    for (const name of INHERITED) {
      for (const target of [`${basePath}${name}`, `${basePath}/${name}`, `${basePath}/health/${name}`, `/${name}${basePath}`]) {
        // Node's parser refuses a target without a leading slash (400); every other one is ours (404).
        const answer = await get(port, target);
        expect([target, answer.status]).toEqual([target, target.startsWith('/') ? 404 : 400]);
      }
    }
    expect((await get(port, `${basePath}/health/live`)).status).toBe(200);
  });

  it('hands inherited names to next() when one is given', async () => {
    const seen: string[] = [];
    const handler = healthEndpoints({ monitor: healthMonitor({ components: [] }), basePath: '/ops' });
    endpoints = handler;
    const port = await serve((req, res) => handler(req, res, () => {
      seen.push(req.url!);
      res.writeHead(418).end();
    }));
    for (const name of INHERITED) expect((await get(port, `/ops${name}`)).status).toBe(418);
    expect(seen).toEqual(INHERITED.map((n) => `/ops${n}`));
  });
});

describe('malformed requests', () => {
  it('answers each with a 4xx (from Node or from us) and keeps serving', async () => {
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }) });
    const port = await serve(endpoints);
    const cases: [string | Buffer, number][] = [
      ['GET %zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
      ['GET /health/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
      ['GET /health/live%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
      ['GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
      ['OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
      ['GET http://x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
      ['GET http://x?/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 404],
      ['GET mailto:x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
      ['GET /health/live HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n', 400],
      ['GET /health/live HTTP/1.1\r\nHost: x\r\nX: a\u0001b\r\n\r\n', 400],
      ['GET /health/live HTTP/1.1\r\nHost: x\r\nno-colon\r\n\r\n', 400],
      ['GET /health/live HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\nHost: x\r\n\r\n', 400],
      ['GET /health/live HTTP/9.9\r\nHost: x\r\n\r\n', 400],
      ['\u0000\u0001\u0002 garbage\r\n\r\n', 400],
      [Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03]), 400],
      [`GET /${'a'.repeat(8_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 404],
      [`GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 431],
      [`GET /health/live HTTP/1.1\r\nHost: x\r\nX: ${'b'.repeat(100_000)}\r\n\r\n`, 431],
      ['DELETE /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 405],
    ];
    for (const [request, status] of cases) {
      const answer = await raw(port, request);
      expect([String(request).slice(0, 40), answer.status]).toEqual([String(request).slice(0, 40), status]);
      expect((await get(port, '/health/live')).status).toBe(200);
    }
  });

  it('serves absolute-form targets by their path', async () => {
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), basePath: '/ops' });
    const port = await serve(endpoints);
    expect((await get(port, 'http://127.0.0.1/ops/health/live?x=1')).status).toBe(200);
    expect((await get(port, 'HTTPS://example.com:8443/ops/health/ready')).status).toBe(200);
    expect((await get(port, 'http://127.0.0.1/ops__proto__')).status).toBe(404);
  });
});

describe('an unexpected throw inside the listener', () => {
  const throwing = (when: 'snapshot' | 'stream') => {
    const monitor = healthMonitor({ components: [] });
    return {
      health$: monitor.health$,
      components: [],
      snapshot: () => {
        if (when === 'snapshot') throw new TypeError('snapshot exploded');
        return monitor.snapshot();
      },
      get transitions$(): never {
        throw new TypeError('transitions exploded');
      },
    };
  };

  it('is a 500 without detail before the head is sent, and the server keeps serving', async () => {
    endpoints = healthEndpoints({ monitor: throwing('snapshot') as never });
    const port = await serve(endpoints);
    for (const path of ['/health/live', '/health/ready']) {
      const answer = await get(port, path);
      expect(answer.status).toBe(500);
      expect(body(answer.text)).toEqual({ error: 'internal error' });
      expect(answer.text).not.toContain('exploded');
    }
    expect((await get(port, '/nope')).status).toBe(404);
  });

  it('destroys the connection once the head is out, and frees the event-stream slot', async () => {
    endpoints = healthEndpoints({ monitor: throwing('stream') as never, maxStreams: 1 });
    const port = await serve(endpoints);
    // The head may or may not have left before the connection was destroyed; the body never ends cleanly.
    const answer = await raw(port, 'GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    expect([0, 200]).toContain(answer.status);
    expect(answer.text).not.toContain('\r\n0\r\n\r\n');
    await firstValueFrom(endpoints.openStreams$.pipe(filter((n) => n === 0)));
    expect((await get(port, '/health/live')).status).toBe(200);
  });
});

describe('/metrics answers that cannot be sent', () => {
  it('a content type that is not a valid header value is a 500, not an unhandled rejection', async () => {
    const sources = [
      () => ({ contentType: 'text/plain\r\nx-injected: 1', body: 'm 1\n' }),
      () => ({ contentType: 'text/plain\u0000', body: 'm 1\n' }),
      () => ({ get contentType(): string { throw new Error('getter'); }, body: 'm 1\n' }),
    ];
    let which = 0;
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), metrics: () => sources[which]!() });
    const port = await serve(endpoints);
    for (which = 0; which < sources.length; which++) {
      const answer = await get(port, '/metrics');
      expect(answer.status).toBe(500);
      expect(answer.text).not.toContain('x-injected');
    }
    expect((await get(port, '/health/live')).status).toBe(200);
  });
});

/** Values JSON.stringify cannot write. */
function unserialisable() {
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  let deep: unknown = 'bottom';
  for (let i = 0; i < 20_000; i++) deep = { deep };
  return {
    big: 12345678901234567890n,
    circular,
    getter: Object.defineProperty({ ok: 1 }, 'bad', { enumerable: true, get: () => { throw new RangeError('getter'); } }),
    toJSON: { toJSON: () => { throw new Error('toJSON'); } },
    proxy: new Proxy({}, { ownKeys: () => { throw new Error('trap'); } }),
    deep,
    fine: 'still here',
  };
}

describe('values JSON cannot write', () => {
  it('/health/detailed writes placeholders in place of each one and answers 200', async () => {
    const db = fed('db');
    const monitor = healthMonitor({ components: [db.component] });
    const mode = operationMode({ health$: monitor.health$, rules: [{ mode: 'DEGRADED', when: () => true, reason: () => unserialisable() as never }] });
    endpoints = healthEndpoints({ monitor, mode, token: 'tok' });
    const port = await serve(endpoints);
    const badError = Object.defineProperty(new Error('x'), 'message', { get: () => { throw new Error('message'); } });
    db.send('degraded', unserialisable(), badError);
    const answer = await get(port, '/health/detailed', 'Authorization: Bearer tok\r\n');
    expect(answer.status).toBe(200);
    const details = (body(answer.text).components as Record<string, { details: Record<string, unknown>; error: unknown }>).db!;
    expect(details.details).toMatchObject({
      big: '12345678901234567890',
      circular: { a: 1, self: '[unserializable: circular]' },
      getter: { ok: 1, bad: '[unserializable: threw RangeError]' },
      toJSON: '[unserializable: threw Error]',
      proxy: '[unserializable: threw Error]',
      fine: 'still here',
    });
    expect(JSON.stringify(details.details.deep)).toContain('[unserializable: too deep]');
    expect(details.error).toBe('[unserializable: threw Error]');
    expect((await get(port, '/health/ready')).status).toBe(200);
  });

  it('/events sends the event with placeholders and keeps streaming', async () => {
    const extra = new Subject<unknown>();
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), streams: { extra }, scheduler: new VirtualTimeScheduler() });
    const port = await serve(endpoints);
    const socket = await open(port);
    let text = '';
    socket.on('data', (chunk) => (text += String(chunk)));
    socket.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    const frames = () => [...text.matchAll(/event: extra\r?\ndata: (.*)\n/g)].map((m) => m[1]!);
    await until(() => text.includes('event: health'));
    for (const value of Object.values(unserialisable())) extra.next(value);
    extra.next(1n);
    extra.next('after');
    await until(() => frames().includes('"after"'));
    expect(frames()).toEqual([
      '"12345678901234567890"', '{"a":1,"self":"[unserializable: circular]"}', '{"ok":1,"bad":"[unserializable: threw RangeError]"}',
      '"[unserializable: threw Error]"', '"[unserializable: threw Error]"', expect.stringContaining('[unserializable: too deep]'), '"still here"', '"1"', '"after"',
    ]);
  });
});

/** Awaits `condition`, checking after each turn of the event loop; fails after `turns` turns. */
async function until(condition: () => boolean, turns = 100_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error('condition not met');
}

describe('/events backpressure', () => {
  it('disconnects a client that never reads once its unsent bytes pass maxBufferedBytes, and frees its slot', async () => {
    const extra = new Subject<string>();
    const opened: number[] = [];
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), streams: { extra }, maxStreams: 1, maxBufferedBytes: 256 * 1024, scheduler: new VirtualTimeScheduler() });
    endpoints.openStreams$.subscribe((n) => opened.push(n));
    const port = await serve(endpoints);
    const stalled = await open(port);
    stalled.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(stalled, 'data');
    stalled.pause();
    expect(opened.at(-1)).toBe(1);

    const frame = 'x'.repeat(64 * 1024);
    let pushed = 0;
    // The kernel's socket buffers take a few MB first; then Node's and ours fill up.
    while (opened.at(-1) === 1 && pushed < 4_000) {
      extra.next(frame);
      pushed++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(opened.at(-1)).toBe(0);
    expect(pushed).toBeLessThan(4_000);
    // The server ended the connection: the client reads what was sent, then the close.
    const closed = once(stalled, 'close');
    stalled.resume();
    await closed;

    // The slot is free: a new client is admitted under the cap of one.
    const next = await open(port);
    let text = '';
    next.on('data', (chunk) => (text += String(chunk)));
    next.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    await until(() => text.includes('event: health'));
    expect(text).toMatch(/^HTTP\/1\.1 200/);
    extra.next('hello');
    await until(() => text.includes('data: "hello"'));
  });

  it('queues events for a slow client while the socket pushes back and delivers all of them, in order, once it reads', async () => {
    const extra = new Subject<string>();
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), streams: { extra }, maxBufferedBytes: 2 ** 30, scheduler: new VirtualTimeScheduler() });
    const port = await serve(endpoints);
    const slow = await open(port);
    slow.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    await once(slow, 'data');
    slow.pause();
    const count = 3_000; // 12 MB, pushed at once: more than the kernel's buffers hold
    for (let i = 0; i < count; i++) extra.next(String(i).padEnd(4_000, '.'));
    let text = '';
    slow.setEncoding('latin1');
    slow.on('data', (chunk: string) => (text += chunk));
    slow.resume();
    await until(() => text.includes(`data: "${count - 1}.`));
    const values = [...text.matchAll(/event: extra\ndata: "(\d+)\.*"\n/g)].map((m) => Number(m[1]));
    expect(values).toEqual(Array.from({ length: count }, (_, i) => i));
    const ids = [...text.matchAll(/id: (\d+)\n/g)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: count }, (_, i) => ids[0]! + i));
  });
});

describe('maxBufferedBytes', () => {
  const monitor = healthMonitor({ components: [] });
  it.each([0, -1, 1.5, 2 ** 30 + 1, Number.NaN, '1024', null])('refuses %j with a ConfigError', (value) => {
    let thrown: unknown;
    try { healthEndpoints({ monitor, maxBufferedBytes: value as never }); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).field).toBe('maxBufferedBytes');
  });
  it('accepts 1 and 2^30', () => {
    expect(() => healthEndpoints({ monitor, maxBufferedBytes: 1 }).close()).not.toThrow();
    expect(() => healthEndpoints({ monitor, maxBufferedBytes: 2 ** 30 }).close()).not.toThrow();
  });
});
