/**
 * Property tests of the composed payment pipeline, written as a consumer writes them: random
 * HTTP-shaped traffic with fault injection switched on and off, run with `runScenario`, every
 * policy checked against its own laws, nothing left pending.
 */
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectStates, runScenario, trackedScheduler, type CallCommand } from 'rx-resilience/testing';
import { httpCommandsArb } from 'rx-resilience/testing/arbitraries';
import { paymentPipeline } from '../src/pipeline.js';

/** Traffic with fault injection turned on and off at random points. */
const trafficArb = fc
  .tuple(httpCommandsArb({ maxLength: 40 }), fc.array(fc.nat({ max: 40 }), { maxLength: 4 }))
  .map(([commands, switches]) => ({ commands, switches }));

describe('payment pipeline', () => {
  test.prop([trafficArb, fc.integer()])('keeps every law of every part under random traffic and faults', ({ commands, switches }, seed) => {
    const scheduler = trackedScheduler();
    const pipeline = paymentPipeline(scheduler, mulberry(seed));
    const steps: CallCommand[] = [...commands];
    switches.forEach((at, i) => steps.splice(Math.min(at, steps.length), 0, { type: 'control', label: 'faults', run: () => pipeline.faults.next(i % 2 === 0) }));
    const timeline = runScenario(pipeline.call, steps, { scheduler, policies: pipeline.parts, settle: 30_000 });
    expect(timeline.violations).toEqual([]);
    expect(timeline.skipped).toEqual([]);
    expect(timeline.pendingWork).toEqual([]);
    // Every call ends: with a value, or an error the caller can act on.
    expect(timeline.calls.filter((c) => c.outcome === 'unfinished')).toEqual([]);
  });

  it('opens after a burst of injected faults and recovers once they stop', () => {
    const scheduler = trackedScheduler();
    const pipeline = paymentPipeline(scheduler, () => 0);
    const call: CallCommand = { type: 'call', outcome: 'success', duration: 10 };
    const timeline = runScenario(pipeline.call, [
      { type: 'control', label: 'faults on', run: () => pipeline.faults.next(true) },
      call, call,
      { type: 'control', label: 'faults off', run: () => pipeline.faults.next(false) },
      { type: 'advance', ms: 1_000 },
      call, call,
    ], { scheduler, policies: pipeline.parts, settle: 100 });
    expect(timeline.violations).toEqual([]);
    expect(timeline.calls.map((c) => c.outcome)).toEqual(['errored', 'errored', 'completed', 'completed']);
    // Five injected failures open the breaker at once; the break ends at 1 000; two trials close it.
    expectStates(pipeline.breaker, '(co) 996ms h 9ms c', { c: 'closed', o: 'open', h: 'half-open' });
  });
});

/** A small seeded generator, so a failing case replays with its seed. */
function mulberry(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
