/**
 * Rate limiting: cost per admitted call, cost per rejected call, the token bucket's decision alone,
 * and heap per 100,000 keyed buckets (and after they go idle). What an RxJS user would otherwise
 * write: rate-limiter-flexible's RateLimiterMemory or bottleneck inside `defer`.
 */
import Bottleneck from 'bottleneck';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { defer, firstValueFrom, of, VirtualTimeScheduler } from 'rxjs';
import { memoryStore, tokenBucket, type TokenBucketParams } from '../src/index.js';
import { compare, settledHeap } from './harness.js';

const fn = async () => 1;
const noop = () => undefined;
const HOUR = 3_600_000;

export default async function rateLimitBench(): Promise<void> {
  const open = tokenBucket({ name: 'open', capacity: 2e9, refill: { tokens: 2e9, every: 2e6 } });
  const flexible = new RateLimiterMemory({ points: 1e12, duration: 1 });
  const bottleneck = new Bottleneck({ maxConcurrent: null, minTime: 0 });

  await compare('admitted call: firstValueFrom(defer(fn) …)', [
    { name: 'floor: firstValueFrom(defer(fn))', run: () => firstValueFrom(defer(fn)) },
    { name: 'rx-resilience tokenBucket', run: () => firstValueFrom(defer(fn).pipe(open)) },
    { name: 'rate-limiter-flexible consume in defer', run: () => firstValueFrom(defer(() => flexible.consume('k').then(fn))) },
    { name: 'bottleneck schedule in defer', run: () => firstValueFrom(defer(() => bottleneck.schedule(fn))) },
  ]);

  const store = memoryStore();
  const params: TokenBucketParams = { kind: 'token-bucket', capacity: 1e12, interval: 1e-12 };
  const empty: TokenBucketParams = { kind: 'token-bucket', capacity: 1, interval: HOUR };
  store.take('empty', 1, 0, empty, 0);
  let now = 0;
  await compare('the token bucket decision alone (memory store take, no RxJS)', [
    { name: 'admitted take', run: () => store.take('', 1, now++, params, 0) },
    { name: 'refused take (retryAfter computed)', run: () => store.take('empty', 1, 1, empty, 0) },
    { name: 'admitted synchronous subscribe: of(1).pipe(tokenBucket)', run: () => of(1).pipe(open).subscribe() },
  ]);

  const closed = tokenBucket({ name: 'closed', capacity: 1, refill: { tokens: 1, every: HOUR } });
  const guarded = defer(fn).pipe(closed);
  guarded.subscribe({ error: noop });
  const flexibleClosed = new RateLimiterMemory({ points: 1, duration: 3_600 });
  await flexibleClosed.consume('k');
  const bottleneckClosed = new Bottleneck({ reservoir: 0, highWater: 0, strategy: Bottleneck.strategy.OVERFLOW });
  bottleneckClosed.on('dropped', noop);
  const rejectObserver = { error: noop };

  await compare('rejected call', [
    { name: 'rx-resilience, synchronous subscribe', run: () => guarded.subscribe(rejectObserver) },
    { name: 'rx-resilience, firstValueFrom', run: () => firstValueFrom(guarded).catch(noop) },
    { name: 'rate-limiter-flexible consume in defer', run: () => firstValueFrom(defer(() => flexibleClosed.consume('k').then(fn))).catch(noop) },
    { name: 'bottleneck schedule (dropped) in defer', run: () => firstValueFrom(defer(() => bottleneckClosed.schedule(fn))).catch(noop) },
  ]);

  console.log('\nheap for 100,000 keyed buckets (one call each)');
  const scheduler = new VirtualTimeScheduler();
  const keyed = tokenBucket({ capacity: 10, refill: { tokens: 10, every: 1_000 }, scheduler });
  const before = settledHeap();
  for (let i = 0; i < 100_000; i++) of(i).pipe(keyed.forKey(`user-${i}`)).subscribe();
  const full = settledHeap();
  scheduler.schedule(noop, 1_000);
  scheduler.flush(); // one refill later, every bucket is full again
  const keys = keyed.stats().keys; // drops the idle ones
  const idle = settledHeap();
  console.log(`  rx-resilience tokenBucket      ${((full - before) / 1e5).toFixed(0)} B/key; idle and full: ${keys} keys, ${((idle - before) / 1024).toFixed(0)} KiB left`);

  const flexKeys = new RateLimiterMemory({ points: 10, duration: 1 });
  const fBefore = settledHeap();
  for (let i = 0; i < 100_000; i++) await flexKeys.consume(`user-${i}`);
  const fAfter = settledHeap();
  console.log(`  rate-limiter-flexible Memory   ${((fAfter - fBefore) / 1e5).toFixed(0)} B/key (dropped by a timer per key after its duration)`);

  const group = new Bottleneck.Group({ maxConcurrent: null, minTime: 0 });
  const bBefore = settledHeap();
  // 10,000 keys: bottleneck schedules each job through a timer, so 100,000 take minutes.
  await Promise.all(Array.from({ length: 10_000 }, (_, i) => group.key(`user-${i}`).schedule(fn)));
  const bAfter = settledHeap();
  console.log(`  bottleneck Group               ${((bAfter - bBefore) / 1e4).toFixed(0)} B/key (10,000 keys; dropped by its timeout, 5 min by default)`);
  await group.disconnect();

  await bottleneck.disconnect();
  await bottleneckClosed.disconnect();
}
