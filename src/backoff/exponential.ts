import { checker } from '../internal/validate.js';
import { attemptOf, clamp, jittered, parseJitter, parseMax, withMax } from './jitter.js';
import type { Backoff, JitterOptions } from './types.js';

export interface ExponentialOptions extends JitterOptions {
  /** The first delay, in ms. Default 100. */
  readonly initial?: number;
  /** Growth per retry, in [1, 1000]. Default 2. */
  readonly factor?: number;
  /** The cap, in ms. Default 30 000. */
  readonly max?: number;
}

const KEYS = ['initial', 'factor', 'max', 'jitter', 'random'];

/**
 * The n-th retry waits `min(max, initial · factor^(n − 1))`, computed directly (not by
 * accumulating), then jitter: `'full'` waits `random·d`, `'equal'` `d/2 + random·d/2`,
 * `'decorrelated'` `min(max, initial + random·(3·previous − initial))`.
 *
 * ```text
 * exponential({ initial: 1000, max: 8000 }):  1000, 2000, 4000, 8000, 8000 …
 * ```
 *
 * ```ts
 * import { exponential, retryBackoff } from 'rx-resilience';
 * source$.pipe(retryBackoff({ maxAttempts: 5, backoff: exponential({ initial: 100, max: 5_000, jitter: 'full' }) }));
 * ```
 * @throws ConfigError when an option is invalid (unknown key, negative number, `max < initial`).
 */
export function exponential(options: ExponentialOptions = {}): Backoff {
  const check = checker('exponential');
  const o = check.object('', options, KEYS, true);
  const initial = check.duration('initial', o.initial, 100, true);
  const factor = check.number('factor', o.factor, 2, 1, 1000);
  const max = parseMax(check, o.max, initial);
  const jitter = parseJitter(check, o);
  return withMax((attempt, previous) => jittered(clamp(initial * factor ** (attemptOf(attempt) - 1), max), jitter, initial, max, previous), max);
}
