import { checker } from '../internal/validate.js';
import { withMax } from './jitter.js';
import type { Backoff } from './types.js';

/**
 * The same delay before every retry.
 *
 * ```ts
 * import { constant, retryBackoff } from 'rx-resilience';
 * source$.pipe(retryBackoff({ maxAttempts: 4, backoff: constant(500) })); // waits 500, 500, 500 ms
 * ```
 * @throws ConfigError unless `ms` is a finite number ≥ 0.
 */
export function constant(ms: number): Backoff {
  const check = checker('constant');
  if (ms === undefined) check.fail('ms', ms, 'a finite number of milliseconds >= 0');
  const delay = check.duration('ms', ms, 0, true);
  return withMax(() => delay, delay);
}
