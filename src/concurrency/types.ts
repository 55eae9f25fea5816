/**
 * The shape every concurrency-limit algorithm has: pure steps from a state and one sample of a
 * finished call to the next state, as in Netflix concurrency-limits. No clock, no timers: the
 * sample carries the call's round-trip time, measured by the caller on its scheduler.
 */

/** One finished call. */
export interface LimitSample {
  /** Round-trip time in ms, from upstream subscription to the end. */
  readonly rtt: number;
  /** Calls running (this one included) when this call started. */
  readonly inflight: number;
  /** The call failed (a drop, in the algorithms' words). */
  readonly dropped: boolean;
  /** Scheduler time at the end of the call (only sample windows read it). */
  readonly at: number;
}

export interface LimitAlgorithm<S> {
  readonly initial: S;
  /** The state after one more sample. */
  next(state: S, sample: LimitSample): S;
  /** The whole number of calls the state allows. */
  limit(state: S): number;
}

/** Bounds every algorithm clamps to. */
export interface LimitBounds {
  readonly initialLimit: number;
  readonly minLimit: number;
  readonly maxLimit: number;
}

export function clamp(value: number, bounds: LimitBounds): number {
  return Math.max(bounds.minLimit, Math.min(bounds.maxLimit, value));
}

/** Netflix's `Log10RootFunction`: max(1, ⌊log10 n⌋) below 1000, ⌊√n⌋ from there. */
export function log10Root(n: number): number {
  return n < 1000 ? Math.max(1, Math.floor(Math.log10(n))) : Math.floor(Math.sqrt(n));
}
