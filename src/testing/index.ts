/**
 * rx-resilience/testing: what consumers need to test their own policies — marble helpers, a
 * scripted fake dependency on virtual time and law checkers. It loads without fast-check; the
 * fast-check arbitraries are the subpath `rx-resilience/testing/arbitraries` (fast-check is an
 * optional peer dependency, needed by that subpath only). It uses only the library's public names.
 */
export { observableMatcher, testScheduler } from './marbles.js';
export { scriptedService } from './scriptedService.js';
export type { ScriptedActivity, ScriptedCall, ScriptedService, ScriptStep } from './scriptedService.js';
export { isIgnoredOutcome, ScenarioError } from './commands.js';
export type { CallCommand, CallOutcome, ControlContext } from './commands.js';
export { runScenario, timelineOf } from './scenario.js';
export type { ScenarioCall, ScenarioCallInfo, ScenarioOptions, ScenarioStep, ScenarioTarget, ScenarioTimeline } from './scenario.js';
export { noPendingWork, trackedScheduler } from './scheduler.js';
export type { PendingWork, TrackedScheduler } from './scheduler.js';
export { watchLaws } from './watchLaws.js';
export type { PipelineLawWatcher, WatchLawsOptions } from './watchLaws.js';
export type { Law, LawContext, LawFactory } from './lawTypes.js';
export { descriptorOf, policiesOf, settingsOf } from './policies.js';
export type { PolicyDescriptor, WatchedPolicy } from './policies.js';
export { BREAKER_STATES, expectEvents, expectStates } from './expect.js';
export { httpCall } from './http.js';
export type { HttpOutcome } from './http.js';
export { isLegalBreakerTransition, watchBreakerLaws } from './laws.js';
export type { LawWatcher } from './laws.js';
export { watchBulkheadLaws } from './bulkheadLaws.js';
export type { WatchablePool } from './bulkheadLaws.js';
export { watchLimiterLaws } from './limiterLaws.js';
export type { LimiterBound, LimiterLawWatcher } from './limiterLaws.js';
