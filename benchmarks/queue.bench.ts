/**
 * Durable queue on this machine's disk: enqueue latency (one at a time, each awaited until
 * durable) and throughput (100 at once) for each `fsync` mode of the file store, and drain
 * throughput (messages acknowledged per second). Floor: a plain `fs.appendFile` per message, the
 * least a "write it down" can cost (no framing, no checksum, no fsync). The in-memory store shows
 * the queue's own cost.
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { firstValueFrom, lastValueFrom, of } from 'rxjs';
import { take, toArray } from 'rxjs/operators';
import { durableQueue, memoryQueueStore, type DurableQueue } from '../src/index.js';
import { fileStore } from '../src/file-store/index.js';
import { compare, fmt } from './harness.js';

const MODES = ['never', 'batch', 'always'] as const;
const payload = { order: 'A-1042', amount: 1999, currency: 'EUR', account: 'acct-7' };

export default async function queueBench(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'rxr-bench-'));
  try {
    const floorFile = join(root, 'floor.log');
    const line = `${JSON.stringify(payload)}\n`;
    const queues = new Map<string, DurableQueue<typeof payload>>();
    queues.set('memory store', durableQueue({ store: memoryQueueStore() }));
    for (const fsync of MODES) queues.set(`file store, fsync ${fsync}`, durableQueue({ store: fileStore({ dir: join(root, fsync), fsync }) }));
    const enqueue = (q: DurableQueue<typeof payload>) => () => lastValueFrom(q.enqueue(payload));
    const batch = (one: () => Promise<unknown>) => () => Promise.all(Array.from({ length: 100 }, one));

    await compare('durable queue: enqueue one, awaited until durable (latency)', [
      { name: 'floor: fs.appendFile per message', run: () => appendFile(floorFile, line) },
      ...[...queues].map(([name, q]) => ({ name, run: enqueue(q) })),
    ]);
    // fsync 'always' syncs each record on its own: 100 at once cost 100 times its latency.
    await compare('durable queue: 100 enqueues at once (per batch of 100)', [
      { name: 'floor: fs.appendFile per message', run: batch(() => appendFile(floorFile, line)) },
      ...[...queues].filter(([name]) => !name.endsWith('always')).map(([name, q]) => ({ name, run: batch(enqueue(q)) })),
    ]);

    console.log('\ndurable queue: drain (no keys, handler completes at once, concurrency 8; each ack recorded)');
    for (const [name, q] of queues) {
      const backlog = q.stats().pending; // left by the enqueue benchmarks
      if (backlog > 0) await firstValueFrom(q.drain(() => of(1), { concurrency: 8 }).pipe(take(backlog), toArray()));
      const n = name.endsWith('always') ? 500 : 5_000;
      await Promise.all(Array.from({ length: n }, enqueue(q)));
      const start = performance.now();
      await firstValueFrom(q.drain(() => of(1), { concurrency: 8 }).pipe(take(n), toArray()));
      const ns = ((performance.now() - start) * 1e6) / n;
      console.log(`  ${name.padEnd(26)}  ${fmt(ns).padStart(10)} per message  ${Math.round(1e9 / ns).toLocaleString('en').padStart(9)} msg/s`);
    }
    for (const q of queues.values()) await lastValueFrom(q.close(), { defaultValue: undefined });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
