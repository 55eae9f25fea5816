/**
 * Sample windows, as Netflix's `WindowedLimit`: instead of moving the limit on every finished
 * call, collect calls for a while and hand the algorithm one aggregate sample per window — the
 * average round trip, the most calls in flight, and whether any call failed. One update per
 * round trip or so keeps a burst of late, slow samples (calls started under an older, higher
 * limit) from moving the limit again and again for one episode of congestion.
 *
 * A window closes at the first sample that ends after `closesAt`; the next one then lasts
 * `clamp(2 · least round trip of the closed window, minTime, maxTime)`. A window with fewer than
 * `size` samples is discarded. Samples with no measurable round trip are skipped.
 */
import type { LimitAlgorithm, LimitSample } from './types.js';

export interface WindowOptions {
  /** Shortest window in ms (Netflix's default 1 000). */
  readonly minTime: number;
  /** Longest window in ms (Netflix's default 1 000). */
  readonly maxTime: number;
  /** Fewest samples for a window to count (Netflix's default 10). */
  readonly size: number;
}

export interface SampleWindow {
  readonly minRtt: number;
  readonly sum: number;
  readonly count: number;
  readonly maxInflight: number;
  readonly dropped: boolean;
  readonly closesAt: number;
}

export interface WindowedState<S> {
  readonly window: SampleWindow;
  readonly inner: S;
}

const EMPTY = { minRtt: Infinity, sum: 0, count: 0, maxInflight: 0, dropped: false };

/** Wraps an algorithm so that it sees one aggregate sample per window. */
export function windowed<S>(inner: LimitAlgorithm<S>, options: WindowOptions): LimitAlgorithm<WindowedState<S>> {
  return {
    initial: { window: { ...EMPTY, closesAt: -Infinity }, inner: inner.initial },
    next: (state, sample) => {
      const [window, aggregate] = windowStep(options, state.window, sample);
      if (aggregate === undefined) return window === state.window ? state : { window, inner: state.inner };
      return { window, inner: inner.next(state.inner, aggregate) };
    },
    limit: (state) => inner.limit(state.inner),
  };
}

/** Adds a sample; when it closes the window, also returns the window's aggregate (if it had enough samples). */
export function windowStep(options: WindowOptions, window: SampleWindow, sample: LimitSample): [SampleWindow, LimitSample | undefined] {
  if (!(sample.rtt > 0)) return [window, undefined];
  const w = {
    minRtt: Math.min(window.minRtt, sample.rtt),
    sum: window.sum + sample.rtt,
    count: window.count + 1,
    maxInflight: Math.max(window.maxInflight, sample.inflight),
    dropped: window.dropped || sample.dropped,
    closesAt: window.closesAt,
  };
  if (sample.at <= window.closesAt) return [w, undefined];
  const next = { ...EMPTY, closesAt: sample.at + Math.min(Math.max(w.minRtt * 2, options.minTime), options.maxTime) };
  if (w.count < options.size) return [next, undefined];
  return [next, { rtt: w.sum / w.count, inflight: w.maxInflight, dropped: w.dropped, at: sample.at }];
}
