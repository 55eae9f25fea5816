/**
 * The policy type of each registry kind, for `registry.get(name, kind)`: type imports only, one
 * per policy area.
 */
import type { CircuitBreaker } from '../breaker/circuitBreaker.js';
import type { Bulkhead } from '../bulkhead/bulkhead.js';
import type { Cache } from '../cache/cache.js';
import type { Chaos } from '../chaos/types.js';
import type { AdaptiveConcurrency } from '../concurrency/adaptiveConcurrency.js';
import type { Fallback } from '../fallback/fallback.js';
import type { FallbackLadder } from '../fallback/fallbackLadder.js';
import type { Hedge } from '../hedge/hedge.js';
import type { Pipeline } from '../pipeline/pipeline.js';
import type { RateLimiter } from '../rate/types.js';
import type { AdaptiveRateLimiter } from '../rate/adaptiveRateLimit.js';
import type { AdaptiveThrottle } from '../rate/adaptiveThrottle.js';
import type { RetryBackoff } from '../retry/retryBackoff.js';
import type { RetryBudget } from '../retry/retryBudget.js';
import type { TimeLimit } from '../time/timeLimit.js';
import type { AnyPolicy } from './handle.js';

/**
 * The policy type of each kind: what `registry.get(name, kind)` returns (indexed by `RegistryKind`,
 * so a kind added without its type here does not compile). A value-changing policy
 * (fallback, fallback ladder) is typed over `unknown` values: the registry cannot know them.
 */
export interface PolicyTypes {
  'circuit-breaker': CircuitBreaker;
  retry: RetryBackoff;
  'retry-budget': RetryBudget;
  'time-limit': TimeLimit;
  fallback: Fallback<unknown>;
  'fallback-ladder': FallbackLadder<unknown, unknown, unknown>;
  bulkhead: Bulkhead;
  'adaptive-concurrency': AdaptiveConcurrency;
  'rate-limiter': RateLimiter;
  'adaptive-rate-limit': AdaptiveRateLimiter;
  'adaptive-throttle': AdaptiveThrottle;
  cache: Cache;
  hedge: Hedge;
  pipeline: Pipeline;
  chaos: Chaos;
  /** An operator the registry does not recognise: only an operator. */
  custom: AnyPolicy;
}
