/**
 * @internal Config validation at build time. Every check throws `ConfigError` naming the field
 * (a path such as `strategy.failureRateThreshold`), the value and what is allowed, and returns the
 * value (or the default when the value is `undefined`), typed.
 */
import type { SchedulerLike } from 'rxjs';
import { ConfigError } from '../errors.js';

export type Check = ReturnType<typeof checker>;

export function checker(policy: string) {
  const fail = (field: string, value: unknown, allowed: string): never => {
    throw new ConfigError(policy, field, value, allowed);
  };
  const isNumber = (value: unknown): value is number => typeof value === 'number' && !Number.isNaN(value);

  return {
    fail,

    /** A plain object with no keys outside `keys`; `undefined` gives `{}` when `optional`. */
    object(field: string, value: unknown, keys: readonly string[], optional = false): Record<string, unknown> {
      if (value === undefined && optional) return {};
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return fail(field || 'config', value, 'an object');
      }
      for (const key of Object.keys(value)) {
        if (!keys.includes(key)) fail(join(field, key), (value as Record<string, unknown>)[key], `one of the known options (${keys.join(', ')})`);
      }
      return value as Record<string, unknown>;
    },

    /** An integer ≥ `min` (and ≤ `max` when given). */
    integer(field: string, value: unknown, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
      if (value === undefined) return fallback;
      if (!isNumber(value) || !Number.isInteger(value) || value < min || value > max) {
        fail(field, value, max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`);
      }
      return value as number;
    },

    /** A finite number of milliseconds > 0 (or ≥ 0 with `allowZero`). */
    duration(field: string, value: unknown, fallback: number, allowZero = false): number {
      if (value === undefined) return fallback;
      if (!isNumber(value) || !Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
        fail(field, value, allowZero ? 'a finite number of milliseconds >= 0' : 'a finite number of milliseconds > 0');
      }
      return value as number;
    },

    /** A finite number in [min, max]. */
    number(field: string, value: unknown, fallback: number, min: number, max: number): number {
      if (value === undefined) return fallback;
      if (!isNumber(value) || !Number.isFinite(value) || value < min || value > max) fail(field, value, `a finite number in [${min}, ${max}]`);
      return value as number;
    },

    /** A threshold: a number in (0, 1]. */
    threshold(field: string, value: unknown, fallback: number): number {
      if (value === undefined) return fallback;
      if (!isNumber(value) || value <= 0 || value > 1) fail(field, value, 'a number in (0, 1]');
      return value as number;
    },

    /** One of the given literal values. */
    oneOf<const V extends string>(field: string, value: unknown, options: readonly V[], fallback: V): V {
      if (value === undefined) return fallback;
      if (!options.includes(value as V)) fail(field, value, `one of ${options.map((o) => JSON.stringify(o)).join(', ')}`);
      return value as V;
    },

    /** A function (or `undefined`). */
    fn<F extends (...args: never[]) => unknown>(field: string, value: unknown): F | undefined {
      if (value === undefined) return undefined;
      if (typeof value !== 'function') fail(field, value, 'a function');
      return value as F;
    },

    /** A non-empty string (or `undefined`). */
    name(field: string, value: unknown): string | undefined {
      if (value === undefined) return undefined;
      if (typeof value !== 'string' || value.length === 0) fail(field, value, 'a non-empty string');
      return value as string;
    },

    /** An RxJS SchedulerLike (or `undefined`). */
    scheduler(field: string, value: unknown): SchedulerLike | undefined {
      if (value === undefined) return undefined;
      const s = value as Partial<SchedulerLike> | null;
      if (typeof s !== 'object' || s === null || typeof s.now !== 'function' || typeof s.schedule !== 'function') {
        fail(field, value, 'an RxJS SchedulerLike (with now() and schedule())');
      }
      return value as SchedulerLike;
    },
  };
}

export function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
