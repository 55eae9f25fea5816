/**
 * rx-resilience/testing: what consumers need to test their own policies — marble helpers, a
 * scripted fake dependency on virtual time, fast-check arbitraries and law checkers.
 * fast-check is an optional peer dependency, needed by the arbitraries.
 */
export { observableMatcher, testScheduler } from './marbles.js';
export { scriptedService } from './scriptedService.js';
export type { ScriptedCall, ScriptedService, ScriptStep } from './scriptedService.js';
export { isLegalBreakerTransition, watchBreakerLaws } from './laws.js';
export type { LawWatcher } from './laws.js';
export { watchBulkheadLaws } from './bulkheadLaws.js';
export type { WatchablePool } from './bulkheadLaws.js';
export { watchLimiterLaws } from './limiterLaws.js';
export type { LimiterBound, LimiterLawWatcher } from './limiterLaws.js';
export { breakerConfigArb, breakerStrategyArb, callCommandsArb } from './arbitraries.js';
export type { CallCommand } from './arbitraries.js';
