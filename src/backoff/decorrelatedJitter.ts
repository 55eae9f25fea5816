import { checker } from '../internal/validate.js';
import { jittered, parseMax, withMax } from './jitter.js';
import type { Backoff, RandomSource } from './types.js';

export interface DecorrelatedJitterOptions {
  /** The smallest delay and the first "previous" one, in ms. Default 100. */
  readonly initial?: number;
  /** The cap, in ms. Default 30 000. */
  readonly max?: number;
  /** Default `Math.random`. */
  readonly random?: RandomSource;
}

const KEYS = ['initial', 'max', 'random'];

/**
 * AWS "decorrelated jitter": each delay is `min(max, initial + random·(3·previous − initial))`,
 * `previous` being the delay it returned last (`initial` before the first). Spreads a fleet's
 * retries while still growing roughly threefold.
 *
 * ```ts
 * import { decorrelatedJitter, retryBackoff } from 'rx-resilience';
 * source$.pipe(retryBackoff({ maxAttempts: 6, backoff: decorrelatedJitter({ initial: 100, max: 10_000 }) }));
 * ```
 * @throws ConfigError when an option is invalid (unknown key, negative number, `max < initial`).
 */
export function decorrelatedJitter(options: DecorrelatedJitterOptions = {}): Backoff {
  const check = checker('decorrelatedJitter');
  const o = check.object('', options, KEYS, true);
  const initial = check.duration('initial', o.initial, 100, true);
  const max = parseMax(check, o.max, initial);
  const jitter = { kind: 'decorrelated' as const, random: check.fn<RandomSource>('random', o.random) ?? Math.random };
  return withMax((_attempt, previous) => jittered(initial, jitter, initial, max, previous), max);
}
