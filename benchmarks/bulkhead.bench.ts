/**
 * Bulkhead: cost per admitted call and per rejected call, against what an RxJS user would
 * otherwise write: p-limit or a cockatiel bulkhead inside `defer`. p-limit never rejects (its
 * queue is unbounded), so it appears in the admitted table only.
 */
import { bulkhead as cockatielBulkhead } from 'cockatiel';
import pLimit from 'p-limit';
import { defer, firstValueFrom, NEVER, of } from 'rxjs';
import { adaptiveConcurrency, bulkhead } from '../src/index.js';
import { compare, heapGrowth } from './harness.js';

const fn = async () => 1;
const noop = () => undefined;

export default async function bulkheadBench(): Promise<void> {
  const ours = bulkhead({ name: 'bench', maxConcurrent: 100, maxQueued: 100 });
  const adaptive = adaptiveConcurrency({ name: 'bench-adaptive', initialLimit: 100 });
  const limit = pLimit(100);
  const cockatiel = cockatielBulkhead(100, 100);

  await compare('admitted call: firstValueFrom(defer(fn) …)', [
    { name: 'floor: firstValueFrom(defer(fn))', run: () => firstValueFrom(defer(fn)) },
    { name: 'rx-resilience bulkhead', run: () => firstValueFrom(defer(fn).pipe(ours)) },
    { name: 'rx-resilience adaptiveConcurrency', run: () => firstValueFrom(defer(fn).pipe(adaptive)) },
    { name: 'p-limit in defer', run: () => firstValueFrom(defer(() => limit(fn))) },
    { name: 'cockatiel bulkhead in defer', run: () => firstValueFrom(defer(() => cockatiel.execute(fn))) },
  ]);

  const full = bulkhead({ name: 'full', maxConcurrent: 1 });
  NEVER.pipe(full).subscribe();
  const rejected = of(1).pipe(full);
  const rejectObserver = { error: noop };
  const fullCockatiel = cockatielBulkhead(1, 0);
  void fullCockatiel.execute(() => new Promise<never>(noop));

  await compare('rejected call (slots and queue full)', [
    { name: 'floor: of(1).subscribe()', run: () => of(1).subscribe() },
    { name: 'rx-resilience, synchronous subscribe', run: () => rejected.subscribe(rejectObserver) },
    { name: 'rx-resilience, firstValueFrom', run: () => firstValueFrom(rejected).catch(noop) },
    { name: 'cockatiel execute', run: () => fullCockatiel.execute(fn).catch(noop) },
  ]);

  console.log('\nheap growth over 1,000,000 calls through one bulkhead');
  const growth = await heapGrowth(() => firstValueFrom(defer(fn).pipe(ours)), 1_000_000);
  console.log(`  rx-resilience  ${(growth / 1e6).toFixed(2)} B/call (${(growth / 1024).toFixed(0)} KiB total)`);
}
