/**
 * AIMD (additive increase, multiplicative decrease), loss based, as Netflix's `AIMDLimit`:
 * - a drop, or a round trip longer than `timeout`, multiplies the limit by `backoffRatio`
 *   (and lowers it by at least 1);
 * - otherwise, while at least half the limit is in use, the limit grows by 1;
 * - an application-limited sample (less than half in use) leaves it alone.
 */
import { clamp, type LimitAlgorithm, type LimitBounds, type LimitSample } from './types.js';

export interface AimdOptions extends LimitBounds {
  /** In [0.5, 1). Netflix's default 0.9. */
  readonly backoffRatio: number;
  /** A round trip above this many ms counts as a drop. Netflix's default 5 000. */
  readonly timeout: number;
}

export interface AimdState {
  readonly limit: number;
}

export function aimd(options: AimdOptions): LimitAlgorithm<AimdState> {
  return {
    initial: { limit: clamp(options.initialLimit, options) },
    next: (state, sample) => aimdStep(options, state, sample),
    limit: (state) => state.limit,
  };
}

export function aimdStep(options: AimdOptions, state: AimdState, sample: LimitSample): AimdState {
  const limit = state.limit;
  let next: number;
  if (sample.dropped || sample.rtt > options.timeout) next = Math.max(1, Math.min(limit - 1, Math.floor(limit * options.backoffRatio)));
  else if (sample.inflight * 2 >= limit) next = limit + 1;
  else return state;
  next = clamp(next, options);
  return next === limit ? state : { limit: next };
}
