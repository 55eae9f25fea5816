/**
 * rx-resilience: resilience policies as RxJS operators, their state as observable streams.
 * The public surface, by name. Nothing else under src/ is public.
 */

/* Circuit breaker */
export { circuitBreaker } from './operators/circuitBreaker.js';
export type {
  BreakerStrategy,
  CircuitBreaker,
  CircuitBreakerConfig,
  CircuitBreakerEvent,
  CircuitBreakerSnapshot,
  CircuitBreakerStats,
  CircuitState,
  RateOptions,
} from './operators/circuitBreaker.js';

/* Fallback, cache and hedging */
export { cache } from './operators/cache.js';
export type { Cache, CacheConfig, CacheEntryInfo, CacheEvent, CacheStats } from './operators/cache.js';
export { fallback } from './operators/fallback.js';
export type { Fallback, FallbackConfig, FallbackEvent, FallbackStats } from './operators/fallback.js';
export { fallbackLadder } from './operators/fallbackLadder.js';
export type {
  FallbackLadder,
  FallbackLadderConfig,
  FallbackLadderEvent,
  FallbackLadderStats,
  RungValue,
  TagSource,
  Tagged,
} from './operators/fallbackLadder.js';
export { hedge } from './operators/hedge.js';
export type { Hedge, HedgeConfig, HedgeEvent, HedgeStats } from './operators/hedge.js';

/* Error types */
export {
  BulkheadFullError,
  CircuitOpenError,
  ConfigError,
  isLocalRejection,
  isResilienceError,
  QueueTimeoutError,
  RateLimitedError,
  ResilienceError,
  RetriesExhaustedError,
  TimeLimitError,
} from './errors.js';
export type { ResilienceErrorCode } from './errors.js';
