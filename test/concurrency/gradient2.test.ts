import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { gradient2, gradient2Step, type Gradient2Options, type Gradient2State } from '../../src/concurrency/gradient2.js';

const options: Gradient2Options = { initialLimit: 20, minLimit: 1, maxLimit: 200, smoothing: 0.2, queueSize: () => 4, longWindow: 600 };
const sample = (s: Partial<{ rtt: number; inflight: number; dropped: boolean }>) => ({ rtt: 100, inflight: 20, dropped: false, at: 0, ...s });
const warm = (estimate: number, longRtt: number): Gradient2State => ({ estimate, longRtt, shortRtt: longRtt, warmup: 10 });

describe('gradient2', () => {
  it('averages the first ten round trips plainly, then exponentially over longWindow', () => {
    let state = gradient2(options).initial;
    for (const rtt of [100, 200, 300]) state = gradient2Step(options, state, sample({ rtt, inflight: 1 }));
    expect(state.longRtt).toBe(200);
    const after = gradient2Step(options, warm(20, 100), sample({ rtt: 160, inflight: 1 }));
    expect(after.longRtt).toBeCloseTo(100 + (160 - 100) * (2 / 601));
  });

  it('grows by smoothing · queueSize while latency is flat and the limit is used', () => {
    expect(gradient2Step(options, warm(20, 100), sample({})).estimate).toBeCloseTo(20.8);
  });

  it('shrinks with the gradient when latency rises, never by more than half per step', () => {
    // gradient ≈ 100/200 = 0.5: target 0.5 · 20 + 4 = 14; 0.8 · 20 + 0.2 · 14 = 18.8
    expect(gradient2Step(options, warm(20, 100), sample({ rtt: 200 })).estimate).toBeCloseTo(18.8, 1);
    const clamped = gradient2Step(options, warm(20, 100), sample({ rtt: 1000 }));
    expect(clamped.estimate).toBeCloseTo(0.8 * 20 + 0.2 * (0.5 * 20 + 4), 1);
  });

  it('does not grow while application-limited, but keeps measuring', () => {
    const next = gradient2Step(options, warm(20, 100), sample({ inflight: 9, rtt: 140 }));
    expect(next.estimate).toBe(20);
    expect(next.shortRtt).toBe(140);
    expect(next.longRtt).toBeGreaterThan(100);
  });

  it('decays a long average more than twice the latest round trip by 10%', () => {
    const next = gradient2Step(options, warm(20, 500), sample({ rtt: 100, inflight: 1 }));
    expect(next.longRtt).toBeCloseTo((500 + (100 - 500) * (2 / 601)) * 0.9);
  });

  it('skips samples with no measurable round trip', () => {
    const state = warm(20, 100);
    expect(gradient2Step(options, state, sample({ rtt: 0 }))).toBe(state);
  });

  it('settles at K + queueSize against a dependency with a knee at K', () => {
    const knee = 30;
    let state = warm(10, 100);
    for (let i = 0; i < 300; i++) {
      const limit = Math.floor(state.estimate);
      state = gradient2Step({ ...options, longWindow: 1e9 }, state, sample({ rtt: 100 * Math.max(1, limit / knee), inflight: limit }));
    }
    expect(Math.floor(state.estimate)).toBeGreaterThanOrEqual(knee + 2);
    expect(Math.floor(state.estimate)).toBeLessThanOrEqual(knee + 4);
  });

  test.prop([fc.array(fc.record({ rtt: fc.integer({ min: 0, max: 1000 }), inflight: fc.integer({ min: 0, max: 300 }), dropped: fc.boolean(), at: fc.constant(0) }))])(
    'every limit is an integer within bounds',
    (samples) => {
      const algorithm = gradient2({ ...options, minLimit: 5, maxLimit: 100 });
      let state = algorithm.initial;
      for (const s of samples) {
        state = algorithm.next(state, s);
        const limit = algorithm.limit(state);
        expect(Number.isInteger(limit) && limit >= 5 && limit <= 100).toBe(true);
      }
    },
  );
});
