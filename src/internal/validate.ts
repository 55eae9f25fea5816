/**
 * @internal Config validation at build time. Every check throws `ConfigError` naming the field
 * (a path such as `strategy.failureRateThreshold`), the value and what is allowed, and returns the
 * value (or the default when the value is `undefined`), typed.
 */
import type { SchedulerLike } from 'rxjs';
import { ConfigError } from '../errors.js';

export type Check = ReturnType<typeof checker>;

/** The longest duration a timer can wait: Node fires any longer timer after about 1 ms. */
export const MAX_DURATION = 2_147_483_647;
/** The largest count (attempts, limits, thresholds, queue lengths). */
export const MAX_COUNT = 2_147_483_647;
/** The largest size of anything allocated per unit (window slots, buckets). */
export const MAX_SIZE = 1_000_000;
const DURATION_TEXT = `${MAX_DURATION} ms (about 24.8 days)`;

/** A delay computed at run time (a backoff result), clamped into [0, MAX_DURATION]; NaN gives 0. */
export function clampDelay(ms: number): number {
  return ms > 0 ? Math.min(ms, MAX_DURATION) : 0;
}

/** A plain object: `{}`-literal or `Object.create(null)`, not a Date, Map, array or class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

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
      if (!isPlainObject(value)) {
        return fail(field || 'config', value, 'an object (a plain one: not an array, Date, Map or class instance)');
      }
      for (const key of Object.keys(value)) {
        if (!keys.includes(key)) fail(join(field, key), (value as Record<string, unknown>)[key], `one of the known options (${keys.join(', ')})`);
      }
      return value as Record<string, unknown>;
    },

    /** An integer in [`min`, `max`] (a count: at most `MAX_COUNT` unless told). */
    integer(field: string, value: unknown, fallback: number, min = 1, max = MAX_COUNT): number {
      if (value === undefined) return fallback;
      if (!isNumber(value) || !Number.isInteger(value) || value < min || value > max) {
        fail(field, value, `an integer >= ${min} and <= ${max}`);
      }
      return value as number;
    },

    /** A size of something allocated per unit: an integer in [`min`, `MAX_SIZE`]. */
    size(field: string, value: unknown, fallback: number, min = 1): number {
      return this.integer(field, value, fallback, min, MAX_SIZE);
    },

    /**
     * A number of milliseconds in (0, MAX_DURATION] (or from 0 with `allowZero`, or from `min`):
     * any longer and a timer on Node fires at once.
     */
    duration(field: string, value: unknown, fallback: number, allowZero = false, min = 0): number {
      if (value === undefined) return fallback;
      if (!isNumber(value) || value > MAX_DURATION || value < min || value < 0 || (!allowZero && value === 0)) {
        const from = min > 0 ? `>= ${min}` : allowZero ? '>= 0' : '> 0';
        fail(field, value, `a finite number of milliseconds ${from} and <= ${DURATION_TEXT}`);
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

    /** A boolean (or `fallback` when `undefined`). */
    flag(field: string, value: unknown, fallback: boolean): boolean {
      if (value === undefined) return fallback;
      if (typeof value !== 'boolean') fail(field, value, 'a boolean');
      return value as boolean;
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
