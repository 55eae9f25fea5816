/** @internal Validation of `circuitBreaker()`'s config, with the defaults of docs/decisions.md (decision 17). */
import type { SchedulerLike } from 'rxjs';
import { checker } from '../internal/validate.js';
import { ConsecutiveStrategy } from './consecutive.js';
import { CountWindowStrategy } from './countWindow.js';
import type { Strategy } from './strategy.js';
import { TimeWindowStrategy } from './timeWindow.js';

export const DEFAULT_BREAK_DURATION = 60_000;

export interface ParsedBreakerConfig {
  readonly name: string;
  readonly makeStrategy: () => Strategy;
  /** The strategy reads the clock on every call. */
  readonly timeWindow: boolean;
  readonly slowCallDuration: number | undefined;
  readonly breakDuration: number | ((opens: number, previous: number | undefined) => number);
  readonly halfOpenMaxCalls: number;
  readonly successThreshold: number;
  readonly isFailure: ((error: unknown) => boolean) | undefined;
  readonly isFailureResult: ((value: unknown) => boolean) | undefined;
  readonly scheduler: SchedulerLike | undefined;
  readonly initialState: unknown;
}

const KEYS = ['name', 'strategy', 'slowCallDuration', 'breakDuration', 'halfOpenMaxCalls', 'successThreshold', 'isFailure', 'isFailureResult', 'scheduler', 'initialState'];
const WINDOW_KEYS = ['kind', 'failureRateThreshold', 'slowCallRateThreshold', 'minimumCalls'];

export function parseBreakerConfig(name: string, input: unknown): ParsedBreakerConfig {
  const check = checker(name);
  const config = check.object('', input, KEYS, true);
  const slowCallDuration = config.slowCallDuration === undefined ? undefined : check.duration('slowCallDuration', config.slowCallDuration, 0);
  const breakDuration = typeof config.breakDuration === 'function'
    ? (config.breakDuration as ParsedBreakerConfig['breakDuration'])
    : check.duration('breakDuration', config.breakDuration, DEFAULT_BREAK_DURATION);
  return {
    name,
    makeStrategy: parseStrategy(check, config.strategy, slowCallDuration !== undefined),
    timeWindow: (config.strategy as { kind?: unknown } | undefined)?.kind === 'time',
    slowCallDuration,
    breakDuration,
    halfOpenMaxCalls: check.integer('halfOpenMaxCalls', config.halfOpenMaxCalls, 1),
    successThreshold: check.integer('successThreshold', config.successThreshold, 1),
    isFailure: check.fn('isFailure', config.isFailure),
    isFailureResult: check.fn('isFailureResult', config.isFailureResult),
    scheduler: check.scheduler('scheduler', config.scheduler),
    initialState: config.initialState,
  };
}

function parseStrategy(check: ReturnType<typeof checker>, input: unknown, tracksSlow: boolean): () => Strategy {
  if (input === undefined) return () => new ConsecutiveStrategy(5);
  const kind = check.oneOf('strategy.kind', check.object('strategy', input, ['kind', 'failures', 'size', 'duration', 'buckets', ...WINDOW_KEYS]).kind, ['consecutive', 'count', 'time'], 'consecutive');
  if (kind === 'consecutive') {
    const s = check.object('strategy', input, ['kind', 'failures']);
    const failures = check.integer('strategy.failures', s.failures, 5);
    return () => new ConsecutiveStrategy(failures);
  }
  if (kind === 'count') {
    const s = check.object('strategy', input, ['kind', 'size', ...WINDOW_KEYS]);
    const size = check.integer('strategy.size', s.size, 100);
    const rule = parseRule(check, s, tracksSlow, size);
    return () => new CountWindowStrategy(size, rule);
  }
  const s = check.object('strategy', input, ['kind', 'duration', 'buckets', ...WINDOW_KEYS]);
  const duration = check.duration('strategy.duration', s.duration, 60_000);
  const buckets = check.integer('strategy.buckets', s.buckets, 10);
  if (duration % buckets !== 0) check.fail('strategy.duration', duration, `a whole multiple of strategy.buckets (${buckets})`);
  const rule = parseRule(check, s, tracksSlow, Number.MAX_SAFE_INTEGER);
  return () => new TimeWindowStrategy(duration, buckets, rule);
}

function parseRule(check: ReturnType<typeof checker>, s: Record<string, unknown>, tracksSlow: boolean, cap: number) {
  if (!tracksSlow && s.slowCallRateThreshold !== undefined) {
    check.fail('strategy.slowCallRateThreshold', s.slowCallRateThreshold, 'left out unless slowCallDuration is given');
  }
  return {
    failureRateThreshold: check.threshold('strategy.failureRateThreshold', s.failureRateThreshold, 0.5),
    slowCallRateThreshold: tracksSlow ? check.threshold('strategy.slowCallRateThreshold', s.slowCallRateThreshold, 1) : undefined,
    minimumCalls: Math.min(cap, check.integer('strategy.minimumCalls', s.minimumCalls, 10)),
  };
}
