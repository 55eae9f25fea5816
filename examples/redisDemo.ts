/**
 * `npm start -- --redis`: two "instances" in one process, each with its own Redis connection,
 * share one token bucket (5 calls/s) and one circuit breaker decision through rx-resilience/redis.
 * Uses the redis-server at REDIS_URL (default redis://127.0.0.1:6379) when one answers, else
 * starts `redis-server` (the Debian package) on a free loopback port and stops it at the end.
 *
 *   npm start -- --redis
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import { defer, of, throwError } from 'rxjs';
import { circuitBreaker, tokenBucket, type CircuitBreaker } from 'rx-resilience';
import { redisStore, sharedBreaker, type SharedBreaker } from 'rx-resilience/redis';

const run = randomUUID().slice(0, 8); // keys and channels of this run only
const since = Date.now();
const t = () => `${((Date.now() - since) / 1000).toFixed(1).padStart(5)} s`;

/** A running redis-server: the one at REDIS_URL, or one started here. */
async function connect(): Promise<{ url: string; child?: ChildProcess }> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    await probe.ping();
    probe.disconnect();
    console.log(`using the redis-server at ${url}`);
    return { url };
  } catch {
    probe.disconnect();
  }
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = s.address() as { port: number };
      s.close(() => resolve(p));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('error', () => reject(new Error('no redis-server answers at REDIS_URL and none could be started (install the redis-server package)')));
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('Ready to accept') && resolve());
  });
  child.stdout!.resume();
  console.log(`started redis-server on 127.0.0.1:${port} (no persistence)`);
  return { url: `redis://127.0.0.1:${port}`, child };
}

interface Instance {
  readonly name: string;
  readonly client: Redis;
  readonly limiter: ReturnType<typeof tokenBucket>;
  readonly breaker: CircuitBreaker;
  readonly shared: SharedBreaker;
  admitted: number;
  limited: number;
}

function instance(name: string, url: string): Instance {
  const client = new Redis(url);
  const store = redisStore({ client, prefix: `rxr-demo:${run}:`, insurance: { processes: 2 } });
  const limiter = tokenBucket({ name: 'partner-api', capacity: 5, refill: { tokens: 5, every: 1_000 }, store });
  const breaker = circuitBreaker({ name: 'payments', strategy: { kind: 'consecutive', failures: 3 }, breakDuration: 2_000 });
  const shared = sharedBreaker(breaker, { client, channel: `rxr-demo:${run}:payments`, quorum: 1, instance: name });
  breaker.state$.subscribe((s) => console.log(`${t()}  ${name}: breaker ${s}`));
  shared.events$.subscribe((e) => {
    if (e.type === 'published') console.log(`${t()}  ${name}: published ${e.message.state} (epoch ${e.message.epoch})`);
    if (e.type === 'received' && e.applied) console.log(`${t()}  ${name}: applied ${e.message.instance}'s ${e.message.state}`);
  });
  return { name, client, limiter, breaker, shared, admitted: 0, limited: 0 };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function redisDemo(): Promise<void> {
  const { url, child } = await connect();
  const a = instance('A', url);
  const b = instance('B', url);
  await Promise.all([a.shared.ready, b.shared.ready]);

  console.log('\n1. one shared limit: A and B each call 20 times a second; together they get 5 a second (plus a burst of 5)');
  for (let second = 1; second <= 3; second++) {
    for (let i = 0; i < 20; i++) {
      for (const x of i % 2 === 0 ? [a, b] : [b, a]) of(1).pipe(x.limiter).subscribe({ next: () => x.admitted++, error: () => x.limited++ });
      await sleep(50);
    }
    console.log(`${t()}  after ${second} s: A admitted ${a.admitted}, B admitted ${b.admitted}, together ${a.admitted + b.admitted} (at most ${5 + 5 * second})`);
  }

  console.log('\n2. one breaker decision: payments fail three times on A; B opens on its message; A probes after 2 s and closes both');
  for (let i = 0; i < 3; i++) throwError(() => new Error('payment declined: upstream 503')).pipe(a.breaker).subscribe({ error: () => undefined });
  await sleep(200);
  defer(() => of('paid')).pipe(b.breaker).subscribe({ error: (e: Error) => console.log(`${t()}  B: a call is refused at once (${e.name})`) });
  await sleep(2_100);
  defer(() => of('paid')).pipe(a.breaker).subscribe((v) => console.log(`${t()}  A: half-open trial call succeeded (${v})`));
  await sleep(200);
  console.log(`${t()}  A is ${a.breaker.stats().state}, B is ${b.breaker.stats().state}`);

  await Promise.all([a.shared.stop(), b.shared.stop()]);
  a.client.disconnect();
  b.client.disconnect();
  child?.kill('SIGTERM');
}
