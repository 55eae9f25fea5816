/**
 * @internal Jitter and the helpers every schedule shares: reading the attempt number, building the
 * backoff function with its readonly `max`, and validating the common options.
 */
import type { Check } from '../internal/validate.js';
import type { Backoff, JitterKind, RandomSource } from './types.js';

export const JITTER_KINDS: readonly JitterKind[] = ['none', 'full', 'equal', 'decorrelated'];

/** Default cap of the growing schedules, in ms. */
export const DEFAULT_MAX = 30_000;

export interface Jitter {
  readonly kind: JitterKind;
  readonly random: RandomSource;
}

/** The retry number as an integer ≥ 1, whatever the caller passed. */
export function attemptOf(attempt: number): number {
  return attempt >= 1 ? Math.floor(attempt) : 1;
}

/**
 * Applies `jitter` to the un-jittered delay `d`. Decorrelated jitter (AWS) ignores `d`:
 * `min(max, initial + random·(3·previous − initial))`, previous starting at `initial`.
 * The result is always in [0, max].
 */
export function jittered(d: number, jitter: Jitter, initial: number, max: number, previous: number | undefined): number {
  let ms: number;
  switch (jitter.kind) {
    case 'none':
      ms = d;
      break;
    case 'full':
      ms = jitter.random() * d;
      break;
    case 'equal':
      ms = d / 2 + (jitter.random() * d) / 2;
      break;
    case 'decorrelated': {
      const prev = previous !== undefined && Number.isFinite(previous) && previous >= 0 ? previous : initial;
      ms = initial + jitter.random() * (3 * prev - initial);
    }
  }
  return clamp(ms, max);
}

/** Clamps to [0, max]; anything that is not a number ≥ 0 becomes 0. */
export function clamp(ms: number, max: number): number {
  return ms > max ? max : ms >= 0 ? ms : 0;
}

/** Reads `jitter` and `random` from a schedule's options. */
export function parseJitter(check: Check, options: Record<string, unknown>): Jitter {
  return {
    kind: check.oneOf('jitter', options.jitter, JITTER_KINDS, 'none'),
    random: check.fn<RandomSource>('random', options.random) ?? Math.random,
  };
}

/** A cap ≥ `initial` (default 30 000 ms, or `initial` when that is larger). */
export function parseMax(check: Check, value: unknown, initial: number): number {
  const max = check.duration('max', value, Math.max(DEFAULT_MAX, initial), true);
  if (max < initial) check.fail('max', max, `a finite number of milliseconds >= initial (${initial})`);
  return max;
}

/** Gives `fn` its readonly, enumerable `max`. */
export function withMax(fn: (attempt: number, previousDelay?: number) => number, max: number): Backoff {
  return Object.defineProperty(fn, 'max', { value: max, enumerable: true }) as Backoff;
}
