/**
 * Rate limiter laws, for consumers' suites: pipe `watcher.probe` between the upstream and the
 * limiter (`upstream.pipe(watcher.probe, limiter)`); the probe sees every admitted call, at the
 * scheduler's time, and checks the bound on every admission:
 * - token bucket (`capacity`, `tokens`, `every`): over any interval of length t, the admitted cost
 *   is at most `capacity + tokens/every · t`;
 * - window (`limit`, `window`): over any `window` ms (half-open), the admitted cost is at most `limit`
 *   (a fixed window only keeps this per aligned window: pass `aligned: true`).
 */
import { asyncScheduler, Observable, type SchedulerLike } from 'rxjs';
import type { LawWatcher } from './laws.js';

export type LimiterBound =
  | { readonly capacity: number; readonly tokens: number; readonly every: number; readonly cost?: number }
  | { readonly limit: number; readonly window: number; readonly aligned?: boolean; readonly cost?: number };

export interface LimiterLawWatcher extends LawWatcher {
  /** Scheduler times at which calls were admitted, in order. */
  readonly admitted: readonly number[];
}

/** Slack for floating-point refill arithmetic (tokens). */
const EPSILON = 1e-6;

export function watchLimiterLaws(bound: LimiterBound, scheduler: SchedulerLike = asyncScheduler): LimiterLawWatcher {
  const cost = bound.cost ?? 1;
  const admitted: number[] = [];
  const violations: string[] = [];
  const check = (now: number) => {
    let total = 0;
    for (let i = admitted.length - 1; i >= 0; i--) {
      const since = admitted[i]!;
      total += cost;
      if ('capacity' in bound) {
        const allowed = bound.capacity + (bound.tokens / bound.every) * (now - since);
        if (total > allowed + EPSILON) violations.push(`admitted ${total} in [${since}, ${now}], more than capacity + rate·t = ${allowed}`);
      } else {
        const start = bound.aligned === true ? Math.floor(now / bound.window) * bound.window : now - bound.window;
        if (bound.aligned === true ? since < start : since <= start) break;
        if (total > bound.limit) violations.push(`admitted ${total} in the window ending at ${now}, more than ${bound.limit}`);
      }
    }
  };
  const probe = <T>(source: Observable<T>) =>
    new Observable<T>((subscriber) => {
      const now = scheduler.now();
      admitted.push(now);
      check(now);
      return source.subscribe(subscriber);
    });
  return { probe, violations, admitted, stop: () => undefined };
}
