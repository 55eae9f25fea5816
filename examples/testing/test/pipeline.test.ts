/**
 * Tests of the composed payment pipeline, written as a consumer writes them: random HTTP-shaped
 * traffic with the chaos policy switched on and off by control steps, run with `runScenario`,
 * every policy checked against its own laws, nothing left pending; a marble test of the breaker;
 * and a chaos experiment run during a scenario, whose report is checked against the timeline.
 */
import { test } from '@fast-check/vitest';
import fc from 'fast-check';
import { map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chaosExperiment, seededRandom, type ChaosExperimentReport } from 'rx-resilience';
import { expectStates, runScenario, trackedScheduler, type CallCommand } from 'rx-resilience/testing';
import { httpCommandsArb } from 'rx-resilience/testing/arbitraries';
import { paymentPipeline } from '../src/pipeline.js';

/** Traffic with the chaos policy switched on and off at random points, at a random rate. */
const trafficArb = fc
  .tuple(httpCommandsArb({ maxLength: 40 }), fc.array(fc.nat({ max: 40 }), { maxLength: 4 }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([commands, switches, rate]) => ({ commands, switches, rate }));

describe('payment pipeline', () => {
  test.prop([trafficArb, fc.nat()])('keeps every law of every part under random traffic and faults', ({ commands, switches, rate }, seed) => {
    const scheduler = trackedScheduler();
    const payments = paymentPipeline(scheduler, { random: seededRandom(seed), rate, seed });
    const steps: CallCommand[] = [...commands];
    switches.forEach((at, i) => steps.splice(Math.min(at, steps.length), 0, { type: 'control', label: 'faults', run: () => payments.faults.next(i % 2 === 0) }));
    const timeline = runScenario(payments.call, steps, { scheduler, policies: payments.parts, settle: 30_000 });
    expect(timeline.violations).toEqual([]);
    expect(timeline.skipped).toEqual([]);
    expect(timeline.pendingWork).toEqual([]);
    // Every call ends: with a value, or an error the caller can act on.
    expect(timeline.calls.filter((c) => c.outcome === 'unfinished')).toEqual([]);
    // The chaos policy is watched too: its injections are in the timeline, as many as it counted.
    expect(timeline.events.filter((e) => e.policy === 'payments-chaos')).toHaveLength(payments.chaos.stats().injections);
  });

  it('opens after a burst of injected faults and recovers once they stop', () => {
    const scheduler = trackedScheduler();
    const payments = paymentPipeline(scheduler, { random: () => 0 });
    const call: CallCommand = { type: 'call', outcome: 'success', duration: 10 };
    const timeline = runScenario(payments.call, [
      { type: 'control', label: 'faults on', run: () => payments.faults.next(true) },
      call, call,
      { type: 'control', label: 'faults off', run: () => payments.faults.next(false) },
      { type: 'advance', ms: 1_000 },
      call, call,
    ], { scheduler, policies: payments.parts, settle: 100 });
    expect(timeline.violations).toEqual([]);
    expect(timeline.calls.map((c) => c.outcome)).toEqual(['errored', 'errored', 'completed', 'completed']);
    // Five injected failures open the breaker at once; the break ends at 1 000; two trials close it.
    expectStates(payments.breaker, '(co) 996ms h 9ms c', { c: 'closed', o: 'open', h: 'half-open' });
  });

  it('runs a chaos experiment until the breaker opens, and its report agrees with the timeline', () => {
    const scheduler = trackedScheduler();
    // Every call fails while the faults are on (rate 1); a fixed jitter keeps the retry times round.
    const payments = paymentPipeline(scheduler, { random: () => 0.5 });
    const experiment = chaosExperiment({
      name: 'payments-outage',
      inject: [payments.chaos],
      duration: 5_000,
      abortWhen: payments.breaker.state$.pipe(map((state) => state === 'open')), // the emergency stop
      observe: [payments.breaker],
      recoveryTimeout: 3_000,
      scheduler,
    });
    // The experiment enlisted the chaos policy: with its switch on, it injects only during a run.
    payments.faults.next(true);
    const reports: ChaosExperimentReport[] = [];
    const call: CallCommand = { type: 'call', outcome: 'success', duration: 10 };
    const timeline = runScenario(
      // `measure` goes outermost, where the callers see the results.
      (upstream) => payments.call(upstream).pipe(experiment.measure),
      [
        call, call, // before the run: nothing injected, nothing counted
        { type: 'advance', ms: 100 },
        { type: 'control', label: 'experiment', run: () => experiment.report$.subscribe((r) => reports.push(r)) },
        call, // fails at 100 and 125 (injected), then is refused at 175: it errors
        { type: 'advance', ms: 10 },
        call, // fails at 110; the failure at 125 makes 3 in 5 calls: the breaker opens, the run stops
        { type: 'advance', ms: 90 },
        call, call, // after the stop: refused while open, retried after the break
        { type: 'advance', ms: 1_000 },
        call, call,
      ],
      { scheduler, policies: payments.parts, settle: 5_000 },
    );
    expect(timeline.violations).toEqual([]);
    expect(timeline.skipped).toEqual([]);
    expect(timeline.pendingWork).toEqual([]);
    expect(reports).toHaveLength(1);
    const report = reports[0]!;
    // Three injections; two calls started during the run: the first errored, the second waited out
    // the break and completed as the trial that closed the breaker at 1 135, which made the report.
    expect(report).toMatchObject({ experiment: 'payments-outage', startedAt: 100, stoppedAt: 125, reportedAt: 1_135, injections: { total: 3 }, calls: { started: 2, errors: 1, completed: 0 } });

    // Aborted: the faults went off the instant the breaker opened, before the duration ran out.
    const breakerStates = timeline.states.filter((s) => s.policy === 'payments');
    const opened = breakerStates.find((s) => s.value === 'open');
    expect(report).toMatchObject({ aborted: true, abortReason: 'abortWhen emitted true' });
    expect(report.stoppedAt).toBe(opened?.at);
    expect(report.stoppedAt).toBeLessThan(report.startedAt + 5_000);

    // Injections: those the timeline recorded, all during the run, and none outside it.
    const injections = timeline.events.filter((e) => e.policy === 'payments-chaos' && e.event.type === 'injection');
    expect(injections.length).toBeGreaterThan(0);
    expect(injections.every((e) => e.at >= report.startedAt && e.at <= report.stoppedAt)).toBe(true);
    expect(report.injections).toEqual({ total: injections.length, byFault: { latency: 0, error: injections.length, result: 0, behavior: 0 }, byPolicy: { 'payments-chaos': injections.length } });
    expect(report.lastInjectionAt).toBe(injections.at(-1)!.at);

    // Calls: those that started while the faults were on (no call starts at the stop's instant
    // here, so the times tell), and how they ended before the report. A call that ends at the
    // report's instant ended after it: the breaker closes on a trial's success before the caller hears of it.
    expect(timeline.calls.filter((c) => c.startedAt === report.stoppedAt)).toEqual([]);
    const during = timeline.calls.filter((c) => c.startedAt >= report.startedAt && c.startedAt < report.stoppedAt);
    const endedBy = (outcome: string) => during.filter((c) => c.outcome === outcome && c.endedAt !== undefined && c.endedAt < report.reportedAt).length;
    expect(during.length).toBeGreaterThan(0);
    expect(report.calls).toEqual({ started: during.length, errors: endedBy('errored'), completed: endedBy('completed') });

    // The breaker: the transitions the timeline saw from the start of the run to the report
    // (made once the breaker had closed again).
    const run = [breakerStates.filter((s) => s.at <= report.startedAt).at(-1)!, ...breakerStates.filter((s) => s.at > report.startedAt && s.at <= report.reportedAt)];
    const transitions = run.slice(1).map((s, i) => ({ from: run[i]!.value, to: s.value, at: s.at })).filter((t) => t.from !== t.to);
    expect(transitions.length).toBeGreaterThan(0);
    expect(report.breakers).toHaveLength(1);
    expect(report.breakers[0]!.transitions).toEqual(transitions);
    expect(report.breakers[0]!.state).toBe('closed');
    expect(report.breakers[0]!.timeToRecover).toBe(report.reportedAt - report.lastInjectionAt!);

    // Faults off once the run stopped, though the switch is still on: the policy was active only
    // during the run, and every call through it was either injected or reached the dependency.
    expect(payments.chaos.stats()).toMatchObject({ enabled: true, enlisted: true, active: false, injections: injections.length });
    const chaosStates = timeline.states.filter((s) => s.policy === 'payments-chaos') as { at: number; value: { active: boolean } }[];
    expect(chaosStates.filter((s) => s.value.active).every((s) => s.at >= report.startedAt && s.at <= report.stoppedAt)).toBe(true);
    expect(chaosStates.at(-1)).toMatchObject({ at: report.stoppedAt, value: { active: false } });
    expect(payments.chaos.stats().calls).toBe(injections.length + timeline.upstream.length);
  });
});
