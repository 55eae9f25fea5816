/**
 * Property tests of hedging over random attempt scripts, delays, hedge counts and caller
 * unsubscribes, on a VirtualTimeScheduler driven by hand.
 */
import { fc, test } from '@fast-check/vitest';
import { defer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect } from 'vitest';
import { hedge } from 'rx-resilience';
import { noPendingWork, scriptedService, trackedScheduler, type ScriptStep } from 'rx-resilience/testing';

const stepArb: fc.Arbitrary<'hang' | { ok: boolean; after: number }> = fc.oneof(
  fc.constant('hang' as const),
  fc.record({ ok: fc.boolean(), after: fc.integer({ min: 0, max: 12 }) }),
);

describe('hedge properties', () => {
  test.prop([
    fc.integer({ min: 0, max: 6 }),
    fc.integer({ min: 0, max: 3 }),
    fc.array(stepArb, { minLength: 1, maxLength: 5 }),
    fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
  ])('never runs more than 1 + maxHedges attempts, picks one winner, and leaves nothing behind', (delay, maxHedges, steps, unsubscribeAt) => {
    // The kit's tracked scheduler tells what is left pending, through public API only.
    const scheduler = trackedScheduler();
    scheduler.base.maxFrames = Infinity;
    const script = (i: number): ScriptStep<number> => {
      const step = steps[i % steps.length]!;
      if (step === 'hang') return { hang: true };
      return step.ok ? { ok: i, after: step.after } : { fail: `e${i}`, after: step.after };
    };
    const service = scriptedService(script, scheduler);
    const values: number[] = [];
    let end: { kind: 'complete' } | { kind: 'error'; error: unknown } | undefined;
    const sub = defer(() => service.call())
      .pipe(hedge({ delay, maxHedges, scheduler }))
      .subscribe({ next: (v) => values.push(v), complete: () => (end = { kind: 'complete' }), error: (error) => (end = { kind: 'error', error }) });
    if (unsubscribeAt !== undefined) scheduler.schedule(() => sub.unsubscribe(), unsubscribeAt);
    scheduler.base.flush();

    const calls = service.calls;
    expect(calls.length).toBeLessThanOrEqual(1 + maxHedges);
    expect(noPendingWork(scheduler)).toEqual([]);
    // Each later attempt starts `delay` after the previous one, or when an earlier one failed.
    calls.forEach((call, i) => {
      if (i === 0) return expect(call.startedAt).toBe(0);
      const failedAt = calls.slice(0, i).filter((c) => c.end === 'errored').map((c) => c.endedAt);
      expect([calls[i - 1]!.startedAt + delay, ...failedAt]).toContain(call.startedAt);
    });
    if (end === undefined && !sub.closed) {
      // Every attempt still running hangs; nothing has answered yet.
      expect(calls.every((c) => c.end === undefined || c.end === 'errored')).toBe(true);
      return;
    }
    expect(service.active).toBe(0);
    if (end?.kind === 'complete') {
      const winners = calls.filter((c) => c.end === 'completed');
      expect(winners).toHaveLength(1);
      expect(values).toEqual([winners[0]!.index]);
      expect(calls.every((c) => c.end !== 'completed' || c.endedAt! >= winners[0]!.endedAt!)).toBe(true);
    } else if (end?.kind === 'error') {
      expect(calls).toHaveLength(1 + maxHedges);
      expect(calls.every((c) => c.end === 'errored')).toBe(true);
      const last = Math.max(...calls.map((c) => c.endedAt!));
      expect(calls.filter((c) => c.endedAt === last).map((c) => `e${c.index}`)).toContain(end.error);
      expect(values).toEqual([]);
    }
  });

  test.prop([fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 3 }), fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 4 })])(
    'the answer comes from the first attempt able to answer (all succeed)',
    (delay, maxHedges, latencies) => {
      const scheduler = new VirtualTimeScheduler();
      const service = scriptedService<number>((i) => ({ ok: i, after: latencies[i % latencies.length]! }), scheduler);
      let answeredAt = -1;
      let winner = -1;
      defer(() => service.call()).pipe(hedge({ delay, maxHedges, scheduler })).subscribe((v) => {
        winner = v;
        answeredAt = scheduler.now();
      });
      scheduler.flush();
      // Reference: attempt i starts at i·delay while nobody has answered; the earliest finish wins.
      let best = Number.POSITIVE_INFINITY;
      for (let i = 0; i <= maxHedges && i * delay < best; i++) best = Math.min(best, i * delay + latencies[i % latencies.length]!);
      expect(answeredAt).toBe(best);
      expect(service.calls[winner]!.startedAt + latencies[winner % latencies.length]!).toBe(best);
    },
  );
});
