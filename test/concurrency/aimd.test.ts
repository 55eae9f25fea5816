import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { aimd, aimdStep, type AimdOptions } from '../../src/concurrency/aimd.js';

const options: AimdOptions = { initialLimit: 10, minLimit: 1, maxLimit: 50, backoffRatio: 0.9, timeout: 500 };
const sample = (s: Partial<{ rtt: number; inflight: number; dropped: boolean }>) => ({ rtt: 100, inflight: 10, dropped: false, at: 0, ...s });

describe('aimd', () => {
  it('grows by one while at least half the limit is in use', () => {
    expect(aimdStep(options, { limit: 10 }, sample({ inflight: 5 }))).toEqual({ limit: 11 });
    expect(aimdStep(options, { limit: 10 }, sample({ inflight: 10 }))).toEqual({ limit: 11 });
  });

  it('leaves an application-limited state alone (the same object)', () => {
    const state = { limit: 10 };
    expect(aimdStep(options, state, sample({ inflight: 4 }))).toBe(state);
  });

  it('backs off multiplicatively on a drop or a round trip over the timeout, by at least one', () => {
    expect(aimdStep(options, { limit: 40 }, sample({ dropped: true }))).toEqual({ limit: 36 });
    expect(aimdStep(options, { limit: 40 }, sample({ rtt: 501 }))).toEqual({ limit: 36 });
    expect(aimdStep(options, { limit: 40 }, sample({ rtt: 500, inflight: 20 }))).toEqual({ limit: 41 });
    expect(aimdStep(options, { limit: 5 }, sample({ dropped: true }))).toEqual({ limit: 4 });
    expect(aimdStep({ ...options, backoffRatio: 0.99 }, { limit: 5 }, sample({ dropped: true }))).toEqual({ limit: 4 });
  });

  it('stays within [minLimit, maxLimit]', () => {
    expect(aimdStep({ ...options, minLimit: 3 }, { limit: 3 }, sample({ dropped: true }))).toEqual({ limit: 3 });
    expect(aimdStep(options, { limit: 50 }, sample({ inflight: 50 }))).toEqual({ limit: 50 });
    expect(aimd({ ...options, initialLimit: 80 }).initial).toEqual({ limit: 50 });
  });

  test.prop([fc.array(fc.record({ rtt: fc.integer({ min: 0, max: 1000 }), inflight: fc.integer({ min: 0, max: 60 }), dropped: fc.boolean(), at: fc.constant(0) }))])(
    'every limit is an integer within bounds',
    (samples) => {
      const algorithm = aimd(options);
      let state = algorithm.initial;
      for (const s of samples) {
        state = algorithm.next(state, s);
        const limit = algorithm.limit(state);
        expect(Number.isInteger(limit) && limit >= 1 && limit <= 50).toBe(true);
      }
    },
  );
});
