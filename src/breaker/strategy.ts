/**
 * @internal What a breaker counts. A strategy records finished calls (success or failure, slow or
 * not) and says when the closed breaker should trip; the state machine decides what that means.
 * Every strategy is cleared on each transition (docs/decisions.md, decision 7).
 */

export interface WindowCounts {
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls: number;
}

export interface Strategy {
  /** Records a finished call at `now`; returns true when the breaker should trip. */
  record(now: number, failure: boolean, slow: boolean): boolean;
  counts(now: number): WindowCounts;
  clear(): void;
  /** A JSON-safe copy of what the strategy holds. */
  save(): number[];
  /** Restores what `save()` returned; false when it does not fit this strategy. */
  load(saved: unknown): boolean;
}

/** The rate rule shared by the count and time windows (docs/decisions.md, decision 4). */
export interface RateRule {
  readonly minimumCalls: number;
  readonly failureRateThreshold: number;
  /** Undefined when slow calls are not tracked. */
  readonly slowCallRateThreshold: number | undefined;
}

/** Takes the counts one by one: a strategy asks on every record, and builds no object for it. */
export function rateTrips(calls: number, failures: number, slowCalls: number, rule: RateRule): boolean {
  if (calls === 0 || calls < rule.minimumCalls) return false;
  if (failures / calls >= rule.failureRateThreshold) return true;
  return rule.slowCallRateThreshold !== undefined && slowCalls / calls >= rule.slowCallRateThreshold;
}

export function isIntArray(saved: unknown, length: number): saved is number[] {
  return Array.isArray(saved) && saved.length === length && saved.every((n) => Number.isInteger(n) && n >= 0);
}
