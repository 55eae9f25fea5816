/**
 * Cache and hedge binders: a cache's hits, misses, coalesced calls and evictions pushed from
 * `events$`, its size pulled on scrape; a hedge's extra attempts and how its calls ended.
 */
import type { Cache, Hedge } from '../index.js';
import { Binding, type Families } from './families.js';
import { CACHE_HEDGE } from './names.js';


export function bindCache(policy: Cache, families: Families): () => void {
  const b = new Binding(families, policy.name);
  b.gauge(CACHE_HEDGE.cacheEntries, (set) => set(policy.stats().size));
  const requests = { hit: b.counter(CACHE_HEDGE.cacheRequests, { result: 'hit' }), miss: b.counter(CACHE_HEDGE.cacheRequests, { result: 'miss' }), coalesced: b.counter(CACHE_HEDGE.cacheRequests, { result: 'coalesced' }) };
  const evictions = b.counter(CACHE_HEDGE.cacheEvictions);
  b.hold(policy.events$.subscribe((e) => {
    if (e.type === 'hit' || e.type === 'miss' || e.type === 'coalesced') requests[e.type].inc();
    else if (e.type === 'evicted') evictions.inc();
  }));
  return () => b.release();
}

export function bindHedge(policy: Hedge, families: Families): () => void {
  const b = new Binding(families, policy.name);
  const attempts = { delay: b.counter(CACHE_HEDGE.hedges, { reason: 'delay' }), error: b.counter(CACHE_HEDGE.hedges, { reason: 'error' }) };
  const calls = { first: b.counter(CACHE_HEDGE.hedgeCalls, { outcome: 'won_by_first' }), hedge: b.counter(CACHE_HEDGE.hedgeCalls, { outcome: 'won_by_hedge' }), failed: b.counter(CACHE_HEDGE.hedgeCalls, { outcome: 'failed' }) };
  b.hold(policy.events$.subscribe((e) => {
    if (e.type === 'hedge') attempts[e.reason].inc();
    else if (e.type === 'won') calls[e.attempt > 1 ? 'hedge' : 'first'].inc();
    else calls.failed.inc();
  }));
  return () => b.release();
}
