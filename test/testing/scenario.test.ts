import { describe, expect, it } from 'vitest';
import { bulkhead, circuitBreaker, retryBackoff, constant, timeLimit, tokenBucket } from 'rx-resilience';
import { expectEvents, expectStates, httpCall, isIgnoredOutcome, noPendingWork, runScenario, ScenarioError, trackedScheduler } from 'rx-resilience/testing';

describe('runScenario', () => {
  it('records every call, attempt, event and state change of a breaker', () => {
    const scheduler = trackedScheduler();
    const breaker = circuitBreaker({ name: 'b', strategy: { kind: 'consecutive', failures: 2 }, breakDuration: 100, isFailure: (e) => !isIgnoredOutcome(e), scheduler });
    const t = runScenario(breaker, [
      { type: 'call', outcome: 'failure', duration: 10 },
      { type: 'advance', ms: 20 },
      { type: 'call', outcome: 'failure', duration: 10 },
      { type: 'advance', ms: 20 },
      { type: 'call', outcome: 'success', duration: 5 },
      { type: 'advance', ms: 100 },
      { type: 'call', outcome: 'success', duration: 5, values: 2 },
    ], { scheduler, settle: 50 });
    expect(t.calls.map((c) => [c.startedAt, c.endedAt, c.outcome])).toEqual([[0, 10, 'errored'], [20, 30, 'errored'], [40, 40, 'errored'], [140, 145, 'completed']]);
    expect(t.calls[0]!.error).toBeInstanceOf(ScenarioError);
    expect(t.calls[3]!.values).toEqual([{ at: 142, value: 'c3a0v0' }, { at: 144, value: 'c3a0v1' }]);
    expect(t.upstream.map((c) => c.tag)).toEqual([0, 1, 3]);
    expect(t.steps.map((s) => [s.at, s.states.b])).toEqual([[0, 'closed'], [20, 'closed'], [20, 'closed'], [40, 'open'], [40, 'open'], [140, 'half-open'], [140, 'half-open']]);
    expect(t.violations).toEqual([]);
    expect(t.pendingWork).toEqual([]);
    expect(t.end).toBe(190);
    expectStates(breaker, 'c 29ms o 99ms h 14ms c');
    expectEvents(breaker, '10ms f 19ms (ft) 6ms r 89ms t 14ms (st)', { f: 'failure', t: 'transition', r: 'rejected', s: 'success' });
    expect(() => expectStates(breaker, 'c 29ms o')).toThrow(/differ/);
  });

  it('drives a function of the upstream and the call, and cancels the oldest call', () => {
    const scheduler = trackedScheduler();
    const limiter = tokenBucket({ name: 'tb', capacity: 1, refill: { tokens: 1, every: 10 }, scheduler });
    const t = runScenario((upstream, call) => upstream.pipe(limiter.forKey(call.key ?? '')), [
      { type: 'call', outcome: 'hang', duration: 0, key: 'a' },
      { type: 'call', outcome: 'success', duration: 1, key: 'b' },
      { type: 'call', outcome: 'success', duration: 1, key: 'a' },
      { type: 'cancel' },
    ], { scheduler, policies: [limiter], settle: 10 });
    expect(t.calls.map((c) => c.outcome)).toEqual(['cancelled', 'completed', 'errored']);
    expect(t.violations).toEqual([]);
    expect(t.pendingWork).toEqual([]);
  });

  it('runs controls by name on every policy that has them, and by function', () => {
    const scheduler = trackedScheduler();
    const breaker = circuitBreaker({ name: 'b', scheduler });
    const seen: number[] = [];
    const t = runScenario(breaker, [
      { type: 'control', action: 'isolate' },
      { type: 'advance', ms: 5 },
      { type: 'control', run: ({ now }) => seen.push(now) },
      { type: 'call', outcome: 'success', duration: 1 },
      { type: 'control', action: 'reset' },
    ], { scheduler, settle: 10 });
    expect(seen).toEqual([5]);
    expect(t.calls[0]!.outcome).toBe('errored');
    expectStates(breaker, '(ci) 1ms c');
  });

  it('reports hanging calls as unfinished, and what they leave pending', () => {
    const scheduler = trackedScheduler();
    const limit = timeLimit({ name: 't', duration: 50, scheduler });
    const t = runScenario(limit, [{ type: 'call', outcome: 'hang', duration: 0 }], { scheduler, settle: 10 });
    expect(t.calls[0]!.outcome).toBe('unfinished');
    // The time limit's one action is cancelled lazily: it is left until the call's deadline (50), then ends by itself.
    expect(t.pendingWork).toHaveLength(1);
    scheduler.base.flush();
    expect(scheduler.base.now()).toBe(50);
    expect(noPendingWork(scheduler)).toEqual([]);
  });

  it('maps HTTP outcomes to calls, and a retry honours Retry-After', () => {
    const scheduler = trackedScheduler();
    const retry = retryBackoff({ name: 'r', maxAttempts: 2, backoff: constant(10), maxDelay: 5_000, scheduler });
    const call = httpCall({ status: 429, latency: 5, retryAfter: 2 });
    const t = runScenario(retry, [{ ...call, then: ['success'] }], { scheduler, settle: 3_000 });
    expect(t.upstream.map((c) => c.startedAt)).toEqual([0, 2_005]);
    expect(t.calls[0]!.outcome).toBe('completed');
    expect(t.violations).toEqual([]);
    expect(httpCall({ status: 0, latency: 3, reset: true }).error).toEqual({ code: 'ECONNRESET' });
    expect(httpCall({ status: 204, latency: 3 }).outcome).toBe('success');
  });

  it('checks every part of a composed pipeline from the outside', () => {
    const scheduler = trackedScheduler();
    const pool = bulkhead({ name: 'pool', maxConcurrent: 1, maxQueued: 1, scheduler });
    const breaker = circuitBreaker({ name: 'b', scheduler });
    const t = runScenario((u) => u.pipe(pool, breaker), [
      { type: 'call', outcome: 'success', duration: 10 },
      { type: 'call', outcome: 'success', duration: 10 },
      { type: 'call', outcome: 'success', duration: 10 },
    ], { scheduler, policies: [pool, breaker], settle: 50 });
    expect(t.calls.map((c) => c.outcome)).toEqual(['completed', 'completed', 'errored']);
    expect(t.violations).toEqual([]);
    // A queue inside the breaker may start a call the breaker admitted before it opened.
    expect(t.skipped).toEqual([
      "b: no call while open (bulkhead 'pool' inside it may start a call the breaker admitted earlier)",
      "b: half-open trial limit (bulkhead 'pool' inside it)",
    ]);
    const s2 = trackedScheduler();
    const [pool2, breaker2] = [bulkhead({ maxConcurrent: 1, maxQueued: 1, scheduler: s2 }), circuitBreaker({ scheduler: s2 })];
    const outer = runScenario((u) => u.pipe(breaker2, pool2), [{ type: 'call', outcome: 'success', duration: 1 }], { scheduler: s2, policies: [breaker2, pool2], settle: 5 });
    expect(outer.skipped).toEqual([]);
  });
});
