/**
 * rx-resilience/testing: what consumers need to test their own policies — marble helpers, a
 * scripted fake dependency on virtual time and law checkers. It loads without fast-check; the
 * fast-check arbitraries are the subpath `rx-resilience/testing/arbitraries` (fast-check is an
 * optional peer dependency, needed by that subpath only). It uses only the library's public names.
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
