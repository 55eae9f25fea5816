/**
 * The shape shared by every backoff: a pure function from the retry number (1 for the first
 * retry) and the previous delay it returned (`undefined` for the first) to a delay in ms, with a
 * readonly `max` where the schedule has a cap. Jitter and its random source belong to the backoff.
 */

/** How a delay is randomised: none, `random·d`, `d/2 + random·d/2`, or AWS decorrelated jitter. */
export type JitterKind = 'none' | 'full' | 'equal' | 'decorrelated';

/** A source of numbers in [0, 1), like `Math.random`; inject a seeded one to make tests exact. */
export type RandomSource = () => number;

/** A backoff schedule: `(attempt, previousDelay) => ms`. */
export interface Backoff {
  (attempt: number, previousDelay?: number): number;
  /** The largest delay this schedule returns, where it has a cap. */
  readonly max?: number;
}

/** Options shared by the growing schedules. */
export interface JitterOptions {
  /** Default `'none'`. */
  readonly jitter?: JitterKind;
  /** Default `Math.random`. */
  readonly random?: RandomSource;
}
