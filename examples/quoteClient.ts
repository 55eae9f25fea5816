/**
 * A small, realistic HTTP client to copy: a quote service on loopback that fails the way real ones
 * do (503 with Retry-After, a response that never comes, a connection reset), and a client that
 * goes through one `pipeline()` built once, with each request made by `fromAbortable`, so that a
 * request the policies give up on is really closed.
 *
 *   npx tsx examples/quoteClient.ts
 *
 * The test suite imports it and runs it (test/examples/quoteClient.test.ts).
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { firstValueFrom, type Observable } from 'rxjs';
import {
  bulkhead, circuitBreaker, exponential, findResilienceError, fromAbortable, pipeline, retryBackoff, timeLimit, tokenBucket,
} from 'rx-resilience';

/** What the flaky server does with a request: answer, refuse (503), never answer, or reset the connection. */
export type Misbehaviour = 'ok' | '503' | 'hang' | 'reset';

export interface FlakyServer {
  readonly url: string;
  /** What each request got, in arrival order. */
  readonly log: Misbehaviour[];
  /** One promise per request, resolved when its response closes: true when the client closed it before an answer. */
  readonly closed: Promise<boolean>[];
  close(): Promise<void>;
}

/**
 * The quote service: the n-th request follows `script[n]`, then every request is answered.
 * A 503 carries `Retry-After: retryAfterSeconds`.
 */
export async function startFlakyServer(script: readonly Misbehaviour[], retryAfterSeconds = 1): Promise<FlakyServer> {
  const log: Misbehaviour[] = [];
  const closed: Promise<boolean>[] = [];
  const server: Server = createServer((req, res: ServerResponse) => {
    const what = script[log.length] ?? 'ok';
    log.push(what);
    closed.push(new Promise((resolve) => res.on('close', () => resolve(!res.writableFinished))));
    const symbol = new URL(req.url ?? '/', 'http://localhost').searchParams.get('symbol') ?? '?';
    if (what === '503') res.writeHead(503, { 'retry-after': String(retryAfterSeconds) }).end('busy');
    else if (what === 'reset') req.socket.destroy();
    else if (what === 'ok') res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ symbol, price: 42 }));
    // 'hang': no answer until the client goes away
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    log,
    closed,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export interface Quote {
  readonly symbol: string;
  readonly price: number;
}

/** An HTTP error status as an error the retry understands: `retryAfter` in ms from the Retry-After header. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfter: number | undefined,
  ) {
    super(`HTTP ${status}`);
  }
}

function retryAfterOf(header: string | null): number | undefined {
  const seconds = header === null ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * The client. Every policy is built here, once per client, never per call: a breaker built per
 * call has no history, and a bulkhead built per call has a fresh set of slots for every call.
 */
export function quoteClient(baseUrl: string) {
  const upstream = pipeline({
    name: 'quotes',
    // at most 20 calls a second leave this process
    rateLimit: tokenBucket({ name: 'quotes-rate', capacity: 20, refill: { tokens: 20, every: 1_000 } }),
    // 4 attempts; a 503's Retry-After (up to 2 s) is honoured
    retry: retryBackoff({ name: 'quotes-retry', maxAttempts: 4, backoff: exponential({ initial: 50, max: 1_000, jitter: 'full' }), maxDelay: 2_000 }),
    // 5 failed attempts in a row: stop calling for 5 s
    breaker: circuitBreaker({ name: 'quotes-breaker', strategy: { kind: 'consecutive', failures: 5 }, breakDuration: 5_000 }),
    // at most 4 requests in flight, 16 waiting
    bulkhead: bulkhead({ name: 'quotes-pool', maxConcurrent: 4, maxQueued: 16 }),
    // each attempt gets 500 ms; then its request is aborted
    timeLimit: timeLimit({ name: 'quotes-attempt', duration: 500 }),
  });

  const quote = (symbol: string): Observable<Quote> =>
    fromAbortable(async (signal) => {
      const response = await fetch(`${baseUrl}/quote?symbol=${encodeURIComponent(symbol)}`, { signal });
      if (!response.ok) {
        await response.body?.cancel();
        throw new HttpError(response.status, retryAfterOf(response.headers.get('retry-after')));
      }
      return (await response.json()) as Quote;
    }).pipe(upstream);

  return { quote, upstream };
}

/** Runs the example: three calls, each meeting one kind of trouble first. */
export async function main(log: (line: string) => void = console.log): Promise<{ quotes: Quote[]; server: FlakyServer }> {
  const server = await startFlakyServer(['503', 'ok', 'hang', 'ok', 'reset', 'ok']);
  const { quote, upstream } = quoteClient(server.url);
  const retries: string[] = [];
  const events = upstream.parts.retry!.events$.subscribe((e) => e.type === 'retry' && retries.push(`${e.attempt}: ${String((e.error as Error).message)}`));
  const quotes: Quote[] = [];
  try {
    for (const symbol of ['ACME', 'INITECH', 'GLOBEX']) {
      try {
        quotes.push(await firstValueFrom(quote(symbol)));
        log(`${symbol}: ${quotes.at(-1)!.price}`);
      } catch (error) {
        const open = findResilienceError(error, 'CIRCUIT_OPEN');
        log(open !== undefined ? `${symbol}: breaker open, retry in ${open.retryAfter} ms` : `${symbol}: failed: ${String(error)}`);
      }
    }
    log(`retries: ${retries.join('; ')}`);
    log(`server saw: ${server.log.join(', ')}`);
  } finally {
    events.unsubscribe();
  }
  return { quotes, server };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { server } = await main();
  await server.close();
}
