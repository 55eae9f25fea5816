/**
 * Health that drives recovery: an open breaker ends its break at once when a signal says the
 * dependency is back. It only ever moves open → half-open (through the breaker's `endBreak()`);
 * the trial calls still decide whether it closes, and a breaker isolated or disabled by hand, or
 * closed, or already half-open, is left alone.
 */
import type { Observable, Subscription } from 'rxjs';
import { checker } from '../internal/validate.js';

/** What `recoverWhen` needs of a breaker: any `circuitBreaker()`. */
export interface RecoverableBreaker {
  readonly name: string;
  endBreak(): void;
}

/**
 * While `breaker` is open, a `true` on `signal$` turns it half-open now instead of at the end of
 * its break. `false` does nothing (the break runs its course); so does `true` in any other state.
 * Returns the subscription to `signal$`: unsubscribe to stop. An error or completion of `signal$`
 * ends the link and leaves the breaker as it is.
 *
 * ```text
 * signal$ (db probe healthy?):  f----f----t---------t----
 * breaker:  open ------------------half-open (trial) -> closed   (the second true: not open, nothing)
 * ```
 *
 * ```ts
 * import { circuitBreaker, healthCheck, recoverWhen } from 'rx-resilience';
 * const db = healthCheck('db', () => ping(), { interval: 5_000 });
 * recoverWhen(dbBreaker, db.pipe(map((r) => r.status === 'healthy')));
 * ```
 * @throws ConfigError when `breaker` is not a circuit breaker or `signal$` not an Observable.
 */
export function recoverWhen(breaker: RecoverableBreaker, signal$: Observable<boolean>): Subscription {
  const check = checker('recover-when');
  if (typeof (breaker as Partial<RecoverableBreaker> | null)?.endBreak !== 'function') check.fail('breaker', breaker, 'a circuit breaker (with endBreak())');
  if (typeof (signal$ as { subscribe?: unknown } | null)?.subscribe !== 'function') check.fail('signal$', signal$, 'an Observable of booleans');
  return signal$.subscribe({
    next: (healthy) => {
      if (healthy === true) breaker.endBreak();
    },
    error: () => undefined,
  });
}
