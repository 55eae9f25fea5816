/**
 * Wait-mode limiters and the bulkhead: the cost of one arrival (subscribe, then leave) behind a
 * queue of 10² … 10⁵ waiters. The work per arrival must not grow with the queue: the ratios to the
 * 10² row stay near 1. A virtual clock that never advances keeps every waiter queued.
 */
import { NEVER, VirtualTimeScheduler } from 'rxjs';
import { bulkhead, fixedWindow, slidingWindow, tokenBucket } from '../src/index.js';
import { compare } from './harness.js';

/** `BENCH_WAITERS=100,1000` and `BENCH_KINDS=sliding` narrow the run. */
const SIZES = (process.env.BENCH_WAITERS ?? '100,1000,10000,100000').split(',').map(Number);
const ONLY = process.env.BENCH_KINDS?.split(',');

type Policy = <T>(source: import('rxjs').Observable<T>) => import('rxjs').Observable<T>;

/** A policy with `waiters` calls queued behind one admitted call that never ends. */
function queuedBehind(build: (scheduler: VirtualTimeScheduler) => Policy, waiters: number): Policy {
  const policy = build(new VirtualTimeScheduler());
  for (let i = 0; i <= waiters; i++) NEVER.pipe(policy).subscribe({ error: () => undefined });
  return policy;
}

const arrival = (policy: Policy) => () => NEVER.pipe(policy).subscribe({ error: () => undefined }).unsubscribe();

const KINDS: [string, (scheduler: VirtualTimeScheduler) => Policy][] = [
  ['slidingWindow (limit 1)', (scheduler) => slidingWindow({ limit: 1, window: 1_000, mode: 'wait', scheduler })],
  ['slidingWindow (limit 100, cost 3)', (scheduler) => slidingWindow({ limit: 100, window: 1_000, mode: 'wait', cost: 3, scheduler })],
  ['fixedWindow (limit 1)', (scheduler) => fixedWindow({ limit: 1, window: 1_000, mode: 'wait', scheduler })],
  ['tokenBucket (capacity 1)', (scheduler) => tokenBucket({ capacity: 1, refill: { tokens: 1, every: 1_000 }, mode: 'wait', scheduler })],
  ['bulkhead (1 slot)', (scheduler) => bulkhead({ maxConcurrent: 1, maxQueued: Infinity, scheduler })],
];

export default async function waitersBench(): Promise<void> {
  for (const [name, build] of KINDS.filter(([n]) => ONLY === undefined || ONLY.some((o) => n.startsWith(o)))) {
    await compare(
      `one arrival behind n waiters: ${name}`,
      SIZES.map((n) => ({ name: `n = ${n.toLocaleString('en')}`, run: arrival(queuedBehind(build, n)) })),
    );
  }
}
