import { checker } from '../internal/validate.js';
import { attemptOf, clamp, jittered, parseJitter, parseMax, withMax } from './jitter.js';
import type { Backoff, JitterOptions } from './types.js';

export interface LinearOptions extends JitterOptions {
  /** The first delay, in ms. Default 100. */
  readonly initial?: number;
  /** Added per retry, in ms. Default `initial`. */
  readonly step?: number;
  /** The cap, in ms. Default 30 000. */
  readonly max?: number;
}

const KEYS = ['initial', 'step', 'max', 'jitter', 'random'];

/**
 * The n-th retry waits `min(max, initial + step·(n − 1))`, then jitter.
 *
 * ```ts
 * import { linear } from 'rx-resilience';
 * const backoff = linear({ initial: 100, step: 50, max: 300 }); // 100, 150, 200, 250, 300, 300 …
 * ```
 * @throws ConfigError when an option is invalid (unknown key, negative number, `max < initial`).
 */
export function linear(options: LinearOptions = {}): Backoff {
  const check = checker('linear');
  const o = check.object('', options, KEYS, true);
  const initial = check.duration('initial', o.initial, 100, true);
  const step = check.duration('step', o.step, initial, true);
  const max = parseMax(check, o.max, initial);
  const jitter = parseJitter(check, o);
  return withMax((attempt, previous) => jittered(clamp(initial + step * (attemptOf(attempt) - 1), max), jitter, initial, max, previous), max);
}
