/**
 * Scaling rows: the cost of one operation with a small and a large structure behind it, in the
 * same interleaved rounds. Each pair must stay flat: the large case within 3× of the small one.
 * Operations are synchronous (`of(1)` or a `Subject` as the call), so that the policy's own work
 * is what is timed, not a promise round trip.
 */
import { NEVER, of, Subject, VirtualTimeScheduler, type Observable, type Subscription } from 'rxjs';
import { bulkhead, circuitBreaker, slidingWindow, tokenBucket } from '../src/index.js';
import { compare, ROUNDS, type Candidate } from './harness.js';
import { noop } from './reference.js';
import { addRow, pick, ratioOf } from './rows.js';

type Operator = <T>(source: Observable<T>) => Observable<T>;
const FLAT = 3;

/** A first-in first-out queue with O(1) shift at any length (an array's shift is O(n) when large). */
class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  push(item: T): void {
    this.items.push(item);
  }

  shift(): T {
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/** Compares a small and a large case and adds the row "large × small". Two candidates only: twice the rounds. */
async function pair(id: string, path: string, title: string, small: Candidate, large: Candidate): Promise<void> {
  const results = await compare(title, [small, { ...large, vs: small.name }], small.name, 2 * ROUNDS);
  addRow({
    id,
    section: 'scaling',
    path,
    ours: ratioOf(`${large.name} × ${small.name}`, pick(results, large.name)),
    peers: [],
    target: `≤ ${FLAT}× (flat)`,
    met: pick(results, large.name).ratio <= FLAT,
  });
}

function breakerCall(strategy: Parameters<typeof circuitBreaker>[0]): () => Subscription {
  const breaker = circuitBreaker(strategy);
  return () => of(1).pipe(breaker).subscribe();
}

/**
 * A bulkhead with one slot, held, and `queued` waiters behind it. Each call is a `Subject`: it runs
 * while subscribed and ends when the subject completes. `calls` holds the running call first.
 */
function queuedBulkhead(queued: number) {
  const pool = bulkhead({ maxConcurrent: 1, maxQueued: Infinity });
  const calls = new Fifo<{ gate: Subject<number>; subscription: Subscription }>();
  const arrive = () => {
    const gate = new Subject<number>();
    calls.push({ gate, subscription: gate.pipe(pool).subscribe({ error: noop }) });
  };
  for (let i = 0; i <= queued; i++) arrive();
  const check = () => {
    if (pool.stats().queued !== queued) throw new Error(`expected ${queued} queued, found ${pool.stats().queued}`);
  };
  return { calls, arrive, check };
}

/** One more queues at the tail; the running call ends, and the head of the queue is admitted. */
function admitting(queued: number) {
  const { calls, arrive, check } = queuedBulkhead(queued);
  const run = () => {
    arrive();
    calls.shift().gate.complete();
  };
  return { run, check };
}

/** One more queues at the tail; the oldest waiter leaves (the running call never ends). */
function cancelling(queued: number) {
  const { calls, arrive, check } = queuedBulkhead(queued);
  calls.shift();
  const run = () => {
    arrive();
    calls.shift().subscription.unsubscribe();
  };
  return { run, check };
}

/** A wait-mode sliding window (limit 1) with `waiters` calls queued; one arrival subscribes and leaves. */
function slidingArrival(waiters: number): () => void {
  const limiter: Operator = slidingWindow({ limit: 1, window: 1_000, mode: 'wait', scheduler: new VirtualTimeScheduler() });
  for (let i = 0; i <= waiters; i++) NEVER.pipe(limiter).subscribe({ error: noop });
  return () => NEVER.pipe(limiter).subscribe({ error: noop }).unsubscribe();
}

export default async function scalingBench(): Promise<void> {
  await pair(
    'scale-breaker-count',
    'circuit breaker, count window of 10 → 10 000 calls: cost per call',
    'scaling: circuit breaker count window (sync call)',
    { name: 'size 10', run: breakerCall({ strategy: { kind: 'count', size: 10 } }) },
    { name: 'size 10 000', run: breakerCall({ strategy: { kind: 'count', size: 10_000 } }) },
  );
  await pair(
    'scale-breaker-time',
    'circuit breaker, time window of 10 → 100 buckets (1 s): cost per call',
    'scaling: circuit breaker time window (sync call)',
    { name: '10 buckets', run: breakerCall({ strategy: { kind: 'time', duration: 1_000, buckets: 10 } }) },
    { name: '100 buckets', run: breakerCall({ strategy: { kind: 'time', duration: 1_000, buckets: 100 } }) },
  );

  const bulkheads = { admit: [admitting(100), admitting(100_000)], cancel: [cancelling(100), cancelling(100_000)] };
  for (const [kind, [few, lots]] of Object.entries(bulkheads)) {
    few!.check();
    lots!.check();
    await pair(
      `scale-bulkhead-${kind}`,
      kind === 'admit'
        ? 'bulkhead, 10² → 10⁵ queued waiters: cost per admit (a call ends, the head starts, one more queues)'
        : 'bulkhead, 10² → 10⁵ queued waiters: cost per cancel (the oldest waiter leaves, one more queues)',
      `scaling: bulkhead ${kind}`,
      { name: '10² queued', run: few!.run },
      { name: '10⁵ queued', run: lots!.run },
    );
    few!.check();
    lots!.check();
  }

  const TENANTS = 100_000;
  // As in the hot-path row: live buckets for 5 minutes after a take, and an open bucket for one key.
  const one = tokenBucket({ capacity: 2e9, refill: { tokens: 2e9, every: 2e6 } });
  const many = tokenBucket({ capacity: 1_000, refill: { tokens: 1, every: 300_000 }, maxKeys: 2 * TENANTS });
  const tenants = Array.from({ length: TENANTS }, (_, i) => `tenant-${i}`);
  for (const t of tenants) of(1).pipe(many.forKey(t)).subscribe();
  let i = 0;
  await pair(
    'scale-keyed',
    'keyed tokenBucket, 1 → 10⁵ live keys (round robin): cost per call',
    'scaling: keyed tokenBucket (sync call)',
    { name: '1 key', run: () => of(1).pipe(one.forKey('tenant-0')).subscribe() },
    { name: '10⁵ keys', run: () => of(1).pipe(many.forKey(tenants[(i = (i + 1) % TENANTS)]!)).subscribe() },
  );
  if (many.stats().keys !== TENANTS) throw new Error(`expected ${TENANTS} live keys, found ${many.stats().keys}`);

  await pair(
    'scale-sliding-waiters',
    'wait-mode slidingWindow, 10² → 10⁵ waiters: cost per arrival (subscribe, then leave)',
    'scaling: wait-mode slidingWindow arrival',
    { name: '10² waiters', run: slidingArrival(100) },
    { name: '10⁵ waiters', run: slidingArrival(100_000) },
  );
}
