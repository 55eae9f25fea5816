/**
 * Retry: the success path per call, and a call that fails twice then succeeds with zero delays.
 * Floor: `firstValueFrom(defer(fn))`. Peers: RxJS's own `retry`, and cockatiel `retry` and
 * `p-retry` inside `defer` (what an RxJS user would otherwise write).
 */
import { ConstantBackoff, handleAll, retry as cockatielRetry } from 'cockatiel';
import pRetry from 'p-retry';
import { defer, firstValueFrom, retry } from 'rxjs';
import { constant, retryBackoff } from '../src/index.js';
import { compare } from './harness.js';

const fn = async () => 1;
const boom = new Error('boom');

/** A fresh dependency per call that fails twice, then succeeds. */
function flaky(): () => Promise<number> {
  let n = 0;
  return async () => {
    if (n++ < 2) throw boom;
    return 1;
  };
}

export default async function retryBench(): Promise<void> {
  const ours = retryBackoff({ name: 'bench', maxAttempts: 3 });
  const oursZero = retryBackoff({ name: 'bench-zero', maxAttempts: 3, backoff: constant(0) });
  const cockatiel = cockatielRetry(handleAll, { maxAttempts: 2, backoff: new ConstantBackoff(0) });
  const pRetryOptions = { retries: 2, minTimeout: 0 };

  await compare('retry, success path: firstValueFrom(defer(fn) …)', [
    { name: 'floor: firstValueFrom(defer(fn))', run: () => firstValueFrom(defer(fn)) },
    { name: 'rx-resilience retryBackoff', run: () => firstValueFrom(defer(fn).pipe(ours)) },
    { name: 'rxjs retry(2)', run: () => firstValueFrom(defer(fn).pipe(retry(2))) },
    { name: 'cockatiel retry in defer', run: () => firstValueFrom(defer(() => cockatiel.execute(fn))) },
    { name: 'p-retry in defer', run: () => firstValueFrom(defer(() => pRetry(fn, pRetryOptions))) },
  ]);

  await compare('retry, fails twice then succeeds, zero delays', [
    { name: 'floor: firstValueFrom(defer(fn))', run: () => firstValueFrom(defer(fn)) },
    { name: 'rx-resilience retryBackoff', run: () => firstValueFrom(defer(flaky()).pipe(oursZero)) },
    { name: 'rxjs retry(2)', run: () => firstValueFrom(defer(flaky()).pipe(retry(2))) },
    { name: 'cockatiel retry in defer (waits a timer)', run: () => { const f = flaky(); return firstValueFrom(defer(() => cockatiel.execute(f))); } },
    { name: 'p-retry in defer', run: () => { const f = flaky(); return firstValueFrom(defer(() => pRetry(f, pRetryOptions))); } },
  ]);
}
