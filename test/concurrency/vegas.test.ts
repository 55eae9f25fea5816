import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { log10Root } from '../../src/concurrency/types.js';
import { vegas, vegasDefaults, vegasStep, type VegasOptions, type VegasState } from '../../src/concurrency/vegas.js';

const options: VegasOptions = { initialLimit: 20, minLimit: 1, maxLimit: 1000, ...vegasDefaults, smoothing: 1, probeMultiplier: 30, random: () => 0.5 };
const sample = (s: Partial<{ rtt: number; inflight: number; dropped: boolean }>) => ({ rtt: 100, inflight: 20, dropped: false, at: 0, ...s });
const base = (estimate: number, rttNoLoad = 100): VegasState => ({ estimate, rttNoLoad, probeCount: 0, probeJitter: 0.75 });

describe('vegas', () => {
  it('log10Root is max(1, floor(log10 n)) below 1000, floor(sqrt n) above', () => {
    expect([0, 1, 9, 10, 99, 100, 999, 1000, 1600].map(log10Root)).toEqual([1, 1, 1, 1, 1, 2, 2, 31, 40]);
  });

  it('takes the least round trip as rttNoLoad without moving the limit', () => {
    const first = vegasStep(options, vegas(options).initial, sample({ rtt: 120 }));
    expect(first).toMatchObject({ estimate: 20, rttNoLoad: 120 });
    expect(vegasStep(options, first, sample({ rtt: 90 }))).toMatchObject({ estimate: 20, rttNoLoad: 90 });
  });

  // estimate 20, rttNoLoad 100: queue = ceil(20 · (1 − 100 / rtt)); threshold 1, alpha 3, beta 6.
  it.each([
    ['no queue: grows by beta', 100, 26],
    ['queue 1 (= threshold): grows by beta', 105, 26],
    ['queue 2 (< alpha): grows by log10', 110, 21],
    ['queue 3 to 6 (alpha..beta): holds', 125, 20],
    ['queue 7 (> beta): shrinks by log10', 150, 19],
  ])('%s', (_, rtt, expected) => {
    expect(vegasStep(options, base(20), sample({ rtt })).estimate).toBe(expected);
  });

  it('shrinks on a drop, and holds while application-limited', () => {
    expect(vegasStep(options, base(20), sample({ dropped: true })).estimate).toBe(19);
    expect(vegasStep(options, base(200), sample({ dropped: true, inflight: 1 })).estimate).toBe(198);
    expect(vegasStep(options, base(20), sample({ inflight: 9 })).estimate).toBe(20);
  });

  it('smooths the step', () => {
    expect(vegasStep({ ...options, smoothing: 0.5 }, base(20), sample({})).estimate).toBe(23);
  });

  it('probes a new rttNoLoad every jitter · probeMultiplier · limit samples', () => {
    const o = { ...options, probeMultiplier: 2, random: () => 0 }; // jitter 0.5: every 0.5 · 2 · 20 = 20 samples
    let state: VegasState = { ...base(20), probeJitter: 0.5 };
    for (let i = 0; i < 19; i++) state = vegasStep(o, state, sample({ rtt: 125 }));
    expect(state.rttNoLoad).toBe(100);
    state = vegasStep(o, state, sample({ rtt: 125 }));
    expect(state).toMatchObject({ rttNoLoad: 125, probeCount: 0, estimate: 20 });
  });

  it('skips samples with no measurable round trip', () => {
    const state = base(20);
    expect(vegasStep(options, state, sample({ rtt: 0 }))).toBe(state);
  });

  test.prop([fc.array(fc.record({ rtt: fc.integer({ min: 0, max: 1000 }), inflight: fc.integer({ min: 0, max: 300 }), dropped: fc.boolean(), at: fc.constant(0) })), fc.double({ min: 0, max: 0.999, noNaN: true })])(
    'every limit is an integer within bounds',
    (samples, r) => {
      const algorithm = vegas({ ...options, minLimit: 3, maxLimit: 100, random: () => r });
      let state = algorithm.initial;
      for (const s of samples) {
        state = algorithm.next(state, s);
        const limit = algorithm.limit(state);
        expect(Number.isInteger(limit) && limit >= 3 && limit <= 100).toBe(true);
      }
    },
  );
});
