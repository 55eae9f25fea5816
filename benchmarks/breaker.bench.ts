/**
 * Circuit breaker: success path, rejection while open, heap per idle breaker, heap growth per call.
 * What an RxJS user would otherwise write: a cockatiel or opossum breaker inside `defer`.
 */
import { circuitBreaker as cockatielBreaker, ConsecutiveBreaker, handleAll } from 'cockatiel';
import Opossum from 'opossum';
import { defer, firstValueFrom } from 'rxjs';
import { circuitBreaker } from '../src/index.js';
import { compare, fmt, heapGrowth, heapPerObject } from './harness.js';

const fn = async () => 1;
const noop = () => undefined;

export default async function breakerBench(): Promise<void> {
  const ours = circuitBreaker({ name: 'bench' });
  // The same breaker keeping a latency histogram: reads the clock twice per call and records it.
  const timed = circuitBreaker({ name: 'bench-latency', latency: true });
  const cockatiel = cockatielBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) });
  const opossum = new Opossum(fn, { timeout: false });
  const opossumTimeout = new Opossum(fn, { timeout: 3_000 });

  await compare('success path: firstValueFrom(defer(fn) …)', [
    { name: 'floor: firstValueFrom(defer(fn))', run: () => firstValueFrom(defer(fn)) },
    { name: 'rx-resilience circuitBreaker', run: () => firstValueFrom(defer(fn).pipe(ours)) },
    { name: 'rx-resilience circuitBreaker, latency: true', run: () => firstValueFrom(defer(fn).pipe(timed)) },
    { name: 'cockatiel breaker in defer', run: () => firstValueFrom(defer(() => cockatiel.execute(fn))) },
    { name: 'opossum in defer (no timeout)', run: () => firstValueFrom(defer(() => opossum.fire())) },
    { name: 'opossum in defer (timeout 3 s)', run: () => firstValueFrom(defer(() => opossumTimeout.fire())) },
  ]);

  const open = circuitBreaker({ name: 'open', strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 3_600_000 });
  open.isolate();
  const guarded = defer(fn).pipe(open);
  const rejectObserver = { error: noop };
  const openCockatiel = cockatielBreaker(handleAll, { halfOpenAfter: 3_600_000, breaker: new ConsecutiveBreaker(1) });
  const isolation = openCockatiel.isolate();
  const openOpossum = new Opossum(fn, { timeout: false, resetTimeout: 3_600_000 });
  openOpossum.open();

  await compare('rejection while open', [
    { name: 'rx-resilience, synchronous subscribe', run: () => guarded.subscribe(rejectObserver) },
    { name: 'rx-resilience, firstValueFrom', run: () => firstValueFrom(guarded).catch(noop) },
    { name: 'cockatiel execute', run: () => openCockatiel.execute(fn).catch(noop) },
    { name: 'opossum fire', run: () => openOpossum.fire().catch(noop) },
  ]);

  console.log('\nheap per idle breaker (10,000 instances)');
  const perOurs = heapPerObject(() => circuitBreaker(), 10_000);
  const perCockatiel = heapPerObject(() => cockatielBreaker(handleAll, { halfOpenAfter: 60_000, breaker: new ConsecutiveBreaker(5) }), 10_000);
  const opossums: Opossum[] = [];
  const perOpossum = heapPerObject(() => {
    const b = new Opossum(fn, { timeout: false });
    opossums.push(b);
    return b;
  }, 10_000);
  console.log(`  rx-resilience  ${perOurs.toFixed(0)} B\n  cockatiel      ${perCockatiel.toFixed(0)} B\n  opossum        ${perOpossum.toFixed(0)} B`);

  console.log('\nheap growth over 1,000,000 calls through one breaker');
  const growth = await heapGrowth(() => firstValueFrom(defer(fn).pipe(ours)), 1_000_000);
  const grow = new Opossum(fn, { timeout: false });
  const growthOpossum = await heapGrowth(() => grow.fire(), 1_000_000);
  console.log(`  rx-resilience  ${(growth / 1e6).toFixed(2)} B/call (${(growth / 1024).toFixed(0)} KiB total)`);
  console.log(`  opossum        ${(growthOpossum / 1e6).toFixed(2)} B/call (${(growthOpossum / 1024).toFixed(0)} KiB total)`);
  console.log(`\nsummary: success ${fmt(0)}`.slice(0, 0));

  isolation.dispose();
  for (const b of [opossum, opossumTimeout, openOpossum, grow, ...opossums]) b.shutdown();
}
