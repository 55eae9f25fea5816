/**
 * Gradient2, latency based, as Netflix's `Gradient2Limit`: the limit follows the ratio of a
 * long-term average round trip to the latest one.
 *
 *   gradient = clamp(longRtt / shortRtt, 0.5, 1)        (1 = no queueing, 0.5 = latency doubled)
 *   target   = gradient · limit + queueSize             (room to grow while latency is flat)
 *   limit    = limit · (1 − smoothing) + target · smoothing
 *
 * `longRtt` is the plain average of the first 10 samples, then an exponential average over
 * `longWindow` samples (factor 2 / (longWindow + 1)); when it exceeds twice the latest round trip
 * (load just dropped) it decays by 10% per sample. An application-limited sample (less than half
 * the limit in use) updates the averages but not the limit. Drops carry no weight: the latency
 * they cause does. A sample with no measurable round trip (0 ms on the scheduler's clock) is skipped.
 */
import { clamp, type LimitAlgorithm, type LimitBounds, type LimitSample } from './types.js';

export interface Gradient2Options extends LimitBounds {
  /** In (0, 1]: how far one sample moves the limit towards its target. Netflix's default 0.2. */
  readonly smoothing: number;
  /** Growth allowed while latency is flat, from the current limit. Netflix's default 4. */
  readonly queueSize: (limit: number) => number;
  /** Samples in the long-term average. Netflix's default 600. */
  readonly longWindow: number;
}

export interface Gradient2State {
  /** The limit before rounding down. */
  readonly estimate: number;
  readonly longRtt: number;
  readonly shortRtt: number;
  /** Samples averaged so far during warm-up (stops counting at 10). */
  readonly warmup: number;
}

const WARMUP = 10;

export function gradient2(options: Gradient2Options): LimitAlgorithm<Gradient2State> {
  return {
    initial: { estimate: clamp(options.initialLimit, options), longRtt: 0, shortRtt: 0, warmup: 0 },
    next: (state, sample) => gradient2Step(options, state, sample),
    limit: (state) => Math.floor(state.estimate),
  };
}

export function gradient2Step(options: Gradient2Options, state: Gradient2State, sample: LimitSample): Gradient2State {
  const rtt = sample.rtt;
  if (!(rtt > 0)) return state;
  const estimate = state.estimate;
  const queueSize = options.queueSize(Math.floor(estimate));
  let warmup = state.warmup;
  let longRtt: number;
  if (warmup < WARMUP) {
    longRtt = (state.longRtt * warmup + rtt) / (warmup + 1);
    warmup++;
  } else {
    const factor = 2 / (options.longWindow + 1);
    longRtt = state.longRtt * (1 - factor) + rtt * factor;
  }
  if (longRtt / rtt > 2) longRtt *= 0.9;
  if (sample.inflight < estimate / 2) return { estimate, longRtt, shortRtt: rtt, warmup };
  const gradient = Math.max(0.5, Math.min(1, longRtt / rtt));
  const target = estimate * gradient + queueSize;
  const next = clamp(estimate * (1 - options.smoothing) + target * options.smoothing, options);
  return { estimate: next, longRtt, shortRtt: rtt, warmup };
}
