/**
 * Every metric the exporter produces, without the prefix (`resilience_` by default), with its
 * type, help text and label names. The binders create their families from these entries, the
 * shipped dashboard and alert rules are checked against them, and users can build their own
 * queries from them.
 *
 * Conventions: base units (seconds), counters end in `_total`, gauges from 0 to 1 end in `_ratio`,
 * label values are snake_case (`half_open`, `max_attempts`), every series has a `name` label
 * (the policy's or the component's name), and every series of a watched object exists, at 0,
 * from the moment `watch()` returns. Keys of limiters are never labels (unbounded).
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
}

const spec = (type: MetricType, name: string, labels: readonly string[], help: string): MetricSpec => ({ name, type, help, labels });

/** Circuit breakers (`circuitBreaker()`). */
export const BREAKER = {
  state: spec('gauge', 'circuit_breaker_state', ['name', 'state'], 'Circuit breaker state: 1 for the current state (closed, open, half_open, isolated, disabled), 0 for the others.'),
  stateSeconds: spec('counter', 'circuit_breaker_state_seconds_total', ['name', 'state'], 'Seconds the breaker spent in each state (closed, open, half_open, isolated, disabled) since watching started.'),
  stateCode: spec('gauge', 'circuit_breaker_state_code', ['name'], 'Circuit breaker state as a number: 0 closed, 1 open, 2 half-open, 3 isolated, 4 disabled.'),
  calls: spec('counter', 'circuit_breaker_calls_total', ['name', 'outcome'], 'Calls through the breaker that ended, by outcome (success, failure, ignored, cancelled).'),
  slowCalls: spec('counter', 'circuit_breaker_slow_calls_total', ['name', 'outcome'], 'Finished calls at least as long as slowCallDuration, by outcome (success, failure).'),
  duration: spec('histogram', 'circuit_breaker_call_duration_seconds', ['name', 'outcome'], 'Duration of calls that succeeded or failed, from subscribe to the end, in seconds.'),
  rejections: spec('counter', 'circuit_breaker_rejections_total', ['name', 'state'], 'Calls refused by the breaker, by the state that refused them (open, half_open, isolated).'),
  transitions: spec('counter', 'circuit_breaker_transitions_total', ['name', 'from', 'to'], 'State transitions of the breaker; every legal (from, to) pair exists from the start, at 0.'),
  failureRate: spec('gauge', 'circuit_breaker_failure_ratio', ['name'], 'Failures / finished calls in the current window (0 when it holds none), from 0 to 1.'),
  slowCallRate: spec('gauge', 'circuit_breaker_slow_call_ratio', ['name'], 'Slow calls / finished calls in the current window, from 0 to 1.'),
  latency: spec('gauge', 'circuit_breaker_latency_seconds', ['name', 'quantile'], 'Quantiles (0.5, 0.9, 0.99) of the durations of calls that succeeded or failed, in seconds, over the latency window; only with `latency: true`.'),
} as const;

/** Retries (`retryBackoff()`) and retry budgets (`retryBudget()`). */
export const RETRY = {
  calls: spec('counter', 'retry_calls_total', ['name', 'outcome'], 'Calls that ended under a retry policy: successful_without_retry, successful_with_retry, failed_without_retry, failed_with_retry.'),
  retries: spec('counter', 'retry_retries_total', ['name'], 'Retries scheduled (attempts after the first).'),
  giveUps: spec('counter', 'retry_give_ups_total', ['name', 'reason'], 'Calls the retry policy gave up on, by reason (max_attempts, max_elapsed, max_delay, not_retryable, budget).'),
  budgetAvailable: spec('gauge', 'retry_budget_available', ['name'], 'Whole retries the budget would grant now.'),
  budgetRetries: spec('counter', 'retry_budget_retries_total', ['name', 'result'], 'Retries the budget granted or refused.'),
  latency: spec('gauge', 'retry_latency_seconds', ['name', 'quantile'], 'Quantiles (0.5, 0.9, 0.99) of whole-call durations under a retry policy (attempts and waits), in seconds, over latencyWindow; only with `latency: true`.'),
} as const;

/** Time limits (`timeLimit()`). */
export const TIME_LIMIT = {
  timeouts: spec('counter', 'time_limit_timeouts_total', ['name', 'limit'], 'Calls that ran out of time, by the limit that ran out (duration, first, each).'),
  latency: spec('gauge', 'time_limit_latency_seconds', ['name', 'quantile'], 'Quantiles (0.5, 0.9, 0.99) of call durations under a time limit, timed-out calls included, in seconds, over latencyWindow; only with `latency: true`.'),
} as const;

/** Fallbacks (`fallback()`, `fallbackLadder()`). */
export const FALLBACK = {
  recoveries: spec('counter', 'fallback_recoveries_total', ['name', 'source'], 'Failed calls answered by an alternative, by source (alternative for fallback(); cache, stale, default, degraded for a ladder).'),
  unhandled: spec('counter', 'fallback_unhandled_total', ['name'], 'Errors a fallback ladder passed on (refused by `when`, or no rung had a value).'),
} as const;

/** Bulkheads (`bulkhead()`) and adaptive concurrency limits (`adaptiveConcurrency()`). */
export const BULKHEAD = {
  active: spec('gauge', 'bulkhead_active_calls', ['name'], 'Calls holding a slot now.'),
  queued: spec('gauge', 'bulkhead_queued_calls', ['name'], 'Calls waiting for a slot now.'),
  limit: spec('gauge', 'bulkhead_limit', ['name'], 'Slots: maxConcurrent, or the current limit of an adaptive concurrency policy.'),
  maxQueued: spec('gauge', 'bulkhead_max_queued', ['name'], 'Queue bound (+Inf when unbounded).'),
  calls: spec('counter', 'bulkhead_calls_total', ['name', 'outcome'], 'Calls that reached the bulkhead, by what happened to them (admitted, rejected, timed_out, cancelled while queued).'),
  queueWait: spec('histogram', 'bulkhead_queue_wait_seconds', ['name'], 'Time admitted calls waited for a slot, in seconds.'),
  latency: spec('gauge', 'bulkhead_latency_seconds', ['name', 'quantile'], 'Quantiles (0.5, 0.9, 0.99) of how long calls held a slot, in seconds, over latencyWindow; only with `latency: true`.'),
  limitChanges: spec('counter', 'adaptive_limit_changes_total', ['name', 'direction'], 'Moves of an adaptive limit (concurrency or rate), up or down.'),
} as const;

/** Rate limiters (`tokenBucket()`, `slidingWindow()`, `fixedWindow()`, `adaptiveRateLimit()`, `adaptiveThrottle()`). */
export const LIMITER = {
  available: spec('gauge', 'rate_limiter_available', ['name'], 'Tokens or units left for the default key, as of its last admission or rejection.'),
  limit: spec('gauge', 'rate_limiter_limit', ['name'], 'Capacity or limit per window (the current limit of an adaptive limiter).'),
  waiting: spec('gauge', 'rate_limiter_waiting_calls', ['name'], 'Calls waiting for admission now, all keys together.'),
  calls: spec('counter', 'rate_limiter_calls_total', ['name', 'outcome'], 'Calls that reached the limiter, by outcome (admitted, rejected, cancelled while waiting).'),
  rate: spec('gauge', 'adaptive_rate_limit_rate', ['name'], 'Current rate of an adaptive rate limiter, in calls per window (fractional).'),
  rejectProbability: spec('gauge', 'adaptive_throttle_reject_ratio', ['name'], 'Probability (0 to 1) with which an adaptive throttle rejects a call now.'),
} as const;

/** Caches (`cache()`) and hedging (`hedge()`). */
export const CACHE_HEDGE = {
  cacheRequests: spec('counter', 'cache_requests_total', ['name', 'result'], 'Calls through a cache, by result (hit, miss, coalesced into a running call).'),
  cacheEvictions: spec('counter', 'cache_evictions_total', ['name'], 'Entries dropped to make room (LRU).'),
  cacheEntries: spec('gauge', 'cache_entries', ['name'], 'Entries held now, fresh or stale.'),
  hedges: spec('counter', 'hedge_attempts_total', ['name', 'reason'], 'Extra attempts started, by reason (delay, error).'),
  hedgeCalls: spec('counter', 'hedge_calls_total', ['name', 'outcome'], 'Hedged calls that ended, by outcome (won_by_first, won_by_hedge, failed).'),
} as const;

/** Health components and the operation mode (`healthMonitor()`, `operationMode()`). */
export const HEALTH = {
  status: spec('gauge', 'health_status', ['name', 'status'], 'Health of a component: 1 for its current status (healthy, degraded, unhealthy), 0 for the others.'),
  statusCode: spec('gauge', 'health_status_code', ['name'], 'Health of a component as a number: 0 healthy, 1 degraded, 2 unhealthy.'),
  transitions: spec('counter', 'health_transitions_total', ['name', 'to'], 'Status changes of a component.'),
  mode: spec('gauge', 'operation_mode', ['name', 'mode'], 'Operation mode: 1 for the current mode (normal, degraded, emergency), 0 for the others.'),
  modeCode: spec('gauge', 'operation_mode_code', ['name'], 'Operation mode as a number: 0 NORMAL, 1 DEGRADED, 2 EMERGENCY.'),
} as const;

/** States a fleet control (`fleetControl()` of `rx-resilience/redis`) imposes on breakers. */
export const FLEET = {
  imposed: spec('gauge', 'circuit_breaker_fleet_imposed', ['name', 'action'], 'A state imposed on the breaker by the fleet (isolate, disable): 1 while imposed, 0 once lifted.'),
} as const;

/** Chaos policies (`chaos()`). */
export const CHAOS = {
  injections: spec('counter', 'chaos_injections_total', ['name', 'fault'], 'Faults injected, by kind (latency, error, result, behavior).'),
  calls: spec('counter', 'chaos_calls_total', ['name'], 'Calls through the chaos policy, injected or not.'),
  active: spec('gauge', 'chaos_active', ['name'], '1 while the chaos policy may inject (switched on, engaged by an experiment when enlisted, under maxInjections), else 0.'),
} as const;

/** Every metric, by group. */
export const METRICS = { BREAKER, RETRY, TIME_LIMIT, FALLBACK, BULKHEAD, LIMITER, CACHE_HEDGE, HEALTH, FLEET, CHAOS } as const;

/** Every metric spec, flat. */
export const ALL_METRICS: readonly MetricSpec[] = Object.values(METRICS).flatMap((group) => Object.values(group) as MetricSpec[]);

/**
 * Every series name the exporter can produce with `prefix`, histograms expanded to their
 * `_bucket`, `_sum` and `_count` series.
 */
export function seriesNames(prefix = 'resilience_'): string[] {
  return ALL_METRICS.flatMap((m) => (m.type === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => prefix + m.name + s) : [prefix + m.name]));
}
