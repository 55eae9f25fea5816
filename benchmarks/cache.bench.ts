/**
 * Cache: the fresh-hit path against its floor (replaying one value synchronously), against what an
 * RxJS user would otherwise write (a Map of `shareReplay(1)` observables, or lru-cache plus `of`),
 * and the miss path (store and evict) for scale.
 */
import { LRUCache } from 'lru-cache';
import { defer, type Observable, of, shareReplay } from 'rxjs';
import { cache } from '../src/index.js';
import { compare } from './harness.js';

const noop = () => undefined;
const observer = { next: noop, error: noop, complete: noop };

export default async function cacheBench(): Promise<void> {
  const source = defer(() => of(1));
  const ours = cache({ name: 'bench', ttl: 3_600_000 });
  const viaPipe = source.pipe(ours);
  viaPipe.subscribe(observer);
  const wrapped = ours.wrap((k: string) => of(k.length), (k) => k);
  wrapped('k').subscribe(observer);

  const replays = new Map<string, Observable<number>>();
  const memo = (k: string) => {
    let obs = replays.get(k);
    if (obs === undefined) replays.set(k, (obs = defer(() => of(k.length)).pipe(shareReplay(1))));
    return obs;
  };
  memo('k').subscribe(observer);
  const lru = new LRUCache<string, number>({ max: 1000 });
  lru.set('k', 1);

  await compare('fresh hit: one cached value delivered synchronously', [
    { name: 'floor: of(v).subscribe', run: () => of(1).subscribe(observer) },
    { name: 'rx-resilience cache, piped', run: () => viaPipe.subscribe(observer) },
    { name: 'rx-resilience cache.wrap(fn)(key)', run: () => wrapped('k').subscribe(observer) },
    { name: 'Map of shareReplay(1) (no TTL, unbounded)', run: () => memo('k').subscribe(observer) },
    { name: 'lru-cache get + of(v)', run: () => of(lru.get('k')).subscribe(observer) },
  ]);

  const small = cache({ name: 'miss', ttl: 3_600_000, maxEntries: 100 });
  const missWrapped = small.wrap((k: number) => of(k), (k) => String(k));
  let i = 0;
  await compare('miss: call upstream, store, evict (100 entries, rotating keys)', [
    { name: 'floor: defer(of(v)).subscribe', run: () => source.subscribe(observer) },
    { name: 'rx-resilience cache miss', run: () => missWrapped(i++).subscribe(observer) },
  ]);
}
