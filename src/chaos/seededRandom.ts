/**
 * A small deterministic random source (the Mulberry32 generator: 32 bits of state, period 2^32),
 * so a chaos run, a jittered backoff or a throttle replays exactly from its seed.
 */
import { checker } from '../internal/validate.js';

/**
 * Returns a function giving numbers in [0, 1), the same sequence for the same `seed`. Not for
 * cryptography.
 *
 * ```ts
 * import { seededRandom } from 'rx-resilience';
 * const a = seededRandom(42);
 * const b = seededRandom(42);
 * console.log(a() === b(), a() === b()); // true true
 * ```
 * @throws ConfigError when `seed` is not an integer in [0, 4 294 967 295].
 */
export function seededRandom(seed: number): () => number {
  const check = checker('seeded-random');
  if (seed === undefined) check.fail('seed', seed, 'an integer >= 0 and <= 4294967295');
  let state = check.integer('seed', seed, 0, 0, 0xffff_ffff) | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
