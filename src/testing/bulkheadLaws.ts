/**
 * Bulkhead laws, for `bulkhead()` and `adaptiveConcurrency()` alike. The watcher reads the
 * policy's `state$` and `stats()` and counts the calls that really reach upstream through a probe
 * piped *inside* the policy: `upstream.pipe(watcher.probe, pool)`.
 */
import { Observable, type Subscription } from 'rxjs';
import type { BulkheadState } from '../index.js';
import type { LawWatcher } from './laws.js';

/** What the watcher needs of a pool: both `Bulkhead` and `AdaptiveConcurrency` have it. */
export interface WatchablePool {
  readonly state$: Observable<BulkheadState>;
  stats(): BulkheadState;
}

/**
 * Laws: a call reaches upstream only while fewer than `limit` calls are running there (for an
 * adaptive limit, the limit at that moment); the queue never holds more than `maxQueued`; no call
 * waits while a slot is free; `state$` never shows a negative count.
 */
export function watchBulkheadLaws(pool: WatchablePool): LawWatcher {
  const violations: string[] = [];
  let running = 0;
  const sub: Subscription = pool.state$.subscribe((s) => {
    if (s.active < 0 || s.queued < 0) violations.push(`negative counts: ${s.active} active, ${s.queued} queued`);
    if (s.queued > s.maxQueued) violations.push(`${s.queued} calls queued (maxQueued ${s.maxQueued})`);
    if (s.queued > 0 && s.active < s.limit) violations.push(`${s.queued} calls waiting while ${s.limit - s.active} slots are free`);
  });
  const probe = <T>(source: Observable<T>) =>
    new Observable<T>((subscriber) => {
      const limit = pool.stats().limit;
      if (++running > limit) violations.push(`${running} calls running upstream at once (limit ${limit})`);
      let ended = false;
      const end = () => {
        if (!ended) {
          ended = true;
          running--;
        }
      };
      // Count the end when upstream says so, before the policy hears of it and hands the slot on.
      const inner = source.subscribe({
        next: (value) => subscriber.next(value),
        error: (error: unknown) => {
          end();
          subscriber.error(error);
        },
        complete: () => {
          end();
          subscriber.complete();
        },
      });
      return () => {
        inner.unsubscribe();
        end();
      };
    });
  return { probe, violations, stop: () => sub.unsubscribe() };
}
