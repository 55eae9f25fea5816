/**
 * The composed stack of the demo (examples/demo.ts), innermost first: timeLimit per attempt →
 * circuitBreaker → retryBackoff → bulkhead → tokenBucket, against the floor and against the same
 * stack from cockatiel's `wrap` (bulkhead, retry, breaker, timeout). cockatiel has no rate limiter,
 * so rate-limiter-flexible's memory limiter stands in for the token bucket, outermost as ours.
 * The demo's limits are kept, but the bucket is large enough never to refuse during a run.
 */
import {
  bulkhead as cockatielBulkhead, circuitBreaker as cockatielBreaker, CountBreaker, ExponentialBackoff, handleAll, retry as cockatielRetry,
  timeout as cockatielTimeout, TimeoutStrategy, wrap,
} from 'cockatiel';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { defer, firstValueFrom } from 'rxjs';
import { bulkhead, circuitBreaker, exponential, retryBackoff, timeLimit, tokenBucket } from '../src/index.js';
import { compare } from './harness.js';
import { fn, LAYER, references } from './reference.js';
import { addRow, pick, ratioOf } from './rows.js';

const TARGET = 3;

export async function stackBench(): Promise<void> {
  const perAttempt = timeLimit({ name: 'attempt', duration: 400 });
  const breaker = circuitBreaker({
    name: 'upstream',
    strategy: { kind: 'count', size: 20, minimumCalls: 10, failureRateThreshold: 0.5 },
    breakDuration: 1_000,
  });
  const retry = retryBackoff({ name: 'retry', maxAttempts: 3, backoff: exponential({ initial: 50, max: 400, jitter: 'full' }) });
  const pool = bulkhead({ name: 'pool', maxConcurrent: 8, maxQueued: 8, queueTimeout: 500 });
  const limiter = tokenBucket({ name: 'rate', capacity: 2e9, refill: { tokens: 2e9, every: 2e6 } });
  const ours = () => firstValueFrom(defer(fn).pipe(perAttempt, breaker, retry, pool, limiter));

  const policies = wrap(
    cockatielBulkhead(8, 8),
    cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 400 }) }),
    cockatielBreaker(handleAll, { halfOpenAfter: 1_000, breaker: new CountBreaker({ threshold: 0.5, size: 20, minimumNumberOfCalls: 10 }) }),
    cockatielTimeout(400, TimeoutStrategy.Cooperative),
  );
  const rate = new RateLimiterMemory({ points: 1e12, duration: 1 });
  const theirs = () => firstValueFrom(defer(() => rate.consume('k').then(() => policies.execute(fn))));

  const results = await compare('composed stack: timeLimit → circuitBreaker → retryBackoff → bulkhead → tokenBucket', [
    ...references,
    { name: 'rx-resilience stack', run: ours },
    { name: 'cockatiel wrap + rate-limiter-flexible', run: theirs },
  ]);
  const mine = pick(results, 'rx-resilience stack');
  addRow({
    id: 'stack',
    section: 'hot paths',
    path: 'composed stack (timeLimit → circuitBreaker → retryBackoff → bulkhead → tokenBucket), × floor',
    ours: ratioOf('rx-resilience', mine),
    peers: [ratioOf('cockatiel `wrap` (+ rate-limiter-flexible)', pick(results, 'cockatiel wrap + rate-limiter-flexible')), ratioOf('smallest layer', pick(results, LAYER))],
    target: `≤ ${TARGET}×`,
    met: mine.ratio <= TARGET,
  });
}
