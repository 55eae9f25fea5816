import { map, NEVER, Observable, of, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { healthCheck, TimeLimitError, type HealthReport } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';

const boom = new Error('down');

/** A probe that answers from a script of verdicts, one per run: true passes, false fails, 'd' is degraded. */
function scripted(script: readonly (boolean | 'd')[]) {
  let i = 0;
  return (): Observable<unknown> => {
    const step = script[i++];
    return step === 'd' ? of({ status: 'degraded', details: { i } }) : step === false ? throwError(() => boom) : of('ok');
  };
}

describe('healthCheck', () => {
  it('runs the first probe at subscription and then every interval, with exact hysteresis', () => {
    testScheduler().run(({ expectObservable }) => {
      const check = healthCheck('db', scripted([true, true, false, false, false, true, true, false]), { interval: 10, failureThreshold: 3, recoveryThreshold: 2 });
      const status$ = check.pipe(map((r) => `${r.status[0]}${r.failures}${r.successes}`));
      expectObservable(status$, '^ 75ms !').toBe('a 9ms b 9ms c 9ms d 9ms e 9ms f 9ms g 9ms h', {
        a: 'h01', b: 'h02', c: 'h10', d: 'h20', e: 'u30', f: 'u01', g: 'h02', h: 'h10',
      });
    });
  });

  it('reports since, latency, details and error; since only moves with the status', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const answers = [cold('--(a|)', { a: { status: 'degraded', details: 'slow' } }), cold('---#', undefined, boom), cold('-(b|)', { b: 7 }), cold('(c|)', { c: 'same' })];
      let i = 0;
      const check = healthCheck('api', () => answers[i++]!, { interval: 10, failureThreshold: 1, recoveryThreshold: 1, kind: 'deep', critical: false });
      const base = { name: 'api', kind: 'deep', critical: false };
      expectObservable(check, '^ 35ms !').toBe('--a 10ms b 7ms c 8ms d', {
        a: { ...base, status: 'degraded', since: 2, at: 2, latency: 2, details: 'slow', error: undefined, failures: 0, successes: 1 },
        b: { ...base, status: 'unhealthy', since: 13, at: 13, latency: 3, details: undefined, error: boom, failures: 1, successes: 0 },
        c: { ...base, status: 'healthy', since: 21, at: 21, latency: 1, details: 7, error: undefined, failures: 0, successes: 1 },
        d: { ...base, status: 'healthy', since: 21, at: 30, latency: 0, details: 'same', error: undefined, failures: 0, successes: 2 },
      });
    });
  });

  it('fails a probe that does not settle within timeLimit, unsubscribing it first', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const hang = cold('-');
      const check = healthCheck('slow', () => hang, { interval: 10, timeLimit: 4, failureThreshold: 1 });
      const errors$ = check.pipe(map((r) => r.error));
      expectObservable(errors$, '^ 15ms !').toBe('----a 9ms a', { a: new TimeLimitError('slow', 'duration', 4) });
      expectSubscriptions(hang.subscriptions).toBe(['^---!', '----------^---!']);
    });
  });

  it('reads probe values: false fails, { status: "unhealthy" } fails, a Promise works, a throw fails', async () => {
    const scheduler = new VirtualTimeScheduler(undefined, 35);
    const answers: (() => unknown)[] = [() => of(false), () => of({ status: 'unhealthy', details: 'x' }), () => { throw boom; }, () => of(true)];
    let i = 0;
    const reports: HealthReport[] = [];
    const sub = healthCheck('mixed', () => answers[i++]!() as Observable<unknown>, { interval: 10, failureThreshold: 1, recoveryThreshold: 1, scheduler }).subscribe((r) => reports.push(r));
    scheduler.flush();
    sub.unsubscribe();
    expect(reports.map((r) => [r.status, r.details, r.error])).toEqual([['unhealthy', undefined, undefined], ['unhealthy', 'x', undefined], ['unhealthy', undefined, boom], ['healthy', undefined, undefined]]);
    expect(scheduler.actions).toHaveLength(0);

    const fromPromise = await new Promise<HealthReport>((resolve) => {
      const s = healthCheck('promise', () => Promise.resolve({ status: 'degraded' }), { interval: 1_000_000 }).subscribe((r) => { resolve(r); queueMicrotask(() => s.unsubscribe()); });
    });
    expect(fromPromise.status).toBe('degraded');
  });

  it('is cold: nothing runs until subscribed; unsubscribing stops the probe and leaves no action', async () => {
    const scheduler = new VirtualTimeScheduler(undefined, 100);
    let probes = 0;
    const check = healthCheck('lazy', () => { probes++; return NEVER; }, { interval: 50, timeLimit: 30, scheduler });
    scheduler.flush();
    expect(probes).toBe(0);
    expect(scheduler.actions).toHaveLength(0);
    const sub = check.subscribe();
    expect(probes).toBe(0);
    scheduler.flush();
    expect(probes).toBe(3);
    expect(scheduler.actions.length).toBeGreaterThan(0);
    sub.unsubscribe();
    // The time limit's action is cancelled lazily: it ends by itself at the last probe's deadline (100 + 30).
    scheduler.maxFrames = 130;
    scheduler.flush();
    expect(probes).toBe(3);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('carries its identity', () => {
    const check = healthCheck('db', () => of(1));
    expect([check.name, check.kind, check.critical]).toEqual(['db', 'readiness', true]);
  });

  describe('rejects bad config naming the field', () => {
    const probe = () => of(1);
    it.each([
      ['interval', { interval: 0 }],
      ['interval', { interval: Number.NaN }],
      ['timeLimit', { timeLimit: -1 }],
      ['timeLimit', { interval: 100, timeLimit: 200 }],
      ['failureThreshold', { failureThreshold: 0 }],
      ['failureThreshold', { failureThreshold: 1.5 }],
      ['recoveryThreshold', { recoveryThreshold: 0 }],
      ['kind', { kind: 'shallow' }],
      ['critical', { critical: 'yes' }],
      ['scheduler', { scheduler: {} }],
      ['intervall', { intervall: 5 }],
    ])('%s', (field, config) => {
      expectConfigError(() => healthCheck('x', probe, config as never), field);
    });
    it('name and probe', () => {
      expect(() => healthCheck('', probe)).toThrow(expect.objectContaining({ field: 'name' }));
      expect(() => healthCheck('x', 5 as never)).toThrow(expect.objectContaining({ field: 'probe' }));
    });
  });
});

