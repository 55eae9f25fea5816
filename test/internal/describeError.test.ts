import { describe, expect, it } from 'vitest';
import { describeError } from '../../src/internal/describeError.js';

describe('describeError', () => {
  it('names an Error by its name and message, or its name alone', () => {
    expect(describeError(new TypeError('bad'))).toBe('TypeError: bad');
    expect(describeError(new RangeError())).toBe('RangeError');
  });

  it('keeps a string and converts anything else', () => {
    expect(describeError('timeout')).toBe('timeout');
    expect(describeError(42)).toBe('42');
  });

  it('never throws, even for a value whose conversion throws', () => {
    const hostile = { toString: () => { throw new Error('no'); } };
    expect(describeError(hostile)).toBe('unknown error');
  });
});
