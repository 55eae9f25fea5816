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
