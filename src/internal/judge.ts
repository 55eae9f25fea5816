/**
 * The pair every policy that decides on an outcome takes: `circuitBreaker`, `retryBackoff`,
 * `hedge`, `fallback`, `fallbackLadder`, `adaptiveConcurrency`, `adaptiveRateLimit` and
 * `adaptiveThrottle`. Types only: each policy applies the pair in its own way.
 */

/**
 * How a policy tells a failed call from a good one. `T` is the value type of the streams the
 * policy guards: a predicate typed for `Response` makes the policy an operator on
 * `Observable<Response>` (and its subtypes) only, so a predicate of the wrong shape does not
 * compile. Without `isFailureResult`, `T` is `unknown` and the policy guards streams of any type.
 */
export interface FailureJudge<T = unknown> {
  /**
   * Return false for an error that says nothing about the dependency's health: it passes through,
   * counted as neither success nor failure. Default: every error is a failure.
   */
  readonly isFailure?: (error: unknown) => boolean;
  /**
   * Return true for a value that makes the call a failure although it arrived as a value (an HTTP
   * 503 response). Default: no value is a failure.
   */
  readonly isFailureResult?: (value: T) => boolean;
}
