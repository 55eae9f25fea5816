/**
 * Rate limiter binders: tokens or units left, the limit and the waiting calls pulled from
 * `stats()` on scrape; admissions, rejections and cancelled waiters pushed from `events$`. Keys
 * are not labels (a keyed limiter may see millions): the counters sum every key, the gauges show
 * the default key. An adaptive rate limiter adds its rate and its moves; an adaptive throttle its
 * rejection probability.
 */
import type { AdaptiveRateLimiter, AdaptiveThrottle, RateLimiter } from '../index.js';
import { Binding, type Families } from './families.js';
import { BULKHEAD, LIMITER } from './names.js';


type Outcomes = Record<'admitted' | 'rejected' | 'cancelled', { inc(): void }>;

const outcomes = (b: Binding): Outcomes => ({
  admitted: b.counter(LIMITER.calls, { outcome: 'admitted' }),
  rejected: b.counter(LIMITER.calls, { outcome: 'rejected' }),
  cancelled: b.counter(LIMITER.calls, { outcome: 'cancelled' }),
});

export function bindLimiter(limiter: RateLimiter | AdaptiveRateLimiter, families: Families): () => void {
  const b = new Binding(families, limiter.name);
  b.gauge(LIMITER.available, (set) => set(limiter.stats().remaining));
  b.gauge(LIMITER.limit, (set) => set(limiter.stats().limit));
  b.gauge(LIMITER.waiting, (set) => set(limiter.stats().waiting));
  const calls = outcomes(b);
  const adaptive = 'rate$' in limiter;
  const moves = adaptive ? { up: b.counter(BULKHEAD.limitChanges, { direction: 'up' }), down: b.counter(BULKHEAD.limitChanges, { direction: 'down' }) } : undefined;
  if (adaptive) {
    let rate = Number.NaN;
    b.hold(limiter.rate$.subscribe((r) => (rate = r)));
    b.gauge(LIMITER.rate, (set) => set(rate));
  }
  const events$ = limiter.events$ as AdaptiveRateLimiter['events$'];
  b.hold(events$.subscribe((e) => {
    if (e.type === 'rate') {
      if (e.to !== e.from) moves?.[e.to > e.from ? 'up' : 'down'].inc();
    } else if (e.type !== 'queued') {
      calls[e.type].inc();
    }
  }));
  return () => b.release();
}

export function bindThrottle(throttle: AdaptiveThrottle, families: Families): () => void {
  const b = new Binding(families, throttle.name);
  b.gauge(LIMITER.rejectProbability, (set) => set(throttle.stats().rejectProbability));
  const calls = outcomes(b);
  b.hold(throttle.events$.subscribe((e) => calls[e.type].inc()));
  return () => b.release();
}
