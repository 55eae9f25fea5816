import { fc, test } from '@fast-check/vitest';
import { map, NEVER, throwError, timer, VirtualTimeScheduler, type Observable } from 'rxjs';
import { describe, expect } from 'vitest';
import { healthCheck, type HealthReport, type HealthStatus } from 'rx-resilience';

type Verdict = 'healthy' | 'degraded' | 'failed' | 'hang';
const INTERVAL = 10;
const LIMIT = 8;

/** The reference model, stated over windows of the verdict sequence rather than as a step function. */
function reference(verdicts: readonly Verdict[], n: number, m: number) {
  const failed = (v: Verdict) => v === 'failed' || v === 'hang';
  const trailing = (k: number, pred: (v: Verdict) => boolean) => {
    let run = 0;
    for (let j = k; j >= 0 && pred(verdicts[j]!); j--) run++;
    return run;
  };
  const out: { status: HealthStatus; failures: number; successes: number }[] = [];
  let unhealthy = false;
  verdicts.forEach((v, k) => {
    const failures = trailing(k, failed);
    const successes = trailing(k, (x) => !failed(x));
    unhealthy = (k === 0 && failed(v)) || failures >= n || (unhealthy && successes < m);
    let lastPass: Verdict | undefined;
    for (let j = k; j >= 0 && lastPass === undefined; j--) if (!failed(verdicts[j]!)) lastPass = verdicts[j];
    out.push({ status: unhealthy ? 'unhealthy' : (lastPass as HealthStatus), failures, successes });
  });
  return out;
}

const caseArb = fc.record({
  verdicts: fc.array(fc.record({ v: fc.constantFrom<Verdict>('healthy', 'degraded', 'failed', 'hang'), latency: fc.integer({ min: 0, max: LIMIT - 1 }) }), { minLength: 1, maxLength: 40 }),
  n: fc.integer({ min: 1, max: 5 }),
  m: fc.integer({ min: 1, max: 5 }),
});

describe('healthCheck hysteresis (property)', () => {
  test.prop([caseArb])('matches the reference model exactly, with since at the probe that changed the status; nothing left scheduled', ({ verdicts, n, m }) => {
    const scheduler = new VirtualTimeScheduler(undefined, (verdicts.length - 1) * INTERVAL + LIMIT);
    let i = 0;
    const probe = (): Observable<unknown> => {
      const { v, latency } = verdicts[i++]!;
      if (v === 'hang') return NEVER;
      if (v === 'failed') return timer(latency, scheduler).pipe(map(() => { throw new Error('x'); }));
      return v === 'degraded' ? timer(latency, scheduler).pipe(map(() => ({ status: 'degraded' }))) : timer(latency, scheduler);
    };
    const reports: HealthReport[] = [];
    const sub = healthCheck('c', probe, { interval: INTERVAL, timeLimit: LIMIT, failureThreshold: n, recoveryThreshold: m, scheduler }).subscribe((r) => reports.push(r));
    scheduler.flush();
    sub.unsubscribe();
    expect(scheduler.actions).toHaveLength(0);

    const expected = reference(verdicts.map((x) => x.v), n, m);
    expect(reports.map(({ status, failures, successes }) => ({ status, failures, successes }))).toEqual(expected);
    const ends = verdicts.map(({ v, latency }, k) => k * INTERVAL + (v === 'hang' ? LIMIT : latency));
    expect(reports.map((r) => r.at)).toEqual(ends);
    expect(reports.map((r) => r.latency)).toEqual(ends.map((e, k) => e - k * INTERVAL));
    reports.forEach((r, k) => {
      let changedAt = k;
      while (changedAt > 0 && expected[changedAt - 1]!.status === expected[k]!.status) changedAt--;
      expect(r.since).toBe(ends[changedAt]);
    });
  });

  test.prop([fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })])('a failing streak of exactly N-1 never turns a healthy check unhealthy; N does', (n, m) => {
    const statusAfter = (fails: number) => {
      const scheduler = new VirtualTimeScheduler(undefined, fails * INTERVAL);
      let i = 0;
      const reports: HealthReport[] = [];
      const sub = healthCheck('c', () => (i++ === 0 ? timer(0, scheduler) : throwError(() => new Error('x'))), { interval: INTERVAL, failureThreshold: n, recoveryThreshold: m, scheduler }).subscribe((r) => reports.push(r));
      scheduler.flush();
      sub.unsubscribe();
      return reports.at(-1)!.status;
    };
    expect(statusAfter(n - 1)).toBe('healthy');
    expect(statusAfter(n)).toBe('unhealthy');
  });
});
