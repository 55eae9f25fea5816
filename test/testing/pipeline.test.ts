import { describe, expect, it } from 'vitest';
import { bulkhead, circuitBreaker, constant, pipeline, retryBackoff, timeLimit } from 'rx-resilience';
import { isIgnoredOutcome, policiesOf, runScenario, trackedScheduler, type CallCommand } from 'rx-resilience/testing';

const build = () => {
  const scheduler = trackedScheduler();
  const deadline = timeLimit({ name: 'deadline', duration: 50, scheduler });
  const pool = bulkhead({ name: 'pool', maxConcurrent: 2, maxQueued: 1, scheduler });
  const breaker = circuitBreaker({ name: 'breaker', strategy: { kind: 'consecutive', failures: 2 }, breakDuration: 100, isFailure: (e) => !isIgnoredOutcome(e), scheduler });
  const retry = retryBackoff({ name: 'retry', maxAttempts: 3, backoff: constant(10), maxDelay: 1_000, scheduler });
  const app = pipeline({ name: 'app', retry, breaker, bulkhead: pool, timeLimit: deadline });
  return { scheduler, app, parts: [deadline, pool, breaker, retry] };
};

const steps: CallCommand[] = [
  { type: 'call', outcome: 'failure', duration: 5 },
  { type: 'call', outcome: 'hang', duration: 0 },
  { type: 'call', outcome: 'success', duration: 70 },
  { type: 'advance', ms: 150 },
  { type: 'call', outcome: 'success', duration: 5, values: 2 },
  { type: 'call', outcome: 'failure', duration: 5, then: ['success'] },
];

describe('a pipeline() watched by the kit', () => {
  it('is read part by part, innermost first, as pipe() order', () => {
    const { app, parts } = build();
    expect(policiesOf(app).map((p) => p.policy)).toEqual(parts);
  });

  it('gives the same timeline and laws as its parts listed by hand', () => {
    const a = build();
    const b = build();
    const byPipeline = runScenario(a.app, steps, { scheduler: a.scheduler, policies: a.app, settle: 2_000 });
    const byHand = runScenario((upstream) => upstream.pipe(...(b.parts as [never])), steps, { scheduler: b.scheduler, policies: b.parts, settle: 2_000 });
    expect(byPipeline.calls.map((c) => [c.outcome, c.endedAt])).toEqual(byHand.calls.map((c) => [c.outcome, c.endedAt]));
    expect(byPipeline.events.length).toBeGreaterThan(0);
    expect(byPipeline.events).toEqual(byHand.events);
    expect(byPipeline.skipped).toEqual(byHand.skipped);
    expect(byPipeline.violations).toEqual([]);
    expect(byPipeline.pendingWork).toEqual([]);
  });
});
