/**
 * Redis-backed limiters on one real redis-server (started here on a free loopback port, or the one
 * at REDIS_URL): rx-resilience's tokenBucket and fixedWindow on redisStore against
 * rate-limiter-flexible's RateLimiterRedis, every call admitted (a limit far above the load), the
 * same ioredis client options. Decisions per second and p99 latency at concurrency 1 and 100,
 * in interleaved rounds.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { lastValueFrom, of } from 'rxjs';
import { fixedWindow, tokenBucket } from '../src/index.js';
import { redisStore } from '../src/redis/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400);

async function redisUrl(): Promise<{ url: string; stop: () => void }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, stop: () => undefined };
  const port = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port: p } = probe.address() as { port: number };
      probe.close(() => resolve(p));
    });
  });
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.on('data', (d: Buffer) => d.toString().includes('Ready to accept') && resolve()));
  child.stdout.resume();
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}

interface Sample {
  decisions: number;
  ms: number;
  latencies: number[];
}

/** `concurrency` loops calling `run` back to back for ROUND_MS. */
async function round(run: () => Promise<unknown>, concurrency: number): Promise<Sample> {
  const latencies: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - start < ROUND_MS) {
        const t = performance.now();
        await run();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { decisions: latencies.length, ms: performance.now() - start, latencies };
}

const p = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export default async function bench(): Promise<void> {
  const { url, stop } = await redisUrl();
  const client = new Redis(url);
  await client.flushall();
  const store = redisStore({ client, prefix: 'bench:' });
  const bucket = tokenBucket({ name: 'bench-tb', capacity: 1e12, refill: { tokens: 1e12, every: 1_000 }, store });
  const fixed = fixedWindow({ name: 'bench-fw', limit: 1e12, window: 60_000, store });
  const flexible = new RateLimiterRedis({ storeClient: client, points: 1e12, duration: 60, keyPrefix: 'bench-rlf' });
  const candidates: [string, () => Promise<unknown>][] = [
    ['rate-limiter-flexible RateLimiterRedis consume', () => flexible.consume('k')],
    ['tokenBucket on redisStore (server clock)', () => lastValueFrom(of(1).pipe(bucket))],
    ['fixedWindow on redisStore (server clock)', () => lastValueFrom(of(1).pipe(fixed))],
  ];
  for (const [, run] of candidates) for (let i = 0; i < 200; i++) await run(); // load scripts, warm up

  console.log(`${ROUNDS} interleaved rounds of ${ROUND_MS} ms per candidate; decisions/s (median of rounds), p50 and p99 over all calls`);
  for (const concurrency of [1, 100]) {
    const samples = new Map<string, Sample[]>(candidates.map(([name]) => [name, []]));
    for (let r = 0; r < ROUNDS; r++) for (const [name, run] of candidates) samples.get(name)!.push(await round(run, concurrency));
    console.log(`\nconcurrency ${concurrency}`);
    console.log('| candidate | decisions/s | p50 | p99 |');
    console.log('| --- | --- | --- | --- |');
    let base = 0;
    for (const [name] of candidates) {
      const rounds = samples.get(name)!;
      const rates = rounds.map((s) => (s.decisions / s.ms) * 1_000).sort((a, b) => a - b);
      const rate = rates[Math.floor(rates.length / 2)]!;
      base ||= rate;
      const all = rounds.flatMap((s) => s.latencies).sort((a, b) => a - b);
      console.log(`| ${name} | ${Math.round(rate).toLocaleString('en')} (${(rate / base).toFixed(2)}×) | ${p(all, 0.5).toFixed(3)} ms | ${p(all, 0.99).toFixed(3)} ms |`);
    }
  }
  client.disconnect();
  stop();
}
