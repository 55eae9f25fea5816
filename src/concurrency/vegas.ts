/**
 * Vegas, delay based, as Netflix's `VegasLimit` (after TCP Vegas). With `rttNoLoad` the least
 * round trip seen, the queue a limit builds is
 *
 *   queue = ⌈limit · (1 − rttNoLoad / rtt)⌉
 *
 * and, for L = ⌊limit⌋ and log = log10Root(L): a drop lowers the limit by log; otherwise, while at
 * least half the limit is in use, queue ≤ threshold(L) grows it by beta(L), queue < alpha(L) by
 * log, queue > beta(L) shrinks it by log, anything between holds it. Defaults: alpha = 3·log,
 * beta = 6·log, threshold = log. The new limit is smoothed: limit·(1 − smoothing) + new·smoothing.
 *
 * Every ~`probeMultiplier · limit` samples (times a jitter in [0.5, 1) drawn from `random`) the
 * sample becomes the new `rttNoLoad`, so a baseline that has really moved is found again. A sample
 * with no measurable round trip (0 ms on the scheduler's clock) is skipped.
 */
import { clamp, log10Root, type LimitAlgorithm, type LimitBounds, type LimitSample } from './types.js';

export interface VegasOptions extends LimitBounds {
  readonly alpha: (limit: number) => number;
  readonly beta: (limit: number) => number;
  readonly threshold: (limit: number) => number;
  /** In (0, 1]. Netflix's default 1 (no smoothing). */
  readonly smoothing: number;
  /** Netflix's default 30. */
  readonly probeMultiplier: number;
  /** In [0, 1): the probe jitter's source. */
  readonly random: () => number;
}

export interface VegasState {
  /** The limit before rounding down. */
  readonly estimate: number;
  /** The least round trip since the last probe; 0 before the first sample. */
  readonly rttNoLoad: number;
  readonly probeCount: number;
  readonly probeJitter: number;
}

export const vegasDefaults = {
  alpha: (limit: number) => 3 * log10Root(limit),
  beta: (limit: number) => 6 * log10Root(limit),
  threshold: (limit: number) => log10Root(limit),
};

export function vegas(options: VegasOptions): LimitAlgorithm<VegasState> {
  return {
    initial: { estimate: clamp(options.initialLimit, options), rttNoLoad: 0, probeCount: 0, probeJitter: jitter(options) },
    next: (state, sample) => vegasStep(options, state, sample),
    limit: (state) => Math.floor(state.estimate),
  };
}

export function vegasStep(options: VegasOptions, state: VegasState, sample: LimitSample): VegasState {
  const rtt = sample.rtt;
  if (!(rtt > 0)) return state;
  const estimate = state.estimate;
  const probeCount = state.probeCount + 1;
  if (state.probeJitter * options.probeMultiplier * estimate <= probeCount) {
    return { estimate, rttNoLoad: rtt, probeCount: 0, probeJitter: jitter(options) };
  }
  if (state.rttNoLoad === 0 || rtt < state.rttNoLoad) return { ...state, rttNoLoad: rtt, probeCount };
  const held = { ...state, probeCount };
  const limit = Math.floor(estimate);
  const step = log10Root(limit);
  let target: number;
  if (sample.dropped) {
    target = estimate - step;
  } else if (sample.inflight * 2 < estimate) {
    return held;
  } else {
    const queue = Math.ceil(estimate * (1 - state.rttNoLoad / rtt));
    if (queue <= options.threshold(limit)) target = estimate + options.beta(limit);
    else if (queue < options.alpha(limit)) target = estimate + step;
    else if (queue > options.beta(limit)) target = estimate - step;
    else return held;
  }
  const smoothed = (1 - options.smoothing) * estimate + options.smoothing * clamp(target, options);
  return { ...held, estimate: clamp(smoothed, options) };
}

function jitter(options: VegasOptions): number {
  return 0.5 + options.random() * 0.5;
}
