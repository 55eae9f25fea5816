/**
 * Whatever happens in whatever order (runs starting and overlapping, calls, time passing, aborts,
 * an erroring abortWhen, unsubscribes), a chaos policy injects exactly while some run of an
 * experiment listing it is in its fault phase; every run ends with the faults off; nothing stays
 * scheduled once time has run out.
 */
import { fc, test } from '@fast-check/vitest';
import { catchError, of, Subject, type Subscription } from 'rxjs';
import { describe, expect } from 'vitest';
import { chaos, chaosExperiment, circuitBreaker, errorFault, latencyFault, type ChaosExperimentReport } from 'rx-resilience';
import { liveActions, virtualTime } from '../helpers/schedulers.js';

type Command =
  | { readonly type: 'start' }
  | { readonly type: 'unsubscribe'; readonly pick: number }
  | { readonly type: 'call' }
  | { readonly type: 'advance'; readonly ms: number }
  | { readonly type: 'abort'; readonly value: boolean | string }
  | { readonly type: 'abort-error' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ type: 'start' as const }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('unsubscribe' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.constant({ type: 'call' as const }) },
  { weight: 4, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 15 }) }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('abort' as const), value: fc.constantFrom<boolean | string>(true, false, '', 'stop') }) },
  { weight: 1, arbitrary: fc.constant({ type: 'abort-error' as const }) },
);

interface RunModel {
  readonly startedAt: number;
  on: boolean;
  ended: 'duration' | 'abort' | 'unsubscribe' | undefined;
  subscription: Subscription | undefined;
  reports: ChaosExperimentReport[];
  completed: boolean;
}

describe('chaosExperiment properties', () => {
  test.prop([fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 20 }), fc.array(commandArb, { maxLength: 60 })], { numRuns: 300 })(
    'faults are on exactly while a run is in its fault phase, and off on every path',
    (duration, recoveryTimeout, commands) => {
      const vt = virtualTime();
      const { scheduler, live } = liveActions(vt);
      const errorChaos = chaos({ name: 'err', rate: 1, fault: errorFault(), random: () => 0, scheduler });
      const slowChaos = chaos({ name: 'slow', rate: 1, fault: latencyFault(3), random: () => 0, scheduler });
      const breaker = circuitBreaker({ name: 'db', strategy: { kind: 'consecutive', failures: 2 }, breakDuration: 7, scheduler });
      const abort$ = new Subject<boolean | string>();
      let abortErrored = false;
      const experiment = chaosExperiment({ inject: [errorChaos, slowChaos], duration, recoveryTimeout, abortWhen: abort$, observe: [breaker], scheduler });
      const runs: RunModel[] = [];
      let clock = 0;

      const expire = () => {
        for (const run of runs) {
          if (run.on && clock >= run.startedAt + duration) {
            run.on = false;
            run.ended = 'duration';
          }
        }
      };
      const check = () => {
        const on = runs.some((r) => r.on);
        expect(errorChaos.stats().active).toBe(on);
        expect(slowChaos.stats().active).toBe(on);
      };

      for (const command of commands) {
        switch (command.type) {
          case 'start': {
            const run: RunModel = { startedAt: clock, on: !abortErrored, ended: abortErrored ? 'abort' : undefined, subscription: undefined, reports: [], completed: false };
            runs.push(run);
            run.subscription = experiment.report$.subscribe({ next: (r) => run.reports.push(r), complete: () => (run.completed = true) });
            break;
          }
          case 'unsubscribe': {
            const run = runs[command.pick % Math.max(1, runs.length)];
            if (run === undefined) break;
            if (!run.completed && run.ended !== 'unsubscribe') {
              run.on = false;
              run.ended = 'unsubscribe';
            }
            run.subscription?.unsubscribe();
            break;
          }
          case 'call':
            of(1).pipe(slowChaos, errorChaos, breaker, experiment.measure, catchError(() => of(0))).subscribe();
            break;
          case 'advance': {
            clock += command.ms;
            vt.maxFrames = clock;
            vt.schedule(() => undefined, clock - vt.now());
            vt.flush();
            expire();
            break;
          }
          case 'abort':
            if (abortErrored) break;
            abort$.next(command.value);
            if (command.value === true || command.value === 'stop') {
              for (const run of runs.filter((r) => r.on)) {
                run.on = false;
                run.ended = 'abort';
              }
            }
            break;
          case 'abort-error':
            if (abortErrored) break;
            abortErrored = true;
            abort$.error(new Error('abort source failed'));
            for (const run of runs.filter((r) => r.on)) {
              run.on = false;
              run.ended = 'abort';
            }
            break;
        }
        check();
      }

      // Let time run out: every run ends, every timer fires.
      vt.maxFrames = Number.POSITIVE_INFINITY;
      vt.flush();
      clock = Number.POSITIVE_INFINITY;
      expire();
      check();
      expect(errorChaos.stats().active).toBe(false);
      expect(live()).toBe(0);
      for (const run of runs) {
        expect(run.reports.length).toBe(run.ended === 'unsubscribe' ? 0 : 1);
        if (run.ended !== 'unsubscribe') {
          const report = run.reports[0]!;
          expect(run.completed).toBe(true);
          expect(report.aborted).toBe(run.ended === 'abort');
          expect((report.injections.byPolicy.err ?? 0) + (report.injections.byPolicy.slow ?? 0)).toBe(report.injections.total);
          expect(report.injections.byFault.error + report.injections.byFault.latency).toBe(report.injections.total);
          expect(report.calls.errors + report.calls.completed).toBeLessThanOrEqual(report.calls.started);
          expect(report.stoppedAt).toBeLessThanOrEqual(report.reportedAt);
          expect(report.reportedAt - report.stoppedAt).toBeLessThanOrEqual(recoveryTimeout);
        }
      }
    },
  );
});
