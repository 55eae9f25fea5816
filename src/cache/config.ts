/** @internal Validation of `cache()`'s config. */
import type { SchedulerLike } from 'rxjs';
import { configuredName } from '../internal/names.js';
import { checker } from '../internal/validate.js';

export interface ParsedCacheConfig {
  readonly name: string;
  readonly key: string;
  readonly ttl: number;
  readonly staleTtl: number;
  readonly maxEntries: number;
  readonly scheduler: SchedulerLike | undefined;
}

const KEYS = ['name', 'key', 'ttl', 'staleTtl', 'maxEntries', 'scheduler'] as const;

/** Checks `cache()`'s config: `ttl` required, with its defaults (key 'default', no stale age, 1 000 entries). */
export function parseCacheConfig(config: unknown): ParsedCacheConfig {
  const name = configuredName('cache', config);
  const check = checker(name);
  const c = check.object('', config, KEYS);
  if (c.ttl === undefined) check.fail('ttl', undefined, 'a finite number of milliseconds > 0 (required)');
  return {
    name,
    key: c.key === undefined ? 'default' : typeof c.key === 'string' ? c.key : check.fail('key', c.key, 'a string'),
    ttl: check.duration('ttl', c.ttl, 0),
    staleTtl: check.duration('staleTtl', c.staleTtl, 0, true),
    maxEntries: check.size('maxEntries', c.maxEntries, 1000),
    scheduler: check.scheduler('scheduler', c.scheduler),
  };
}
