/** @internal Validation of `timeLimit()`'s config. */
import type { SchedulerLike } from 'rxjs';
import { LATENCY_KEYS, parseLatency, type LatencyWindow } from '../internal/histogram.js';
import { configuredName } from '../internal/names.js';
import { checker } from '../internal/validate.js';

export interface ParsedTimeLimitConfig {
  readonly name: string;
  readonly duration: number | undefined;
  readonly first: number | undefined;
  readonly each: number | undefined;
  readonly scheduler: SchedulerLike | undefined;
  /** With `latency: true`: the window of call durations. */
  readonly makeLatency: (() => LatencyWindow) | undefined;
}

const KEYS = ['name', 'duration', 'first', 'each', 'scheduler', ...LATENCY_KEYS];

/** Checks `timeLimit()`'s config: at least one of `duration`, `first`, `each` (ms >= 0). */
export function parseTimeLimitConfig(config: unknown): ParsedTimeLimitConfig {
  const c = checker('time-limit').object('', config, KEYS);
  const name = configuredName('time-limit', c);
  const check = checker(name);
  const limit = (field: 'duration' | 'first' | 'each') => (c[field] === undefined ? undefined : check.duration(field, c[field], 0, true));
  const duration = limit('duration');
  const first = limit('first');
  const each = limit('each');
  if (duration === undefined && first === undefined && each === undefined) check.fail('duration', undefined, 'given, or first or each');
  return { name, duration, first, each, makeLatency: parseLatency(check, c), scheduler: check.scheduler('scheduler', c.scheduler) };
}
