/**
 * A child process of the multi-process tests: one limiter on a Redis store, called as fast as
 * `concurrency` loops allow. It prints one JSON line per event (`progress` every 25 admissions,
 * the store's events) and, at the end, `done` with every admission's send and answer times
 * (the async scheduler's `now()`, that is `Date.now()`; the processes share the machine's clock, and so does Redis TIME).
 *
 * argv[2]: { port, prefix, limiter: 'token-bucket' | 'sliding-window' | 'fixed-window', duration, concurrency, timeout, after? }
 * With `after`, the run lasts until `duration` ms after the store recovered from an outage.
 */
import { Redis } from 'ioredis';
import { asyncScheduler as clock, lastValueFrom, of } from 'rxjs';
import { fixedWindow, slidingWindow, tokenBucket } from '../../src/index.js';
import { redisStore } from '../../src/redis/index.js';

interface Setup {
  readonly port: number;
  readonly prefix: string;
  readonly limiter: 'token-bucket' | 'sliding-window' | 'fixed-window';
  readonly duration: number;
  readonly concurrency: number;
  /** The store's timeout: long where only the shared limit is under test, so a busy machine does not look like an outage. */
  readonly timeout: number;
  readonly after?: boolean;
}

const setup = JSON.parse(process.argv[2]!) as Setup;
const say = (message: object) => process.stdout.write(`${JSON.stringify(message)}\n`);
const client = new Redis({ host: '127.0.0.1', port: setup.port });
client.on('error', () => undefined);
const store = redisStore({ client, prefix: setup.prefix, timeout: setup.timeout, insurance: { processes: 3 } });
const name = 'shared';
const limiter =
  setup.limiter === 'token-bucket'
    ? tokenBucket({ name, capacity: 20, refill: { tokens: 100, every: 1_000 }, store })
    : setup.limiter === 'sliding-window'
      ? slidingWindow({ name, limit: 50, window: 500, store })
      : fixedWindow({ name, limit: 50, window: 500, store });

let recoveredAt: number | undefined;
store.events$.subscribe((e) => {
  if (e.type === 'store-recovered') recoveredAt = clock.now();
  say({ type: e.type, at: clock.now() });
});

await client.ping();
const admitted: [number, number][] = [];
let rejected = 0;
let failed = 0;
const start = clock.now();
say({ type: 'start', at: start });
const running = () => {
  const now = clock.now();
  if (!setup.after) return now - start < setup.duration;
  return recoveredAt === undefined || now - recoveredAt < setup.duration;
};
await Promise.all(
  Array.from({ length: setup.concurrency }, async () => {
    while (running()) {
      const sent = clock.now();
      try {
        await lastValueFrom(of(1).pipe(limiter));
        admitted.push([sent, clock.now()]);
        if (admitted.length % 25 === 0) say({ type: 'progress', admitted: admitted.length, insured: store.stats().insured });
      } catch (error) {
        if ((error as { code?: string }).code === 'RATE_LIMITED') rejected++;
        else failed++;
        if (rejected % 25 === 0) say({ type: 'progress', admitted: admitted.length, insured: store.stats().insured });
      }
      // Calls arrive from I/O in a real process: let the event loop turn between them.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }),
);
say({ type: 'done', start, admitted, rejected, failed, stats: store.stats(), recoveredAt });
client.disconnect();
