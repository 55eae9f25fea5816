/**
 * Time limit: the success path per call (the limit never fires), 100 calls at once, and a stream
 * of 100 asynchronous values under a limit on every gap. Floor: `firstValueFrom(defer(fn))`.
 * Peers: RxJS's own `timeout`, and cockatiel `timeout` inside `defer`.
 */
import { timeout as cockatielTimeout, TimeoutStrategy } from 'cockatiel';
import { count, defer, firstValueFrom, from, timeout } from 'rxjs';
import { timeLimit } from '../src/index.js';
import { compare } from './harness.js';

const fn = async () => 1;
const CONCURRENT = 100;
const VALUES = 100;

async function* values(): AsyncGenerator<number> {
  for (let i = 0; i < VALUES; i++) yield i;
}

export default async function timeLimitBench(): Promise<void> {
  const ours = timeLimit({ name: 'bench', duration: 60_000 });
  const oursEach = timeLimit({ name: 'bench-each', each: 60_000 });
  const cockatiel = cockatielTimeout(60_000, TimeoutStrategy.Cooperative);

  await compare('time limit, success path: firstValueFrom(defer(fn) …)', [
    { name: 'floor: firstValueFrom(defer(fn))', run: () => firstValueFrom(defer(fn)) },
    { name: 'rx-resilience timeLimit', run: () => firstValueFrom(defer(fn).pipe(ours)) },
    { name: 'rxjs timeout', run: () => firstValueFrom(defer(fn).pipe(timeout(60_000))) },
    { name: 'cockatiel timeout in defer', run: () => firstValueFrom(defer(() => cockatiel.execute(fn))) },
  ]);

  const all = (one: () => Promise<unknown>) => () => {
    const calls = new Array<Promise<unknown>>(CONCURRENT);
    for (let i = 0; i < CONCURRENT; i++) calls[i] = one();
    return Promise.all(calls);
  };
  await compare(`time limit, ${CONCURRENT} calls at once (per batch)`, [
    { name: 'floor: firstValueFrom(defer(fn))', run: all(() => firstValueFrom(defer(fn))) },
    { name: 'rx-resilience timeLimit', run: all(() => firstValueFrom(defer(fn).pipe(ours))) },
    { name: 'rxjs timeout', run: all(() => firstValueFrom(defer(fn).pipe(timeout(60_000)))) },
    { name: 'cockatiel timeout in defer', run: all(() => firstValueFrom(defer(() => cockatiel.execute(fn)))) },
  ]);

  await compare(`time limit on every gap, a stream of ${VALUES} async values (per stream)`, [
    { name: 'floor: from(asyncIterable)', run: () => firstValueFrom(from(values()).pipe(count())) },
    { name: 'rx-resilience timeLimit({ each })', run: () => firstValueFrom(from(values()).pipe(oursEach, count())) },
    { name: 'rxjs timeout({ each })', run: () => firstValueFrom(from(values()).pipe(timeout({ each: 60_000 }), count())) },
  ]);
}
