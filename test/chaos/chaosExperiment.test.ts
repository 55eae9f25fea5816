import { BehaviorSubject, catchError, map, mergeMap, Observable, of, Subject, take, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  chaos,
  chaosExperiment,
  circuitBreaker,
  errorFault,
  latencyFault,
  resilienceKind,
  resilienceRegistry,
  type Chaos,
  type ChaosExperimentReport,
} from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';
import { liveActions, virtualTime } from '../helpers/schedulers.js';

const always = () => 0;
const failing = (name: string, scheduler?: Parameters<typeof chaos>[0]['scheduler']) =>
  chaos({ name, rate: 1, fault: errorFault(() => 'x'), random: always, ...(scheduler === undefined ? {} : { scheduler }) });

/** The report's fields that the timing tests read. */
const brief = (r: ChaosExperimentReport) => ({ stoppedAt: r.stoppedAt, aborted: r.aborted, abortReason: r.abortReason, injections: r.injections.total, calls: r.calls });

describe('chaosExperiment: timing (marbles)', () => {
  it('turns the faults on for duration, then reports once and completes', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const p = failing('p');
      const experiment = chaosExperiment({ name: 'e', inject: [p], duration: 4 });
      const call = () => of('v').pipe(p, experiment.measure, catchError(() => of('E')));
      expectObservable(experiment.report$.pipe(map(brief))).toBe('----(r|)', {
        r: { stoppedAt: 4, aborted: false, abortReason: null, injections: 2, calls: { started: 2, errors: 2, completed: 0 } },
      });
      expectObservable(cold('a-a-a-a|').pipe(mergeMap(call))).toBe('E-E-v-v|');
    });
  });

  it('before and after a run, an enlisted policy injects nothing', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const p = failing('p');
      const experiment = chaosExperiment({ inject: [p], duration: 3 });
      const call = () => of('v').pipe(p, catchError(() => of('E')));
      expectObservable(cold('--a|').pipe(mergeMap(() => experiment.report$)).pipe(map(() => 'r'))).toBe('-----(r|)');
      expectObservable(cold('a-a-a-a-a-a|').pipe(mergeMap(call))).toBe('v-E-E-v-v-v|');
    });
  });

  it('abortWhen stops every fault at once and says why', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const a = failing('a');
      const b = chaos({ name: 'b', rate: 1, fault: latencyFault(1), random: always });
      const abort = hot<boolean>('--f-t', { f: false, t: true });
      const experiment = chaosExperiment({ inject: [a, b], duration: 100, abortWhen: abort });
      expectObservable(experiment.report$.pipe(map(brief))).toBe('----(r|)', {
        r: { stoppedAt: 4, aborted: true, abortReason: 'abortWhen emitted true', injections: 6, calls: { started: 0, errors: 0, completed: 0 } },
      });
      const call = () => of('v').pipe(a, catchError(() => of('E')));
      const slow = () => of('s').pipe(b);
      expectObservable(cold('aaaaaa|').pipe(mergeMap(call))).toBe('EEEEvv|');
      // the abort comes first at frame 4 (a hot source's frames are scheduled before the calls)
      expectObservable(cold('a-a-a|').pipe(mergeMap(slow))).toBe('-s-ss|');
    });
  });

  it('a string from abortWhen is the reason', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const experiment = chaosExperiment({ inject: [failing('p')], duration: 10, abortWhen: hot('---m', { m: 'mode EMERGENCY' }) });
      expectObservable(experiment.report$.pipe(map((r) => r.abortReason))).toBe('---(r|)', { r: 'mode EMERGENCY' });
    });
  });

  it('an error of abortWhen aborts, with the error in the report', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const boom = new Error('metrics down');
      const experiment = chaosExperiment({ inject: [failing('p')], duration: 10, abortWhen: hot('--#', undefined, boom) });
      expectObservable(experiment.report$.pipe(map((r) => [r.aborted, r.abortReason, r.abortError]))).toBe('--(r|)', { r: [true, 'abortWhen errored', boom] });
    });
  });

  it('an abortWhen already true never turns the faults on', () => {
    const p = failing('p');
    const experiment = chaosExperiment({ inject: [p], duration: 10, abortWhen: new BehaviorSubject(true) });
    let engaged = false;
    p.state$.subscribe((s) => (engaged ||= s.active));
    const reports: ChaosExperimentReport[] = [];
    experiment.report$.subscribe((r) => reports.push(r));
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ aborted: true, abortReason: 'abortWhen emitted true', injections: { total: 0 } });
    expect(engaged).toBe(false);
  });

  it('watches breakers: transitions, and the time to recover from the last injection', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const p = failing('db-chaos');
      const breaker = circuitBreaker({ name: 'db', strategy: { kind: 'consecutive', failures: 2 }, breakDuration: 10 });
      const experiment = chaosExperiment({ inject: [p], duration: 6, observe: [breaker], recoveryTimeout: 50 });
      const call = () => of('v').pipe(p, breaker, experiment.measure, catchError(() => of('E')));
      expectObservable(experiment.report$.pipe(map((r) => ({ breakers: r.breakers, last: r.lastInjectionAt, stopped: r.stoppedAt, calls: r.calls })))).toBe('------------(r|)', {
        r: {
          breakers: [
            {
              name: 'db',
              state: 'closed',
              transitions: [
                { from: 'closed', to: 'open', at: 2 },
                { from: 'open', to: 'half-open', at: 12 },
                { from: 'half-open', to: 'closed', at: 12 },
              ],
              timeToRecover: 10,
            },
          ],
          last: 2,
          stopped: 6,
          calls: { started: 3, errors: 3, completed: 0 },
        },
      });
      expectObservable(cold('a-a-a-a-a-a-a|').pipe(mergeMap(call))).toBe('E-E-E-E-E-E-v|');
    });
  });

  it('stops waiting for recovery after recoveryTimeout', () => {
    testScheduler().run(({ expectObservable }) => {
      const breaker = circuitBreaker({ name: 'db', breakDuration: 1_000 });
      breaker.isolate();
      const experiment = chaosExperiment({ inject: [failing('p')], duration: 5, observe: [breaker], recoveryTimeout: 7 });
      expectObservable(experiment.report$.pipe(map((r) => [r.reportedAt, r.breakers[0]!.state, r.breakers[0]!.timeToRecover]))).toBe('------------(r|)', { r: [12, 'isolated', null] });
    });
  });
});

describe('chaosExperiment: every path turns the faults off', () => {
  it('unsubscribing stops the faults and leaves no timer', () => {
    const vt = virtualTime();
    const { scheduler, live } = liveActions(vt);
    const p = failing('p', scheduler);
    const experiment = chaosExperiment({ inject: [p], duration: 100, recoveryTimeout: 10, scheduler });
    const sub = experiment.report$.subscribe();
    expect(p.stats().active).toBe(true);
    expect(live()).toBe(1);
    sub.unsubscribe();
    expect(p.stats().active).toBe(false);
    expect(live()).toBe(0);
  });

  it('an operator that throws on the report still finds the faults off', () => {
    const p = failing('p');
    const abort = new Subject<boolean>();
    const boom = new Error('listener bug');
    const errors: unknown[] = [];
    chaosExperiment({ inject: [p], duration: 1_000, abortWhen: abort })
      .report$.pipe(
        tap(() => {
          throw boom;
        }),
      )
      .subscribe({ error: (e) => errors.push(e) });
    expect(p.stats().active).toBe(true);
    abort.next(true);
    expect(p.stats().active).toBe(false);
    expect(errors).toEqual([boom]);
  });

  it('two runs at once: a policy stays on until both end', () => {
    const vt = virtualTime();
    const p = failing('p', vt);
    const experiment = chaosExperiment({ inject: [p], duration: 10, scheduler: vt });
    experiment.report$.subscribe();
    vt.schedule(() => experiment.report$.subscribe(), 5);
    vt.schedule(() => expect(p.stats().active).toBe(true), 12);
    vt.schedule(() => expect(p.stats().active).toBe(false), 16);
    vt.flush();
    expect(p.stats().active).toBe(false);
  });

  it('takes registry handles of chaos policies', () => {
    const registry = resilienceRegistry();
    const handle = registry.register('p', failing('p')) as Chaos;
    const reports: ChaosExperimentReport[] = [];
    const abort = new Subject<boolean>();
    chaosExperiment({ inject: [handle], duration: 10, abortWhen: abort }).report$.subscribe((r) => reports.push(r));
    of(1).pipe(handle).subscribe({ error: () => undefined });
    abort.next(true);
    expect(reports[0]!.injections).toEqual({ total: 1, byFault: { latency: 0, error: 1, result: 0, behavior: 0 }, byPolicy: { p: 1 } });
    expect(handle.stats().active).toBe(false);
  });

  it('measure stops a synchronous firehose under take(1), and counts the call once', () => {
    const abort = new Subject<boolean>();
    const experiment = chaosExperiment({ inject: [failing('p')], duration: 10, abortWhen: abort });
    const reports: ChaosExperimentReport[] = [];
    experiment.report$.subscribe((r) => reports.push(r));
    const firehose = new Observable<number>((s) => {
      for (let i = 0; !s.closed; i++) s.next(i);
    });
    const values: number[] = [];
    firehose.pipe(experiment.measure, take(1)).subscribe((v) => values.push(v));
    expect(values).toEqual([0]);
    abort.next(true);
    // unsubscribed after its first value: neither an error nor a completion
    expect(reports[0]!.calls).toEqual({ started: 1, errors: 0, completed: 0 });
  });

  it('says what it is', () => {
    expect(resilienceKind(chaosExperiment({ inject: [failing('p')], duration: 1 }))).toBe('chaos-experiment');
  });
});

describe('chaosExperiment: bad input', () => {
  const p = () => failing('p');
  it.each([
    ['inject', () => chaosExperiment({ duration: 1 } as never)],
    ['inject', () => chaosExperiment({ inject: [], duration: 1 })],
    ['inject.0', () => chaosExperiment({ inject: [circuitBreaker()] as never, duration: 1 })],
    ['duration', () => chaosExperiment({ inject: [p()] } as never)],
    ['duration', () => chaosExperiment({ inject: [p()], duration: 0 })],
    ['abortWhen', () => chaosExperiment({ inject: [p()], duration: 1, abortWhen: true as never })],
    ['observe', () => chaosExperiment({ inject: [p()], duration: 1, observe: circuitBreaker() as never })],
    ['observe.0', () => chaosExperiment({ inject: [p()], duration: 1, observe: [{}] as never })],
    ['recoveryTimeout', () => chaosExperiment({ inject: [p()], duration: 1, recoveryTimeout: -1 })],
    ['scheduler', () => chaosExperiment({ inject: [p()], duration: 1, scheduler: 1 as never })],
    ['durations', () => chaosExperiment({ inject: [p()], duration: 1, durations: 2 } as never)],
  ])('refuses a bad %s with a ConfigError', (field, build) => {
    expectConfigError(build, field);
  });

  it('a refused config enlists nothing', () => {
    const policy = p();
    expectConfigError(() => chaosExperiment({ inject: [policy], duration: -1 }), 'duration');
    expect(policy.stats().enlisted).toBe(false);
  });
});
