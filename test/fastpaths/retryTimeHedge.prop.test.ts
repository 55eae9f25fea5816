/**
 * The fast paths agree with the general path: the same random scenario (calls made of scripted
 * attempts, at random instants) run through retryBackoff, timeLimit and hedge, with and without a
 * listener on `events$`, and with and without the options that make a policy read the clock for
 * every call (`latency`, a `maxElapsed` that never binds), gives the same outcomes, the same
 * events (wherever a listener sees them) and the same stats.
 */
import { fc, test } from '@fast-check/vitest';
import { Observable, VirtualTimeScheduler, type SchedulerLike } from 'rxjs';
import { describe, expect } from 'vitest';
import { constant, hedge, retryBackoff, timeLimit } from 'rx-resilience';

type Reply = { status: number };
type Step = { after: number; kind: 'ok' | 'bad' | 'error' | 'hang' };
type Call = { start: number; steps: Step[] };

const stepArb: fc.Arbitrary<Step> = fc.record({ after: fc.integer({ min: 0, max: 8 }), kind: fc.constantFrom('ok', 'bad', 'error', 'hang') });
const callsArb = fc.array(fc.record({ start: fc.integer({ min: 0, max: 40 }), steps: fc.array(stepArb, { minLength: 1, maxLength: 4 }) }), { minLength: 1, maxLength: 8 });
const isFailureResult = (r: Reply) => r.status >= 500;
const boom = new Error('boom');

interface Policy {
  <V extends Reply>(source: Observable<V>): Observable<V>;
  readonly events$: Observable<unknown>;
  stats(): object;
}

/** Runs `calls` through the policy `build` makes; `listen` attaches a listener to its events first. */
function runScenario(calls: Call[], build: (scheduler: SchedulerLike) => Policy, listen: boolean) {
  const scheduler = new VirtualTimeScheduler(undefined, 10_000);
  const policy = build(scheduler);
  const events: unknown[] = [];
  if (listen) policy.events$.subscribe((e) => events.push(e));
  const outcomes = calls.map(() => [] as string[]);
  calls.forEach((call, i) => {
    let attempt = 0;
    const source = new Observable<Reply>((subscriber) => {
      const step = call.steps[Math.min(attempt++, call.steps.length - 1)]!;
      const act = () => {
        if (step.kind === 'error') return subscriber.error(boom);
        if (step.kind === 'hang') return;
        subscriber.next({ status: step.kind === 'ok' ? 200 : 503 });
        subscriber.complete();
      };
      if (step.after === 0) return act();
      const action = scheduler.schedule(act, step.after);
      return () => action.unsubscribe();
    });
    const log = outcomes[i]!;
    scheduler.schedule(() => {
      source.pipe(policy).subscribe({
        next: (v) => log.push(`${v.status}@${scheduler.now()}`),
        error: (e: unknown) => log.push(`error:${e === boom ? 'boom' : ((e as { code?: string }).code ?? String(e))}@${scheduler.now()}`),
        complete: () => log.push(`complete@${scheduler.now()}`),
      });
    }, call.start);
  });
  scheduler.flush();
  return { outcomes, events, stats: policy.stats() as Record<string, unknown> };
}

/** Runs the four variants (fast or general path, listener or not) and checks that they agree. */
function expectAgreement(calls: Call[], build: (scheduler: SchedulerLike, general: boolean) => Policy): void {
  const fastQuiet = runScenario(calls, (s) => build(s, false), false);
  const fastHeard = runScenario(calls, (s) => build(s, false), true);
  const generalQuiet = runScenario(calls, (s) => build(s, true), false);
  const generalHeard = runScenario(calls, (s) => build(s, true), true);
  for (const other of [fastHeard, generalQuiet, generalHeard]) expect(other.outcomes).toEqual(fastQuiet.outcomes);
  expect(generalHeard.events).toEqual(fastHeard.events);
  expect(fastQuiet.events).toEqual([]);
  const { latency, ...rest } = generalHeard.stats;
  expect(fastQuiet.stats).toEqual(rest);
  expect(fastHeard.stats).toEqual(rest);
  expect(generalQuiet.stats).toEqual(generalHeard.stats);
  if (latency !== undefined) {
    // Every call that ended (cancelled ones aside: there are none here) was measured.
    const ended = fastQuiet.outcomes.filter((log) => log.some((entry) => /^(complete|error)/.test(entry))).length;
    expect((latency as { count: number }).count).toBe(ended);
  }
}

describe('fast paths agree with the general path', () => {
  test.prop([callsArb, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 5 }), fc.boolean()], { numRuns: 150 })(
    'retryBackoff',
    (calls, maxAttempts, wait, judge) => {
      expectAgreement(calls, (scheduler, general) =>
        retryBackoff<Reply>({
          name: 'r',
          maxAttempts,
          backoff: constant(wait),
          scheduler,
          ...(judge ? { isFailureResult } : {}),
          ...(general ? { latency: true, maxElapsed: 1_000_000 } : {}),
        }),
      );
    },
  );

  test.prop([callsArb, fc.integer({ min: 1, max: 12 }), fc.boolean()], { numRuns: 150 })('timeLimit', (calls, duration, each) => {
    expectAgreement(calls, (scheduler, general) => timeLimit({ name: 't', scheduler, ...(each ? { each: duration } : { duration }), ...(general ? { latency: true } : {}) }));
  });

  test.prop([callsArb, fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 2 }), fc.boolean()], { numRuns: 150 })('hedge', (calls, delay, maxHedges, judge) => {
    // hedge has no clock-reading option: its general path is the one with a listener.
    expectAgreement(calls, (scheduler) => hedge<Reply>({ name: 'h', delay, maxHedges, scheduler, ...(judge ? { isFailureResult } : {}) }));
  });
});
