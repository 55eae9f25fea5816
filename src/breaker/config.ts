/** @internal Validation of `circuitBreaker()`'s config, with the defaults of docs/decisions.md (decision 17). */
import type { SchedulerLike } from 'rxjs';
import { CountLatencyWindow, LATENCY_KEYS, parseLatency, TimeLatencyWindow, type LatencyWindow } from '../internal/histogram.js';
import { checker, type Check } from '../internal/validate.js';
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
  /** With `latency: true`: the window of call durations (the strategy's shape; rolling for consecutive). */
  readonly makeLatency: (() => LatencyWindow) | undefined;
}

const KEYS = ['name', 'strategy', 'slowCallDuration', 'breakDuration', 'halfOpenMaxCalls', 'successThreshold', 'isFailure', 'isFailureResult', 'scheduler', 'initialState', ...LATENCY_KEYS];
const WINDOW_KEYS = ['kind', 'failureRateThreshold', 'slowCallRateThreshold', 'minimumCalls'];

export function parseBreakerConfig(name: string, input: unknown): ParsedBreakerConfig {
  const check = checker(name);
  const config = check.object('', input, KEYS, true);
  const slowCallDuration = config.slowCallDuration === undefined ? undefined : check.duration('slowCallDuration', config.slowCallDuration, 0);
  const breakDuration = typeof config.breakDuration === 'function'
    ? (config.breakDuration as ParsedBreakerConfig['breakDuration'])
    : check.duration('breakDuration', config.breakDuration, DEFAULT_BREAK_DURATION);
  const strategy = parseStrategy(check, config.strategy, slowCallDuration !== undefined);
  return {
    name,
    makeStrategy: strategy.make,
    timeWindow: (config.strategy as { kind?: unknown } | undefined)?.kind === 'time',
    slowCallDuration,
    breakDuration,
    halfOpenMaxCalls: check.integer('halfOpenMaxCalls', config.halfOpenMaxCalls, 1),
    successThreshold: check.integer('successThreshold', config.successThreshold, 1),
    isFailure: check.fn('isFailure', config.isFailure),
    isFailureResult: check.fn('isFailureResult', config.isFailureResult),
    scheduler: check.scheduler('scheduler', config.scheduler),
    initialState: config.initialState,
    makeLatency: parseLatency(check, config, strategy.latency),
  };
}

/** The strategy, and the latency window of the same shape (none for consecutive: a rolling one). */
interface ParsedStrategy {
  readonly make: () => Strategy;
  readonly latency?: { readonly make: () => LatencyWindow; readonly reason: string };
}

function parseStrategy(check: Check, input: unknown, tracksSlow: boolean): ParsedStrategy {
  if (input === undefined) return { make: () => new ConsecutiveStrategy(5) };
  const kind = check.oneOf('strategy.kind', check.object('strategy', input, ['kind', 'failures', 'size', 'duration', 'buckets', ...WINDOW_KEYS]).kind, ['consecutive', 'count', 'time'], 'consecutive');
  if (kind === 'consecutive') {
    const s = check.object('strategy', input, ['kind', 'failures']);
    const failures = check.integer('strategy.failures', s.failures, 5);
    return { make: () => new ConsecutiveStrategy(failures) };
  }
  if (kind === 'count') {
    const s = check.object('strategy', input, ['kind', 'size', ...WINDOW_KEYS]);
    const size = check.size('strategy.size', s.size, 100);
    const rule = parseRule(check, s, tracksSlow, size);
    return { make: () => new CountWindowStrategy(size, rule), latency: { make: () => new CountLatencyWindow(size), reason: "left out: latency uses the count window (strategy.size)" } };
  }
  const s = check.object('strategy', input, ['kind', 'duration', 'buckets', ...WINDOW_KEYS]);
  const duration = check.duration('strategy.duration', s.duration, 60_000);
  const buckets = check.size('strategy.buckets', s.buckets, 10);
  if (duration % buckets !== 0) check.fail('strategy.duration', duration, `a whole multiple of strategy.buckets (${buckets})`);
  const rule = parseRule(check, s, tracksSlow, Number.MAX_SAFE_INTEGER);
  return {
    make: () => new TimeWindowStrategy(duration, buckets, rule),
    latency: { make: () => new TimeLatencyWindow(duration, buckets), reason: 'left out: latency uses the time window (strategy.duration)' },
  };
}

function parseRule(check: Check, s: Record<string, unknown>, tracksSlow: boolean, cap: number) {
  if (!tracksSlow && s.slowCallRateThreshold !== undefined) {
    check.fail('strategy.slowCallRateThreshold', s.slowCallRateThreshold, 'left out unless slowCallDuration is given');
  }
  return {
    failureRateThreshold: check.threshold('strategy.failureRateThreshold', s.failureRateThreshold, 0.5),
    slowCallRateThreshold: tracksSlow ? check.threshold('strategy.slowCallRateThreshold', s.slowCallRateThreshold, 1) : undefined,
    minimumCalls: Math.min(cap, check.integer('strategy.minimumCalls', s.minimumCalls, 10)),
  };
}
