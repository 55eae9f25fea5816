import { checker } from '../internal/validate.js';
import { attemptOf, jittered, parseJitter, parseMax, withMax } from './jitter.js';
import type { Backoff, JitterOptions } from './types.js';

export interface FibonacciOptions extends JitterOptions {
  /** The first delay, in ms. Default 100. */
  readonly initial?: number;
  /** The cap, in ms. Default 30 000. */
  readonly max?: number;
}

const KEYS = ['initial', 'max', 'jitter', 'random'];

/**
 * The n-th retry waits `initial` × 1, 1, 2, 3, 5, 8, … (the n-th Fibonacci number), capped at
 * `max`, then jitter. Grows more gently than doubling.
 *
 * ```ts
 * import { fibonacci } from 'rx-resilience';
 * const backoff = fibonacci({ initial: 100, max: 1_000 }); // 100, 100, 200, 300, 500, 800, 1000 …
 * ```
 * @throws ConfigError when an option is invalid (unknown key, negative number, `max < initial`).
 */
export function fibonacci(options: FibonacciOptions = {}): Backoff {
  const check = checker('fibonacci');
  const o = check.object('', options, KEYS, true);
  const initial = check.duration('initial', o.initial, 100, true);
  const max = parseMax(check, o.max, initial);
  const jitter = parseJitter(check, o);
  return withMax((attempt, previous) => jittered(fib(initial, max, attemptOf(attempt)), jitter, initial, max, previous), max);
}

/** `min(max, initial · F(n))`, stopping as soon as the cap is reached (at most ~80 steps). */
function fib(initial: number, max: number, n: number): number {
  if (initial === 0) return 0;
  let a = initial;
  let b = initial;
  for (let i = 1; i < n && a < max; i++) {
    const next = a + b;
    a = b;
    b = next;
  }
  return a < max ? a : max;
}
