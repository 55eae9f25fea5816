/**
 * fromAbortable against a real node:http server on loopback: when a call is ended early (by its
 * subscriber, a time limit, or a hedge that picked another attempt), the server sees the request
 * closed before it answered. Time in the policies is virtual; the test waits only on server events.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { firstValueFrom, VirtualTimeScheduler } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, fromAbortable, hedge, isResilienceError, pipeline, timeLimit } from 'rx-resilience';

/** A request the server received: answer it, or wait for the client to close it. */
interface Received {
  readonly path: string;
  readonly res: ServerResponse;
  /** Resolves when the response closes: true when the client went away before the answer. */
  readonly closed: Promise<boolean>;
}

let server: Server;
let base: string;
const arrivals: Received[] = [];
const waiting: ((r: Received) => void)[] = [];

/** The next request the server receives (one already received and not taken, or the next to come). */
function nextRequest(): Promise<Received> {
  const ready = arrivals.shift();
  return ready !== undefined ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
}

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const closed = new Promise<boolean>((resolve) => res.on('close', () => resolve(!res.writableFinished)));
    const received = { path: req.url ?? '', res, closed };
    const taker = waiting.shift();
    if (taker !== undefined) taker(received);
    else arrivals.push(received);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const get = (path: string) => fromAbortable((signal) => fetch(base + path, { signal }).then((r) => r.text()));

describe('fromAbortable', () => {
  it('calls the function synchronously on subscribe, emits the value and completes; a settled call is not aborted', async () => {
    let signal: AbortSignal | undefined;
    const call$ = fromAbortable((s) => {
      signal = s;
      return Promise.resolve(7);
    });
    const values: number[] = [];
    const done = new Promise<void>((resolve) => call$.subscribe({ next: (v) => values.push(v), complete: resolve }));
    expect(signal).toBeInstanceOf(AbortSignal);
    await done;
    expect(values).toEqual([7]);
    expect(signal!.aborted).toBe(false);
  });

  it('each subscription is one call with its own signal', async () => {
    const signals: AbortSignal[] = [];
    const call$ = fromAbortable(async (s) => signals.push(s));
    expect(await firstValueFrom(call$)).toBe(1);
    expect(await firstValueFrom(call$)).toBe(2);
    expect(signals[0]).not.toBe(signals[1]);
  });

  it('errors with the rejection, or with what the function threw', async () => {
    const boom = new Error('boom');
    await expect(firstValueFrom(fromAbortable(() => Promise.reject(boom)))).rejects.toBe(boom);
    await expect(firstValueFrom(fromAbortable(() => {
      throw boom;
    }))).rejects.toBe(boom);
  });

  it('refuses a call that is not a function', () => {
    expect(() => fromAbortable(undefined as never)).toThrow(ConfigError);
  });

  it('a successful request through the real server is answered, not aborted', async () => {
    const answer = firstValueFrom(get('/ok'));
    const request = await nextRequest();
    request.res.end('fine');
    expect(await answer).toBe('fine');
    expect(await request.closed).toBe(false);
  });

  it('unsubscribing aborts the request: the server sees it closed', async () => {
    const errors: unknown[] = [];
    const subscription = get('/hang').subscribe({ error: (e) => errors.push(e) });
    const request = await nextRequest();
    subscription.unsubscribe();
    expect(await request.closed).toBe(true);
    expect(errors).toEqual([]); // the abort's own rejection goes nowhere
  });

  it('a time limit that ends the call closes the request on the server', async () => {
    const scheduler = new VirtualTimeScheduler();
    const upstream = pipeline({ timeLimit: timeLimit({ duration: 1_000, scheduler }) });
    const outcome = new Promise<unknown>((resolve) => get('/slow').pipe(upstream).subscribe({ next: resolve, error: resolve }));
    const request = await nextRequest();
    scheduler.flush(); // the second passes in virtual time
    expect(isResilienceError(await outcome, 'TIME_LIMIT')).toBe(true);
    expect(await request.closed).toBe(true);
  });

  it('a hedge that wins with a later attempt closes the losing request on the server', async () => {
    const scheduler = new VirtualTimeScheduler();
    const upstream = pipeline({ hedge: hedge({ delay: 50, maxHedges: 1, scheduler }) });
    const answer = firstValueFrom(get('/replica').pipe(upstream));
    const first = await nextRequest();
    scheduler.flush(); // 50 ms without an answer: the hedge starts a second request
    const second = await nextRequest();
    second.res.end('from the second');
    expect(await answer).toBe('from the second');
    expect(await first.closed).toBe(true);
    expect(await second.closed).toBe(false);
  });
});
