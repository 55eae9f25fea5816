/** @internal Validation of `hedge()`'s config. */
import type { SchedulerLike } from 'rxjs';
import { configuredName } from '../internal/names.js';
import { checker } from '../internal/validate.js';

export interface ParsedHedgeConfig {
  readonly name: string;
  readonly delay: number;
  readonly maxHedges: number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
  readonly scheduler: SchedulerLike | undefined;
}

const KEYS = ['name', 'delay', 'maxHedges', 'isFailure', 'isFailureResult', 'scheduler'] as const;

/** Checks `hedge()`'s config, with its defaults (2 000 ms, one hedge). */
export function parseHedgeConfig(config: unknown): ParsedHedgeConfig {
  const name = configuredName('hedge', config);
  const check = checker(name);
  const c = check.object('', config, KEYS, true);
  return {
    name,
    delay: check.duration('delay', c.delay, 2_000, true),
    maxHedges: check.size('maxHedges', c.maxHedges, 1, 0),
    isFailure: check.fn('isFailure', c.isFailure),
    isFailureResult: check.fn('isFailureResult', c.isFailureResult),
    scheduler: check.scheduler('scheduler', c.scheduler),
  };
}
