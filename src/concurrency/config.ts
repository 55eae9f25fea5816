/** @internal Validation of `adaptiveConcurrency()`'s limit options, with Netflix's defaults. */
import { ConfigError } from '../errors.js';
import { describeError } from '../internal/describeError.js';
import { type Check, MAX_COUNT } from '../internal/validate.js';
import { aimd } from './aimd.js';
import { gradient2 } from './gradient2.js';
import type { LimitAlgorithm, LimitBounds } from './types.js';
import { vegas, vegasDefaults } from './vegas.js';
import { windowed } from './window.js';

export const ALGORITHMS = ['aimd', 'gradient2', 'vegas'] as const;
export const LIMIT_KEYS = ['algorithm', 'initialLimit', 'minLimit', 'maxLimit', 'window'] as const;
const KEYS: Record<(typeof ALGORITHMS)[number], readonly string[]> = {
  aimd: ['kind', 'backoffRatio', 'timeout'],
  gradient2: ['kind', 'smoothing', 'queueSize', 'longWindow'],
  vegas: ['kind', 'alpha', 'beta', 'threshold', 'smoothing', 'probeMultiplier', 'random'],
};

type LimitFn = (limit: number) => number;

/** `initialLimit` (default 20), `minLimit` (1), `maxLimit` (200): integers, min ≤ initial ≤ max. */
export function parseBounds(check: Check, config: Record<string, unknown>): LimitBounds {
  const minLimit = check.integer('minLimit', config.minLimit, 1);
  const maxLimit = check.integer('maxLimit', config.maxLimit, Math.max(200, minLimit), minLimit);
  const initialLimit = check.integer('initialLimit', config.initialLimit, Math.min(maxLimit, Math.max(minLimit, 20)), minLimit, maxLimit);
  return { initialLimit, minLimit, maxLimit };
}

/** `algorithm`: a name (its defaults) or `{ kind, ...parameters }`. Default `'vegas'`, as Netflix's limiters. */
export function parseAlgorithm(check: Check, input: unknown, bounds: LimitBounds): LimitAlgorithm<unknown> {
  if (input === undefined || typeof input === 'string') {
    const kind = check.oneOf('algorithm', input, ALGORITHMS, 'vegas');
    return build(check, kind, {}, bounds);
  }
  const o = check.object('algorithm', input, [...new Set(Object.values(KEYS).flat())]);
  if (o.kind === undefined) check.fail('algorithm.kind', undefined, `one of ${ALGORITHMS.map((a) => JSON.stringify(a)).join(', ')}`);
  const kind = check.oneOf('algorithm.kind', o.kind, ALGORITHMS, 'vegas');
  return build(check, kind, check.object('algorithm', input, KEYS[kind]), bounds);
}

/** `window`: `false` (every sample moves the limit) or `{ minTime, maxTime, size }`, default `{ 1000, 1000, 10 }`. */
export function parseWindowed(check: Check, input: unknown, algorithm: LimitAlgorithm<unknown>): LimitAlgorithm<unknown> {
  if (input === false) return algorithm;
  const o = check.object('window', input, ['minTime', 'maxTime', 'size'], true);
  const minTime = check.duration('window.minTime', o.minTime, 1_000);
  const maxTime = check.duration('window.maxTime', o.maxTime, Math.max(1_000, minTime));
  if (maxTime < minTime) check.fail('window.maxTime', maxTime, `a number of milliseconds >= window.minTime (${minTime})`);
  const size = check.integer('window.size', o.size, 10);
  return windowed(algorithm, { minTime, maxTime, size }) as LimitAlgorithm<unknown>;
}

function build(check: Check, kind: (typeof ALGORITHMS)[number], o: Record<string, unknown>, bounds: LimitBounds): LimitAlgorithm<unknown> {
  switch (kind) {
    case 'aimd': {
      const backoffRatio = check.number('algorithm.backoffRatio', o.backoffRatio, 0.9, 0.5, 1);
      if (backoffRatio === 1) check.fail('algorithm.backoffRatio', 1, 'a number in [0.5, 1)');
      return aimd({ ...bounds, backoffRatio, timeout: check.duration('algorithm.timeout', o.timeout, 5_000) }) as LimitAlgorithm<unknown>;
    }
    case 'gradient2':
      return gradient2({
        ...bounds,
        smoothing: check.threshold('algorithm.smoothing', o.smoothing, 0.2),
        queueSize: limitFn(check, 'algorithm.queueSize', o.queueSize, () => 4),
        longWindow: check.integer('algorithm.longWindow', o.longWindow, 600),
      }) as LimitAlgorithm<unknown>;
    case 'vegas': {
      if (typeof o.alpha === 'number' && typeof o.beta === 'number' && o.alpha > o.beta) check.fail('algorithm.beta', o.beta, `a number >= alpha (${o.alpha})`);
      const random = check.fn<() => number>('algorithm.random', o.random) ?? Math.random;
      // The first probe jitter is drawn now: a random source that throws is a config error.
      try {
        return vegas({
          ...bounds,
          alpha: limitFn(check, 'algorithm.alpha', o.alpha, vegasDefaults.alpha),
          beta: limitFn(check, 'algorithm.beta', o.beta, vegasDefaults.beta),
          threshold: limitFn(check, 'algorithm.threshold', o.threshold, vegasDefaults.threshold),
          smoothing: check.threshold('algorithm.smoothing', o.smoothing, 1),
          probeMultiplier: check.integer('algorithm.probeMultiplier', o.probeMultiplier, 30),
          random: safeRandom(random),
        }) as LimitAlgorithm<unknown>;
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        return check.fail('algorithm.random', random, `a function returning a number in [0, 1) (it threw ${describeError(error)})`);
      }
    }
  }
}

/**
 * A number ≥ 0, or a function of the current limit. A function that returns anything but a
 * finite number ≥ 0 gets the default's answer; one that throws fails the call being sampled.
 */
function limitFn(check: Check, field: string, value: unknown, fallback: LimitFn): LimitFn {
  if (value === undefined) return fallback;
  if (typeof value === 'number') {
    const n = check.number(field, value, 0, 0, MAX_COUNT);
    return () => n;
  }
  const fn = check.fn<LimitFn>(field, value);
  if (fn === undefined) return fallback;
  // A throw is not caught here: it fails the call being sampled (see `CallSubscriber`).
  return (limit) => {
    const n = fn(limit);
    return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? n : fallback(limit);
  };
}

function safeRandom(random: () => number): () => number {
  // A throw fails the call being sampled, like any limit callback's.
  return () => {
    const r = random();
    return typeof r === 'number' && r >= 0 && r < 1 ? r : 0.5;
  };
}
