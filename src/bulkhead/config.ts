/** @internal Validation of the options `bulkhead()` and `adaptiveConcurrency()` share. */
import type { SchedulerLike } from 'rxjs';
import { resolveScheduler } from '../internal/clock.js';
import { type Check, MAX_COUNT } from '../internal/validate.js';

/** Keys every pool accepts. */
export const POOL_KEYS = ['name', 'scheduler', 'maxQueued', 'queueTimeout'] as const;

export interface QueueOptions {
  readonly maxQueued: number;
  readonly queueTimeout: number | undefined;
  readonly scheduler: SchedulerLike;
}

/** `maxQueued`: an integer ≥ 0 or `Infinity` (default 0: reject at once); `queueTimeout`: ms > 0 or none. */
export function parseQueueOptions(check: Check, config: Record<string, unknown>): QueueOptions {
  const q = config.maxQueued;
  const maxQueued = q === undefined ? 0
    : q === Infinity ? q
    : check.integer('maxQueued', q, 0, 0, MAX_COUNT);
  const queueTimeout = config.queueTimeout === undefined ? undefined : check.duration('queueTimeout', config.queueTimeout, 0);
  return { maxQueued, queueTimeout, scheduler: resolveScheduler(check.scheduler('scheduler', config.scheduler)) };
}

/** A priority for `withPriority(n)`: any finite number; higher runs first. */
export function checkPriority(check: Check, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) check.fail('priority', value, 'a finite number');
  return value as number;
}
