/**
 * rx-resilience: resilience policies as RxJS operators, their state as observable streams.
 * The public surface, by name. Nothing else under src/ is public. This entry uses no Node
 * built-in and runs in a browser (a test bundles it); Node-only parts are the subpaths
 * `rx-resilience/http` and `rx-resilience/config`.
 */

/* Circuit breaker */
export { circuitBreaker } from './breaker/circuitBreaker.js';
export type {
  BreakerStrategy,
  CircuitBreaker,
  CircuitBreakerConfig,
  CircuitBreakerEvent,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  LatencySummary,
  CircuitState,
  RateOptions,
} from './breaker/circuitBreaker.js';

/* Retry and backoff */
export { constant, decorrelatedJitter, exponential, fibonacci, linear } from './backoff/index.js';
export type { Backoff, DecorrelatedJitterOptions, ExponentialOptions, FibonacciOptions, JitterKind, JitterOptions, LinearOptions, RandomSource } from './backoff/index.js';
export { retryBackoff } from './retry/retryBackoff.js';
export type { GiveUpReason, RetryBackoff, RetryBackoffConfig, RetryBackoffEvent, RetryBackoffStats } from './retry/retryBackoff.js';
export { retryBudget } from './retry/retryBudget.js';
export type { RetryBudget, RetryBudgetConfig, RetryBudgetStats } from './retry/retryBudget.js';

/* Time limit */
export { timeLimit } from './time/timeLimit.js';
export type { TimeLimit, TimeLimitConfig, TimeLimitEvent, TimeLimitKind, TimeLimitStats } from './time/timeLimit.js';

/* Bulkhead and adaptive concurrency */
export { bulkhead } from './bulkhead/bulkhead.js';
export type { Bulkhead, BulkheadConfig, BulkheadEvent, BulkheadState, BulkheadStats } from './bulkhead/bulkhead.js';
export { adaptiveConcurrency } from './concurrency/adaptiveConcurrency.js';
export type {
  AdaptiveConcurrency,
  AdaptiveConcurrencyConfig,
  AdaptiveConcurrencyEvent,
  AdaptiveConcurrencyStats,
  ConcurrencyLimitAlgorithm,
  ConcurrencyLimitEvent,
} from './concurrency/adaptiveConcurrency.js';

/* Fallback, cache and hedging */
export { cache } from './cache/cache.js';
export type { Cache, CacheConfig, CacheEntryInfo, CacheEvent, CacheStats } from './cache/cache.js';
export { fallback } from './fallback/fallback.js';
export type { Fallback, FallbackConfig, FallbackEvent, FallbackStats } from './fallback/fallback.js';
export { fallbackLadder } from './fallback/fallbackLadder.js';
export type {
  FallbackLadder,
  FallbackLadderConfig,
  FallbackLadderEvent,
  FallbackLadderStats,
  RungValue,
  TaggedFrom,
  TagSource,
  Tagged,
} from './fallback/fallbackLadder.js';
export { hedge } from './hedge/hedge.js';
export type { Hedge, HedgeConfig, HedgeEvent, HedgeStats } from './hedge/hedge.js';

/* Rate limiting */
export { tokenBucket } from './rate/tokenBucket.js';
export type { TokenBucket, TokenBucketConfig } from './rate/tokenBucket.js';
export { slidingWindow } from './rate/slidingWindow.js';
export type { SlidingWindow, SlidingWindowConfig } from './rate/slidingWindow.js';
export { fixedWindow } from './rate/fixedWindow.js';
export type { FixedWindow, FixedWindowConfig } from './rate/fixedWindow.js';
export { adaptiveRateLimit } from './rate/adaptiveRateLimit.js';
export type { AdaptiveRateLimit, AdaptiveRateLimitConfig, AdaptiveRateLimitEvent, AdaptiveRateLimiter } from './rate/adaptiveRateLimit.js';
export { adaptiveThrottle } from './rate/adaptiveThrottle.js';
export type { AdaptiveThrottle, AdaptiveThrottleConfig, AdaptiveThrottleEvent, AdaptiveThrottleState, AdaptiveThrottleStats } from './rate/adaptiveThrottle.js';
export type { LimiterMode, LimiterOptions, RateLimiter, RateLimiterEvent, RateLimiterState, RateLimiterStats } from './rate/types.js';
export { memoryStore } from './rate/memoryStore.js';
export type { MemoryStore, MemoryStoreOptions } from './rate/memoryStore.js';
export type { FixedWindowParams, RateParams, RateStore, SlidingWindowParams, TakeResult, TokenBucketParams } from './rate/store.js';

/* Composing: a pipeline of built policies, calls that can be cancelled */
export { pipeline, PIPELINE_ORDER } from './pipeline/pipeline.js';
export type { Pipeline, PipelineConfig, PipelineFallback, PipelineParts, PipelineRole, PipelineStats, PipelineValue } from './pipeline/pipeline.js';
export { fromAbortable } from './pipeline/fromAbortable.js';
/* Chaos: fault injection and experiments */
export { chaos } from './chaos/chaos.js';
export type { ChaosConfig } from './chaos/chaos.js';
export { chaosExperiment } from './chaos/chaosExperiment.js';
export type { ChaosExperiment, ChaosExperimentConfig, ChaosExperimentReport, ExperimentBreakerReport, ObservedBreaker } from './chaos/chaosExperiment.js';
export { behaviorFault, errorFault, latencyFault, resultFault } from './chaos/faults.js';
export { seededRandom } from './chaos/seededRandom.js';
export type { BehaviorFault, Chaos, ChaosCall, ChaosEvent, ChaosFault, ChaosFaultKind, ChaosState, ChaosStats, ErrorFault, LatencyFault, ResultFault } from './chaos/types.js';

/* Durable queue (store and forward) */
export { durableQueue } from './queue/durableQueue.js';
export type { DurableQueue, DurableQueueConfig } from './queue/durableQueue.js';
export { isQueued, queueOnFailure } from './queue/queueOnFailure.js';
export type { Queued, QueueMessage, QueueOnFailure, QueueOnFailureOptions } from './queue/queueOnFailure.js';
export { memoryQueueStore } from './queue/memoryStore.js';
export type { MemoryQueueStore, MemoryQueueStoreOptions } from './queue/memoryStore.js';
export type {
  DeadLetter,
  DrainOptions,
  DrainOutcome,
  DurableQueueEvent,
  DurableQueueState,
  EnqueueOptions,
  EnqueueReceipt,
  Envelope,
  QueueStore,
  StoreContents,
  StoredMessage,
  StoreEvent,
} from './queue/types.js';

/* Health and operation modes */
export { healthCheck } from './health/healthCheck.js';
export type { HealthCheckConfig, ProbeResult } from './health/healthCheck.js';
export { healthFromBreaker, healthFromBulkhead } from './health/fromPolicies.js';
export type { BreakerLike, BulkheadLike, PolicyHealthConfig } from './health/fromPolicies.js';
export { healthMonitor } from './health/healthMonitor.js';
export type { HealthMonitor, HealthMonitorConfig, HealthTransition } from './health/healthMonitor.js';
export { defaultModeRules } from './health/modeRules.js';
export { operationMode } from './health/operationMode.js';
export { recoverWhen } from './health/recoverWhen.js';
export type { RecoverableBreaker } from './health/recoverWhen.js';
export type { ModeReason, ModeReport, ModeRule, OperationMode, OperationModeConfig, OperationModeLevel, RuleError } from './health/operationMode.js';
export type { HealthComponent, HealthKind, HealthReport, HealthStatus, SystemHealth } from './health/types.js';

/* Registry (a registry from a config file: rx-resilience/config; HTTP endpoints: rx-resilience/http) */
export { resilienceRegistry } from './registry/resilienceRegistry.js';
export type {
  CanaryOptions,
  CanaryReport,
  PolicyChange,
  PolicySnapshot,
  RegistryEvent,
  RegistryStates,
  ResilienceRegistry,
  ResilienceRegistryConfig,
} from './registry/resilienceRegistry.js';
export { policyKind, resilienceKind } from './registry/kind.js';
export type { PolicyKind, RegistryKind, ResilienceKind } from './registry/kind.js';
export type { PolicyTypes } from './registry/policyTypes.js';
export type { AnyPolicy } from './registry/handle.js';

/* Error types */
export {
  BulkheadFullError,
  CircuitOpenError,
  ConfigError,
  FailureResultError,
  findResilienceError,
  InjectedFaultError,
  isLocalRejection,
  isResilienceError,
  QueueStoreError,
  QueueTimeoutError,
  RateLimitedError,
  ResilienceError,
  RetriesExhaustedError,
  TimeLimitError,
} from './errors.js';

/* The failure predicates every policy that judges an outcome takes */
export type { FailureJudge } from './internal/judge.js';
export type { ResilienceErrorByCode, ResilienceErrorCode } from './errors.js';
