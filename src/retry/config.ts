/** @internal Validation of `retryBackoff()`'s config. */
import type { SchedulerLike } from 'rxjs';
import { DEFAULT_MAX } from '../backoff/jitter.js';
import { exponential } from '../backoff/exponential.js';
import { LATENCY_KEYS, parseLatency, type LatencyWindow } from '../internal/histogram.js';
import { configuredName } from '../internal/names.js';
import { checker } from '../internal/validate.js';
import type { RetryBudget } from './retryBudget.js';

export interface ParsedRetryBackoffConfig {
  readonly name: string;
  readonly maxAttempts: number;
  readonly maxElapsed: number | undefined;
  readonly maxDelay: number;
  readonly backoff: (attempt: number, previousDelay?: number) => number;
  readonly shouldRetry: ((error: unknown, attempt: number) => boolean) | undefined;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
  readonly resetOnSuccess: boolean;
  readonly budget: RetryBudget | undefined;
  readonly scheduler: SchedulerLike | undefined;
  /** With `latency: true`: the window of call durations. */
  readonly makeLatency: (() => LatencyWindow) | undefined;
}

const KEYS = ['name', 'maxAttempts', 'maxElapsed', 'maxDelay', 'backoff', 'shouldRetry', 'isFailure', 'isFailureResult', 'resetOnSuccess', 'budget', 'scheduler', ...LATENCY_KEYS];

/** Checks `retryBackoff()`'s config, with its defaults (3 attempts, full-jitter exponential backoff). */
export function parseRetryBackoffConfig(config: unknown): ParsedRetryBackoffConfig {
  const c = checker('retry').object('', config, KEYS, true);
  const name = configuredName('retry', c);
  const check = checker(name);
  const maxAttempts = c.maxAttempts === Number.POSITIVE_INFINITY ? Number.POSITIVE_INFINITY : check.integer('maxAttempts', c.maxAttempts, 3);
  const backoff = check.fn<(attempt: number, previousDelay?: number) => number>('backoff', c.backoff) ?? exponential({ initial: 100, factor: 2, max: DEFAULT_MAX, jitter: 'full' });
  const cap = (backoff as { max?: unknown }).max;
  const maxDelay = check.duration('maxDelay', c.maxDelay, typeof cap === 'number' && cap >= 0 && Number.isFinite(cap) ? cap : DEFAULT_MAX, true);
  const maxElapsed = c.maxElapsed === undefined ? undefined : check.duration('maxElapsed', c.maxElapsed, 0);
  if (c.resetOnSuccess !== undefined && typeof c.resetOnSuccess !== 'boolean') check.fail('resetOnSuccess', c.resetOnSuccess, 'a boolean');
  const budget = c.budget as Partial<RetryBudget> | undefined;
  if (budget !== undefined && (typeof budget !== 'object' || budget === null || typeof budget.deposit !== 'function' || typeof budget.tryWithdraw !== 'function')) {
    check.fail('budget', budget, 'a retryBudget()');
  }
  return {
    name,
    maxAttempts,
    maxElapsed,
    maxDelay,
    backoff,
    shouldRetry: check.fn('shouldRetry', c.shouldRetry),
    isFailure: check.fn('isFailure', c.isFailure),
    isFailureResult: check.fn('isFailureResult', c.isFailureResult),
    resetOnSuccess: check.flag('resetOnSuccess', c.resetOnSuccess, false),
    budget: c.budget as RetryBudget | undefined,
    scheduler: check.scheduler('scheduler', c.scheduler),
    makeLatency: parseLatency(check, c),
  };
}
