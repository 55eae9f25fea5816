/**
 * The hot paths of the README table: each policy's cheapest call against the floor, the smallest
 * possible layer and the peers that have the same path, in one process. Every group interleaves
 * its candidates round by round (see harness.ts); rows are added for `table.ts`.
 */
import {
  bulkhead as cockatielBulkhead, circuitBreaker as cockatielBreaker, ConsecutiveBreaker, ConstantBackoff, handleAll, retry as cockatielRetry,
} from 'cockatiel';
import Opossum from 'opossum';
import pLimit from 'p-limit';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { defer, firstValueFrom, of, retry } from 'rxjs';
import { bulkhead, circuitBreaker, retryBackoff, tokenBucket } from '../src/index.js';
import { compare, heapGrowth, heapPerObject, type Result } from './harness.js';
import { FLOOR, fn, LAYER, noop, references } from './reference.js';
import { addRow, nsOf, pick, ratioOf } from './rows.js';
import { stackBench } from './stack.js';
import { timersBench } from './timers.js';

const TARGET = 1.3;

/** A success-path row: met at ≤ 1.3× the floor; a miss within the smallest layer + 0.1× is noted. */
function successRow(id: string, path: string, results: readonly Result[], ours: string, peers: readonly [string, string][]): void {
  const mine = pick(results, ours);
  const layer = pick(results, LAYER).ratio;
  const met = mine.ratio <= TARGET;
  addRow({
    id,
    section: 'hot paths',
    path,
    ours: ratioOf('rx-resilience', mine),
    peers: peers.map(([label, name]) => ratioOf(label, pick(results, name))),
    target: `≤ ${TARGET}×`,
    met,
    ...(met ? {} : { note: `smallest layer ${layer.toFixed(2)}× + 0.1×: ${mine.ratio <= layer + 0.1 ? 'met' : 'missed'}` }),
  });
}

async function breakerRows(): Promise<void> {
  const ours = circuitBreaker({ name: 'bench' });
  const cockatiel = cockatielBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) });
  const opossum = new Opossum(fn, { timeout: false });
  const success = await compare('circuit breaker, success path', [
    ...references,
    { name: 'rx-resilience circuitBreaker', run: () => firstValueFrom(defer(fn).pipe(ours)) },
    { name: 'cockatiel breaker in defer', run: () => firstValueFrom(defer(() => cockatiel.execute(fn))) },
    { name: 'opossum in defer', run: () => firstValueFrom(defer(() => opossum.fire())) },
  ]);
  addRow({
    id: 'layer',
    section: 'hot paths',
    path: 'smallest possible layer (an `Observable` subclass that only forwards), × floor',
    ours: ratioOf('the layer', pick(success, LAYER)),
    peers: [],
    target: 'reference',
  });
  successRow('breaker-success', 'circuit breaker, success, × floor', success, 'rx-resilience circuitBreaker', [
    ['cockatiel (its breaker in `defer`)', 'cockatiel breaker in defer'],
    ['opossum', 'opossum in defer'],
  ]);

  const open = circuitBreaker({ name: 'open', breakDuration: 3_600_000 });
  open.isolate();
  const guarded = defer(fn).pipe(open);
  const rejectObserver = { error: noop };
  const openCockatiel = cockatielBreaker(handleAll, { halfOpenAfter: 3_600_000, breaker: new ConsecutiveBreaker(1) });
  const isolation = openCockatiel.isolate();
  const openOpossum = new Opossum(fn, { timeout: false, resetTimeout: 3_600_000 });
  openOpossum.open();
  const rejected = await compare('circuit breaker, rejection while open', [
    { name: 'rx-resilience, synchronous subscribe', run: () => guarded.subscribe(rejectObserver) },
    { name: 'rx-resilience, firstValueFrom', run: () => firstValueFrom(guarded).catch(noop) },
    { name: 'cockatiel execute', run: () => openCockatiel.execute(fn).catch(noop) },
    { name: 'opossum fire', run: () => openOpossum.fire().catch(noop) },
  ]);
  const sync = pick(rejected, 'rx-resilience, synchronous subscribe');
  addRow({
    id: 'breaker-open',
    section: 'hot paths',
    path: 'circuit breaker, rejection while open (synchronous subscribe)',
    ours: nsOf('rx-resilience', sync),
    peers: [nsOf('`firstValueFrom`', pick(rejected, 'rx-resilience, firstValueFrom')), nsOf('cockatiel', pick(rejected, 'cockatiel execute')), nsOf('opossum', pick(rejected, 'opossum fire'))],
    target: '≤ 300 ns',
    met: sync.nsPerOp <= 300,
  });

  const kept: Opossum[] = [];
  const perOurs = heapPerObject(() => circuitBreaker(), 10_000);
  const perCockatiel = heapPerObject(() => cockatielBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) }), 10_000);
  const perOpossum = heapPerObject(() => kept[kept.push(new Opossum(fn, { timeout: false })) - 1], 10_000);
  console.log(`\nheap per idle breaker (10,000): rx-resilience ${perOurs.toFixed(0)} B, cockatiel ${perCockatiel.toFixed(0)} B, opossum ${perOpossum.toFixed(0)} B`);
  addRow({
    id: 'breaker-heap',
    section: 'hot paths',
    path: 'heap per idle breaker (10 000 of them)',
    ours: { label: 'rx-resilience', value: perOurs, unit: 'B' },
    peers: [{ label: 'cockatiel', value: perCockatiel, unit: 'B' }, { label: 'opossum', value: perOpossum, unit: 'B' }],
    target: '≤ 1 KiB',
    met: perOurs <= 1024,
  });

  const calls = 1_000_000;
  const growth = (await heapGrowth(() => firstValueFrom(defer(fn).pipe(ours)), calls)) / calls;
  const grow = new Opossum(fn, { timeout: false });
  const growthOpossum = (await heapGrowth(() => grow.fire(), calls)) / calls;
  console.log(`heap growth per call over 10⁶ calls through one breaker: rx-resilience ${growth.toFixed(2)} B, opossum ${growthOpossum.toFixed(2)} B`);
  addRow({
    id: 'breaker-growth',
    section: 'hot paths',
    path: 'heap growth per call, 10⁶ calls through one breaker',
    ours: { label: 'rx-resilience', value: growth, unit: 'B/call' },
    peers: [{ label: 'opossum', value: growthOpossum, unit: 'B/call' }],
    target: '≈ 0 (< 1 B/call)',
    met: growth < 1,
  });

  isolation.dispose();
  for (const b of [opossum, openOpossum, grow, ...kept]) b.shutdown();
}

async function retryRow(): Promise<void> {
  const ours = retryBackoff({ name: 'bench', maxAttempts: 3 });
  const cockatiel = cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ConstantBackoff(0) });
  const results = await compare('retryBackoff, success path', [
    ...references,
    { name: 'rx-resilience retryBackoff', run: () => firstValueFrom(defer(fn).pipe(ours)) },
    { name: 'cockatiel retry in defer', run: () => firstValueFrom(defer(() => cockatiel.execute(fn))) },
    { name: 'rxjs retry(2)', run: () => firstValueFrom(defer(fn).pipe(retry(2))) },
  ]);
  successRow('retry-success', 'retryBackoff, success, × floor', results, 'rx-resilience retryBackoff', [
    ['cockatiel retry', 'cockatiel retry in defer'],
    ['RxJS `retry(2)`', 'rxjs retry(2)'],
  ]);
}

async function bulkheadRow(): Promise<void> {
  const ours = bulkhead({ name: 'bench', maxConcurrent: 100, maxQueued: 100 });
  const cockatiel = cockatielBulkhead(100, 100);
  const limit = pLimit(100);
  const results = await compare('bulkhead, admitted call', [
    ...references,
    { name: 'rx-resilience bulkhead', run: () => firstValueFrom(defer(fn).pipe(ours)) },
    { name: 'cockatiel bulkhead in defer', run: () => firstValueFrom(defer(() => cockatiel.execute(fn))) },
    { name: 'p-limit in defer', run: () => firstValueFrom(defer(() => limit(fn))) },
  ]);
  successRow('bulkhead-admitted', 'bulkhead, admitted, × floor', results, 'rx-resilience bulkhead', [
    ['cockatiel bulkhead', 'cockatiel bulkhead in defer'],
    ['p-limit', 'p-limit in defer'],
  ]);
}

async function tokenBucketRows(): Promise<void> {
  const ours = tokenBucket({ name: 'open', capacity: 2e9, refill: { tokens: 2e9, every: 2e6 } });
  const flexible = new RateLimiterMemory({ points: 1e12, duration: 1 });
  const results = await compare('tokenBucket, admitted call', [
    ...references,
    { name: 'rx-resilience tokenBucket', run: () => firstValueFrom(defer(fn).pipe(ours)) },
    { name: 'rate-limiter-flexible consume in defer', run: () => firstValueFrom(defer(() => flexible.consume('k').then(fn))) },
  ]);
  successRow('token-bucket-admitted', 'tokenBucket, admitted, × floor', results, 'rx-resilience tokenBucket', [
    ['rate-limiter-flexible (memory)', 'rate-limiter-flexible consume in defer'],
  ]);

  // Live tenants: after one take a bucket stays short of full (so not idle, never dropped) for 5
  // minutes, longer than the run. One key would run such a bucket dry, so it gets an open one:
  // the work per call is the same.
  const TENANTS = 100_000;
  const tenants = Array.from({ length: TENANTS }, (_, i) => `tenant-${i}`);
  const one = tokenBucket({ capacity: 2e9, refill: { tokens: 2e9, every: 2e6 } });
  const many = tokenBucket({ capacity: 1_000, refill: { tokens: 1, every: 300_000 }, maxKeys: 2 * TENANTS });
  for (const t of tenants) of(1).pipe(many.forKey(t)).subscribe();
  const flexOne = new RateLimiterMemory({ points: 1e9, duration: 3_600 });
  const flexMany = new RateLimiterMemory({ points: 1e9, duration: 3_600 });
  for (const t of tenants) await flexMany.consume(t);
  let i = 0;
  let j = 0;
  const next = () => tenants[(i = (i + 1) % TENANTS)]!;
  const nextFlex = () => tenants[(j = (j + 1) % TENANTS)]!;
  const keyed = await compare(`keyed tokenBucket, ${TENANTS.toLocaleString('en')} live tenants round robin vs one key`, [
    { name: FLOOR, run: references[0].run },
    { name: 'rx-resilience, one key', run: () => firstValueFrom(defer(fn).pipe(one.forKey('tenant-0'))) },
    { name: 'rx-resilience, 10⁵ keys round robin', run: () => firstValueFrom(defer(fn).pipe(many.forKey(next()))), vs: 'rx-resilience, one key' },
    { name: 'rate-limiter-flexible, one key', run: () => firstValueFrom(defer(() => flexOne.consume('tenant-0').then(fn))) },
    { name: 'rate-limiter-flexible, 10⁵ keys round robin', run: () => firstValueFrom(defer(() => flexMany.consume(nextFlex()).then(fn))), vs: 'rate-limiter-flexible, one key' },
  ]);
  if (many.stats().keys !== TENANTS) throw new Error(`expected ${TENANTS} live tenants, found ${many.stats().keys}`);
  const mine = pick(keyed, 'rx-resilience, 10⁵ keys round robin');
  const flex = pick(keyed, 'rate-limiter-flexible, 10⁵ keys round robin');
  addRow({
    id: 'keyed-round-robin',
    section: 'hot paths',
    path: 'keyed tokenBucket, 10⁵ live tenants round robin, × one key',
    ours: ratioOf('rx-resilience', mine),
    peers: [ratioOf('rate-limiter-flexible (memory)', flex)],
    target: '≤ 3×',
    met: mine.ratio <= 3,
  });
}

export default async function hotPathsBench(): Promise<void> {
  await breakerRows();
  await retryRow();
  await bulkheadRow();
  await tokenBucketRows();
  await timersBench();
  await stackBench();
}
