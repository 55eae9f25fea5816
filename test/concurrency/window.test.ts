import { describe, expect, it } from 'vitest';
import type { LimitAlgorithm, LimitSample } from '../../src/concurrency/types.js';
import { windowed, windowStep, type SampleWindow } from '../../src/concurrency/window.js';

const options = { minTime: 1000, maxTime: 3000, size: 3 };
const at = (t: number, rtt = 100, inflight = 5, dropped = false): LimitSample => ({ rtt, inflight, dropped, at: t });
const empty: SampleWindow = { minRtt: Infinity, sum: 0, count: 0, maxInflight: 0, dropped: false, closesAt: -Infinity };

/** An algorithm that records what it is given. */
const recorder = (): LimitAlgorithm<LimitSample[]> => ({ initial: [], next: (s, sample) => [...s, sample], limit: (s) => s.length });

describe('sample windows', () => {
  it('closes the first window at once (too small to count) and times the next from its least round trip', () => {
    const [w, aggregate] = windowStep(options, empty, at(5, 800));
    expect(aggregate).toBeUndefined();
    expect(w).toMatchObject({ count: 0, closesAt: 5 + 1600 });
    expect(windowStep(options, empty, at(5, 100))[0].closesAt).toBe(5 + 1000); // at least minTime
    expect(windowStep(options, empty, at(5, 4000))[0].closesAt).toBe(5 + 3000); // at most maxTime
  });

  it('hands over the average round trip, the most in flight and any drop, once per window', () => {
    const algorithm = windowed(recorder(), options);
    let state = algorithm.initial;
    for (const s of [at(0), at(100, 100, 2), at(200, 300, 9, true), at(900, 200, 4), at(1001, 400, 1)]) state = algorithm.next(state, s);
    expect(state.inner).toEqual([{ rtt: 250, inflight: 9, dropped: true, at: 1001 }]);
    expect(state.window).toMatchObject({ count: 0, closesAt: 1001 + 1000 });
  });

  it('discards a window with fewer than size samples', () => {
    const algorithm = windowed(recorder(), options);
    let state = algorithm.initial;
    for (const s of [at(0), at(500), at(1500), at(2600)]) state = algorithm.next(state, s);
    expect(state.inner).toEqual([]);
  });

  it('skips samples with no measurable round trip', () => {
    const algorithm = windowed(recorder(), options);
    const state = algorithm.next(algorithm.initial, at(0));
    expect(algorithm.next(state, at(5000, 0))).toBe(state);
  });
});
