/**
 * findResilienceError walks `cause` chains; isResilienceError(e, code) narrows to the code's class.
 * The expectTypeOf assertions are checked by tsc (npm test type-checks test/).
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  BulkheadFullError, CircuitOpenError, ConfigError, findResilienceError, isResilienceError, RateLimitedError, ResilienceError,
  RetriesExhaustedError, TimeLimitError, type ResilienceErrorByCode,
} from 'rx-resilience';

const open = new CircuitOpenError('payments', 'open', 30_000);

describe('findResilienceError', () => {
  it('returns the error itself when it has the code', () => {
    expect(findResilienceError(open, 'CIRCUIT_OPEN')).toBe(open);
  });

  it('finds the CIRCUIT_OPEN inside a RETRIES_EXHAUSTED (a retry outside the breaker gave up on max-delay)', () => {
    const exhausted = new RetriesExhaustedError('retry', 3, open, 'max-delay');
    expect(isResilienceError(exhausted, 'CIRCUIT_OPEN')).toBe(false);
    const found = findResilienceError(exhausted, 'CIRCUIT_OPEN');
    expect(found).toBe(open);
    expect(found?.retryAfter).toBe(30_000);
    expect(found?.state).toBe('open');
  });

  it('walks through errors of any kind that keep a cause', () => {
    const wrapped = new Error('checkout failed', { cause: new Error('quote failed', { cause: new RetriesExhaustedError('r', 2, open, 'max-attempts') }) });
    expect(findResilienceError(wrapped, 'CIRCUIT_OPEN')).toBe(open);
    expect(findResilienceError(wrapped, 'RETRIES_EXHAUSTED')?.attempts).toBe(2);
  });

  it('returns the first match, outermost first', () => {
    const inner = new TimeLimitError('t', 'duration', 10);
    const outer = new TimeLimitError('t', 'first', 5);
    expect(findResilienceError(new RetriesExhaustedError('r', 1, Object.assign(outer, {}), 'x'), 'TIME_LIMIT')).toBe(outer);
    expect(findResilienceError(new Error('a', { cause: inner }), 'TIME_LIMIT')).toBe(inner);
  });

  it('returns undefined when nothing on the chain has the code, and for what is not an error', () => {
    expect(findResilienceError(new RetriesExhaustedError('r', 3, new Error('503'), 'max-attempts'), 'CIRCUIT_OPEN')).toBeUndefined();
    for (const value of [undefined, null, 'CIRCUIT_OPEN', 42, { code: 'CIRCUIT_OPEN' }, { cause: { code: 'CIRCUIT_OPEN' } }]) {
      expect(findResilienceError(value, 'CIRCUIT_OPEN')).toBeUndefined();
    }
  });

  it('stops at a cycle', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(findResilienceError(a, 'CIRCUIT_OPEN')).toBeUndefined();
  });

  it('follows at most 32 links', () => {
    const chain = (depth: number) => {
      let error: unknown = open;
      for (let i = 0; i < depth; i++) error = new Error(`level ${i}`, { cause: error });
      return error;
    };
    expect(findResilienceError(chain(32), 'CIRCUIT_OPEN')).toBe(open);
    expect(findResilienceError(chain(33), 'CIRCUIT_OPEN')).toBeUndefined();
  });

  it('survives a cause getter that throws', () => {
    const hostile = Object.defineProperty(new Error('x'), 'cause', {
      get() {
        throw new Error('no');
      },
    });
    expect(findResilienceError(hostile, 'CIRCUIT_OPEN')).toBeUndefined();
  });

  it('finds errors of another copy of the library (by brand and code)', () => {
    const other = Object.setPrototypeOf({ code: 'BULKHEAD_FULL', policy: 'p', [Symbol.for('rx-resilience/error')]: true }, Error.prototype) as unknown;
    expect(findResilienceError(new Error('x', { cause: other }), 'BULKHEAD_FULL')).toBe(other);
  });
});

describe('isResilienceError narrows to the class of the code', () => {
  it('gives the fields of CircuitOpenError after the guard', () => {
    const e: unknown = open;
    if (isResilienceError(e, 'CIRCUIT_OPEN')) {
      expectTypeOf(e).toEqualTypeOf<CircuitOpenError>();
      expect(e.state).toBe('open');
    } else {
      expect.unreachable();
    }
  });

  it('narrows each code to its class, and to ResilienceError without a code', () => {
    const e: unknown = new BulkheadFullError('pool', 8, 0);
    if (isResilienceError(e)) expectTypeOf(e).toEqualTypeOf<ResilienceError>();
    if (isResilienceError(e, 'BULKHEAD_FULL')) expectTypeOf(e.maxConcurrent).toBeNumber();
    if (isResilienceError(e, 'RATE_LIMITED')) expectTypeOf(e).toEqualTypeOf<RateLimitedError>();
    if (isResilienceError(e, 'CONFIG_INVALID')) expectTypeOf(e.field).toBeString();
    if (isResilienceError(e, 'RETRIES_EXHAUSTED')) expectTypeOf(e.attempts).toBeNumber();
    expectTypeOf<ResilienceErrorByCode['TIME_LIMIT']>().toEqualTypeOf<TimeLimitError>();
    expectTypeOf<ResilienceErrorByCode['CONFIG_INVALID']>().toEqualTypeOf<ConfigError>();
    // @ts-expect-error not a code
    isResilienceError(e, 'NOT_A_CODE');
  });

  it('findResilienceError returns the class of the code, or undefined', () => {
    expectTypeOf(findResilienceError(null, 'CIRCUIT_OPEN')).toEqualTypeOf<CircuitOpenError | undefined>();
    expectTypeOf(findResilienceError(null, 'RETRIES_EXHAUSTED')).toEqualTypeOf<RetriesExhaustedError | undefined>();
    // @ts-expect-error a code is required
    findResilienceError(null);
  });
});
