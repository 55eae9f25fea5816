import { throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, type CircuitBreakerConfig } from 'rx-resilience';
import { expectConfigError } from '../helpers/configError.js';

const bad: [field: string, config: unknown, allowed: RegExp][] = [
  ['config', 42, /an object/],
  ['config', [], /an object/],
  ['nmae', { nmae: 'typo' }, /one of the known options/],
  ['name', { name: '' }, /non-empty string/],
  ['name', { name: 7 }, /non-empty string/],
  ['strategy', { strategy: 'count' }, /an object/],
  ['strategy.kind', { strategy: { kind: 'sliding' } }, /one of "consecutive", "count", "time"/],
  ['strategy.size', { strategy: { kind: 'consecutive', size: 3 } }, /known options/],
  ['strategy.failures', { strategy: { kind: 'consecutive', failures: 0 } }, /integer >= 1/],
  ['strategy.failures', { strategy: { kind: 'consecutive', failures: 1.5 } }, /integer >= 1/],
  ['strategy.failures', { strategy: { kind: 'consecutive', failures: Number.NaN } }, /integer >= 1/],
  ['strategy.size', { strategy: { kind: 'count', size: 0 } }, /integer >= 1/],
  ['strategy.failureRateThreshold', { strategy: { kind: 'count', failureRateThreshold: 0 } }, /\(0, 1\]/],
  ['strategy.failureRateThreshold', { strategy: { kind: 'count', failureRateThreshold: 1.01 } }, /\(0, 1\]/],
  ['strategy.failureRateThreshold', { strategy: { kind: 'time', failureRateThreshold: Number.NaN } }, /\(0, 1\]/],
  ['strategy.minimumCalls', { strategy: { kind: 'count', minimumCalls: -1 } }, /integer >= 1/],
  ['strategy.slowCallRateThreshold', { strategy: { kind: 'count', slowCallRateThreshold: 0.5 } }, /unless slowCallDuration/],
  ['strategy.slowCallRateThreshold', { slowCallDuration: 10, strategy: { kind: 'count', slowCallRateThreshold: 2 } }, /\(0, 1\]/],
  ['strategy.duration', { strategy: { kind: 'time', duration: 0 } }, /> 0/],
  ['strategy.duration', { strategy: { kind: 'time', duration: Number.POSITIVE_INFINITY } }, /finite/],
  ['strategy.buckets', { strategy: { kind: 'time', buckets: 0 } }, /integer >= 1/],
  ['strategy.duration', { strategy: { kind: 'time', duration: 1000, buckets: 3 } }, /whole multiple of strategy.buckets/],
  ['strategy.size', { strategy: { kind: 'time', size: 10 } }, /known options/],
  ['slowCallDuration', { slowCallDuration: -5 }, /> 0/],
  ['breakDuration', { breakDuration: 0 }, /> 0/],
  ['breakDuration', { breakDuration: '10s' }, /milliseconds/],
  ['halfOpenMaxCalls', { halfOpenMaxCalls: 0 }, /integer >= 1/],
  ['successThreshold', { successThreshold: 2.5 }, /integer >= 1/],
  ['isFailure', { isFailure: true }, /a function/],
  ['isFailureResult', { isFailureResult: 'no' }, /a function/],
  ['scheduler', { scheduler: {} }, /SchedulerLike/],
  ['initialState', { initialState: 'open' }, /an object/],
  ['initialState.state', { initialState: { version: 1, state: 'ajar', window: [] } }, /one of/],
  ['initialState.window', { initialState: { version: 1, state: 'closed', window: [1] } }, /same strategy/],
  ['initialState.until', { initialState: { version: 1, state: 'open', openedAt: 10, until: 5, opens: 1, window: [0, 0, 0, 0] } }, /openedAt/],
  ['initialState.opens', { initialState: { version: 1, state: 'half-open', opens: 0, window: [0, 0, 0, 0] } }, /integer >= 1/],
];

describe('circuitBreaker config validation', () => {
  it.each(bad)('refuses a bad %s', (field, config, allowed) => {
    const error = expectConfigError(() => circuitBreaker(config as CircuitBreakerConfig), field);
    expect(error.allowed).toMatch(allowed);
    expect(error.message).toContain(field);
  });

  it('names the value it refused', () => {
    expect(() => circuitBreaker({ name: 'db', halfOpenMaxCalls: -2 })).toThrowError('db: halfOpenMaxCalls must be an integer >= 1 and <= 2147483647, got -2');
  });

  it('accepts every documented shape and applies the defaults', () => {
    const b = circuitBreaker({ name: 'defaults' });
    expect(b.stats()).toMatchObject({ name: 'defaults', state: 'closed', calls: 0, failureRate: 0, nextAttemptAt: null });
    for (const strategy of [
      { kind: 'consecutive', failures: 3 },
      { kind: 'count', size: 20, failureRateThreshold: 0.5, minimumCalls: 10 },
      { kind: 'time', duration: 60_000, buckets: 10, failureRateThreshold: 0.25, minimumCalls: 5 },
    ] as const) {
      expect(() => circuitBreaker({ strategy, slowCallDuration: 2000, breakDuration: (n) => n * 1000, halfOpenMaxCalls: 2, successThreshold: 3 })).not.toThrow();
    }
  });

  it('generates stable names per kind', () => {
    const a = circuitBreaker();
    const b = circuitBreaker();
    expect(a.name).toMatch(/^circuit-breaker-\d+$/);
    expect(Number(b.name.split('-').pop())).toBe(Number(a.name.split('-').pop()) + 1);
  });

  it('treats a break-duration backoff result that is not a finite number >= 0 as the default', () => {
    for (const result of [Number.NaN, -1, Number.POSITIVE_INFINITY, 'soon']) {
      const scheduler = new VirtualTimeScheduler();
      const b = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: () => result as number, scheduler });
      throwError(() => 1).pipe(b).subscribe({ error: () => undefined });
      expect(b.stats().nextAttemptAt).toBe(60_000);
      b.reset();
    }
  });
});
