import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { fixedWindow, slidingWindow, tokenBucket } from 'rx-resilience';
import { runScenario as runKitScenario, trackedScheduler } from 'rx-resilience/testing';
import { callCommandsArb, rateLimitConfigArb } from 'rx-resilience/testing/arbitraries';
import { inArrivalOrder, runScenario, scenarioArb } from './scenario.js';

const configArb = fc
  .record({
    capacity: fc.integer({ min: 1, max: 5 }),
    tokens: fc.integer({ min: 1, max: 3 }),
    every: fc.integer({ min: 1, max: 30 }),
    costShare: fc.constantFrom(0.5, 1, 2),
    mode: fc.constantFrom('reject' as const, 'wait' as const),
    maxWait: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined }),
  })
  .map((c) => ({ ...c, cost: Math.min(c.capacity, c.costShare), maxWait: c.mode === 'wait' ? c.maxWait : undefined }));

describe('tokenBucket properties', () => {
  test.prop([configArb, scenarioArb()])('over any interval of length t, admitted cost <= capacity + rate·t; nothing left scheduled', (config, calls) => {
    const run = runScenario(
      calls,
      (scheduler) => tokenBucket({ capacity: config.capacity, refill: { tokens: config.tokens, every: config.every }, cost: config.cost, mode: config.mode, maxWait: config.maxWait, scheduler }),
      { capacity: config.capacity, tokens: config.tokens, every: config.every, cost: config.cost },
    );
    expect(run.violations).toEqual([]);
    expect(run.leftover).toBe(0);
  });

  test.prop([configArb, scenarioArb()])('wait mode admits each key in arrival order', (config, calls) => {
    const run = runScenario(
      calls,
      (scheduler) => tokenBucket({ capacity: config.capacity, refill: { tokens: config.tokens, every: config.every }, cost: config.cost, mode: 'wait', maxWait: config.maxWait, scheduler }),
      { capacity: config.capacity, tokens: config.tokens, every: config.every, cost: config.cost },
    );
    expect(inArrivalOrder(calls, run.order.a)).toBe(true);
    expect(inArrivalOrder(calls, run.order.b)).toBe(true);
  });

  test.prop([configArb, scenarioArb()])('a cancelled waiter never consumes tokens: the others are admitted as if it never came', (config, calls) => {
    const make = (scheduler: Parameters<Parameters<typeof runScenario>[1]>[0]) =>
      tokenBucket({ capacity: config.capacity, refill: { tokens: config.tokens, every: config.every }, cost: config.cost, mode: 'wait', scheduler });
    const bound = { capacity: config.capacity, tokens: config.tokens, every: config.every, cost: config.cost };
    const withThem = runScenario(calls, make, bound);
    const without = runScenario(calls, make, bound, withThem.cancelledWaiting);
    expect(without.admitted).toEqual(withThem.admitted);
  });

  // The kit's per-key law, as a consumer states it: each limiter judged against its own settings.
  test.prop([rateLimitConfigArb(), callCommandsArb({ keys: ['a', 'b', 'c'] })])('every fixed limiter keeps capacity + rate·t (or its window limit) for every key', (spec, commands) => {
    const scheduler = trackedScheduler();
    const limiter =
      spec.kind === 'token-bucket' ? tokenBucket({ ...spec.config, scheduler }) : spec.kind === 'sliding-window' ? slidingWindow({ ...spec.config, scheduler }) : fixedWindow({ ...spec.config, scheduler });
    const timeline = runKitScenario((upstream, call) => upstream.pipe(limiter.forKey(call.key!)), commands, { scheduler, policies: limiter, settle: 1_000 });
    expect(timeline.violations).toEqual([]);
    expect(timeline.pendingWork).toEqual([]);
  });
});
