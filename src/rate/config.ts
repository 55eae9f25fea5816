/** @internal Validation of the options every store-backed limiter shares. */
import type { SchedulerLike } from 'rxjs';
import { resolveScheduler } from '../internal/clock.js';
import type { Check } from '../internal/validate.js';
import { memoryStore } from './memoryStore.js';
import type { RateStore } from './store.js';
import type { LimiterMode } from './types.js';

export const LIMITER_KEYS = ['name', 'scheduler', 'mode', 'maxWait', 'cost', 'store', 'maxKeys'] as const;

export interface ParsedLimiter {
  readonly scheduler: SchedulerLike;
  readonly mode: LimiterMode;
  readonly maxWait: number;
  readonly cost: number;
  readonly store: RateStore;
}

/**
 * @param maxCost the capacity or limit a call's cost may not exceed, named `limitField`.
 * @param wholeCost windows count whole units: their cost is an integer.
 */
export function parseLimiter(check: Check, config: Record<string, unknown>, maxCost: number, limitField: string, wholeCost: boolean): ParsedLimiter {
  const mode = check.oneOf('mode', config.mode, ['reject', 'wait'], 'reject');
  let maxWait = Infinity;
  if (config.maxWait !== undefined) {
    if (mode !== 'wait') check.fail('maxWait', config.maxWait, "left out unless mode is 'wait'");
    maxWait = config.maxWait === Infinity ? Infinity : check.duration('maxWait', config.maxWait, Infinity, true);
  }
  const cost = wholeCost ? check.integer('cost', config.cost, 1) : positive(check, 'cost', config.cost, 1);
  if (cost > maxCost) check.fail('cost', cost, `at most ${limitField} (${maxCost})`);
  return { scheduler: resolveScheduler(check.scheduler('scheduler', config.scheduler)), mode, maxWait, cost, store: parseStore(check, config) };
}

function parseStore(check: Check, config: Record<string, unknown>): RateStore {
  if (config.store === undefined) return memoryStore({ maxKeys: check.integer('maxKeys', config.maxKeys, 100_000) });
  if (config.maxKeys !== undefined) check.fail('maxKeys', config.maxKeys, 'left out when a store is given (set it on the store)');
  const store = config.store as Partial<RateStore> | null;
  if (typeof store !== 'object' || store === null || typeof store.take !== 'function') {
    check.fail('store', config.store, 'a rate store (an object with take())');
  }
  return config.store as RateStore;
}

/** A finite number > 0; `fallback` when left out, required when there is none. */
export function positive(check: Check, field: string, value: unknown, fallback?: number): number {
  if (value === undefined) return fallback ?? check.fail(field, value, 'a finite number > 0 (required)');
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) check.fail(field, value, 'a finite number > 0');
  return value as number;
}
