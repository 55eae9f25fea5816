/**
 * Bulkhead binder (also for `adaptiveConcurrency()`): active, queued, limit and queue bound pulled
 * from `stats()` on scrape; admissions, rejections, queue time-outs, queue waits and, for an
 * adaptive policy, limit moves pushed from `events$`.
 */
import type { AdaptiveConcurrency, AdaptiveConcurrencyEvent, Bulkhead, BulkheadStats } from '../index.js';
import { Binding, type Families } from './families.js';
import { BULKHEAD } from './names.js';


export function bindBulkhead(pool: Bulkhead | AdaptiveConcurrency, families: Families, adaptive = false): () => void {
  const b = new Binding(families, pool.name);
  b.gauge(BULKHEAD.active, (set) => set(pool.stats().active));
  b.gauge(BULKHEAD.queued, (set) => set(pool.stats().queued));
  b.gauge(BULKHEAD.limit, (set) => set(pool.stats().limit));
  b.gauge(BULKHEAD.maxQueued, (set) => set(pool.stats().maxQueued));
  b.latency(BULKHEAD.latency, () => (pool.stats() as BulkheadStats).latency);
  const calls = {
    admitted: b.counter(BULKHEAD.calls, { outcome: 'admitted' }),
    rejected: b.counter(BULKHEAD.calls, { outcome: 'rejected' }),
    'timed-out': b.counter(BULKHEAD.calls, { outcome: 'timed_out' }),
    cancelled: b.counter(BULKHEAD.calls, { outcome: 'cancelled' }),
  };
  const wait = b.histogram(BULKHEAD.queueWait);
  const moves = adaptive ? { up: b.counter(BULKHEAD.limitChanges, { direction: 'up' }), down: b.counter(BULKHEAD.limitChanges, { direction: 'down' }) } : undefined;
  const events$ = pool.events$ as AdaptiveConcurrency['events$'];
  b.hold(events$.subscribe((e: AdaptiveConcurrencyEvent) => {
    switch (e.type) {
      case 'admitted':
        calls.admitted.inc();
        wait.observe(e.waited / 1_000);
        break;
      case 'rejected':
      case 'timed-out':
      case 'cancelled':
        calls[e.type].inc();
        break;
      case 'limit':
        if (e.to !== e.from) moves?.[e.to > e.from ? 'up' : 'down'].inc();
        break;
    }
  }));
  return () => b.release();
}
