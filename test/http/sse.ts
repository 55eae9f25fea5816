/** Loopback helpers for the HTTP tests: a server per test, plain requests, and an SSE reader. */
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Served {
  readonly port: number;
  stop(): Promise<void>;
}

export async function serveOn(handler: Parameters<typeof createServer>[1]): Promise<Served> {
  const server: Server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

export async function fetchText(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  const req = request({ host: '127.0.0.1', port, path, method, headers });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  let text = '';
  for await (const chunk of res) text += String(chunk);
  return { status: res.statusCode!, headers: res.headers, text };
}

export interface SseEvent {
  readonly id: number;
  readonly event: string;
  readonly data: unknown;
}

/** Opens `/events` (with `headers`), parses its events; `until(test)` resolves once `test(events)` holds. */
export async function sse(port: number, headers: Record<string, string> = {}, path = '/events') {
  const req = request({ host: '127.0.0.1', port, path, headers });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  const events: SseEvent[] = [];
  let buffer = '';
  const waiters = new Set<() => void>();
  res.on('data', (chunk) => {
    buffer += String(chunk);
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(frame);
      const event = /^event: (.*)$/m.exec(frame);
      const data = /^data: (.*)$/m.exec(frame);
      if (id !== null && event !== null && data !== null) events.push({ id: Number(id[1]), event: event[1]!, data: JSON.parse(data[1]!) as unknown });
    }
    waiters.forEach((w) => w());
  });
  res.on('error', () => undefined);
  const until = (test: (events: readonly SseEvent[]) => boolean) => new Promise<void>((resolve, reject) => {
    const check = () => {
      if (test(events)) {
        waiters.delete(check);
        resolve();
      }
    };
    waiters.add(check);
    res.once('close', () => (test(events) ? resolve() : reject(new Error(`stream closed with ${events.length} events`))));
    check();
  });
  return { req, res, events, until, close: () => req.destroy() };
}
