/** @internal The body shared by `slidingWindow` and `fixedWindow`: `limit` cost per `window` ms. */
import { configuredName } from '../internal/names.js';
import { checker, MAX_COUNT, MAX_SIZE } from '../internal/validate.js';
import { LIMITER_KEYS, parseLimiter } from './config.js';
import { LimiterCore, limiterPolicy } from './core.js';
import type { RateLimiter } from './types.js';

export function windowLimiter(kind: 'sliding-window' | 'fixed-window', config: unknown): RateLimiter {
  const name = configuredName(kind, config);
  const check = checker(name);
  const c = check.object('', config, [...LIMITER_KEYS, 'limit', 'window']);
  if (c.limit === undefined) check.fail('limit', undefined, kind === 'sliding-window' ? `an integer in [1, ${MAX_SIZE}] (required)` : `an integer in [1, ${MAX_COUNT}] (required)`);
  const limit = kind === 'sliding-window' ? check.size('limit', c.limit, 1) : check.integer('limit', c.limit, 1);
  const window = check.duration('window', c.window, 1_000, false, 1);
  const parsed = parseLimiter(check, c, limit, 'limit', true);
  return limiterPolicy(new LimiterCore({ name, ...parsed, params: { kind, limit, window } }), undefined, { kind, limit, window, cost: parsed.cost, mode: parsed.mode });
}
