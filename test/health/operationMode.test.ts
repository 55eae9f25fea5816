import { fc, test } from '@fast-check/vitest';
import { BehaviorSubject, defer, map, NEVER, of, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { P } from 'ts-pattern';
import { defaultModeRules, operationMode, type HealthReport, type HealthStatus, type ModeReport, type OperationModeLevel, type SystemHealth } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';

function health(components: Record<string, [HealthStatus, boolean]>): SystemHealth {
  const reports: Record<string, HealthReport> = {};
  for (const [name, [status, critical]] of Object.entries(components)) {
    reports[name] = { name, kind: 'readiness', critical, status, since: 0, at: 0, latency: 0, details: undefined, error: undefined, failures: 0, successes: 0 };
  }
  return { status: 'healthy', at: 0, components: reports, pending: [] };
}

describe('operationMode', () => {
  it('derives NORMAL, DEGRADED and EMERGENCY with the default rules, with reasons and components', () => {
    const health$ = new BehaviorSubject(health({ db: ['healthy', true], cache: ['healthy', false] }));
    const mode = operationMode({ name: 'system', health$ });
    const seen: ModeReport[] = [];
    const sub = mode.mode$.subscribe((m) => seen.push(m));
    health$.next(health({ db: ['healthy', true], cache: ['degraded', false] }));
    health$.next(health({ db: ['unhealthy', true], cache: ['degraded', false] }));
    health$.next(health({ db: ['healthy', true], cache: ['healthy', false] }));
    expect(seen.map((m) => [m.mode, m.previous, m.components])).toEqual([
      ['NORMAL', undefined, []],
      ['DEGRADED', 'NORMAL', ['cache']],
      ['EMERGENCY', 'DEGRADED', ['db', 'cache']],
      ['NORMAL', 'EMERGENCY', []],
    ]);
    expect(seen[2]!.reasons).toEqual([
      { mode: 'EMERGENCY', reason: 'critical component unhealthy: db', components: ['db'], source: 'rule' },
      { mode: 'DEGRADED', reason: 'component not healthy: db, cache', components: ['db', 'cache'], source: 'rule' },
    ]);
    sub.unsubscribe();
    expect(health$.observed).toBe(false);
  });

  it('emits only on change, and since is the scheduler time the mode began', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const h = { n: health({ a: ['healthy', true] }), d: health({ a: ['degraded', true] }) };
      const mode = operationMode({ health$: cold('n-n-d-d-n', h) });
      expectObservable(mode.mode$.pipe(map((m) => `${m.mode}@${m.since}`)), '^ 10ms !').toBe('a---b---c', { a: 'NORMAL@0', b: 'DEGRADED@4', c: 'NORMAL@8' });
    });
  });

  it('matches rules written as ts-pattern patterns; the severest match wins', () => {
    const health$ = new BehaviorSubject(health({ payments: ['healthy', false], search: ['healthy', false] }));
    const mode = operationMode({
      health$,
      rules: [
        { mode: 'EMERGENCY', when: { components: { payments: { status: 'unhealthy' } } }, reason: 'payments down', components: ['payments'] },
        { mode: 'DEGRADED', when: { components: { search: { status: P.not('healthy') } } }, reason: 'search impaired' },
      ],
    });
    const modes: OperationModeLevel[] = [];
    mode.mode$.subscribe((m) => modes.push(m.mode));
    health$.next(health({ payments: ['degraded', false], search: ['healthy', false] }));
    health$.next(health({ payments: ['healthy', false], search: ['unhealthy', false] }));
    health$.next(health({ payments: ['unhealthy', false], search: ['unhealthy', false] }));
    expect(modes).toEqual(['NORMAL', 'DEGRADED', 'EMERGENCY']);
    expect(mode.stats().reasons.map((r) => [r.reason, r.components])).toEqual([['payments down', ['payments']], ['search impaired', ['payments', 'search']]]);
  });

  it('holds EMERGENCY under a manual override until cleared, observed or not', () => {
    const health$ = new BehaviorSubject(health({ a: ['healthy', true] }));
    const mode = operationMode({ health$ });
    mode.activateEmergency('incident 42');
    expect(mode.stats()).toMatchObject({ mode: 'EMERGENCY', override: true, reasons: [{ reason: 'incident 42', source: 'override' }] });
    const seen: OperationModeLevel[] = [];
    const sub = mode.mode$.subscribe((m) => seen.push(m.mode));
    health$.next(health({ a: ['degraded', true] }));
    mode.clearOverride();
    // The override holds the mode; a new rule reason still shows, as a new report.
    expect(seen).toEqual(['EMERGENCY', 'EMERGENCY', 'DEGRADED']);
    expect(mode.stats().override).toBe(false);
    sub.unsubscribe();
  });

  it('whenMode replays and emits on change only', () => {
    const health$ = new BehaviorSubject(health({ a: ['healthy', true] }));
    const mode = operationMode({ health$ });
    const seen: boolean[] = [];
    mode.whenMode('EMERGENCY').subscribe((b) => seen.push(b));
    health$.next(health({ a: ['degraded', true] }));
    health$.next(health({ a: ['unhealthy', true] }));
    health$.next(health({ a: ['unhealthy', true] }));
    mode.clearOverride();
    health$.next(health({ a: ['healthy', true] }));
    expect(seen).toEqual([false, true, false]);
  });

  it('degradable switches a feature to its fallback while degraded, back when normal, and ends with the running stream', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const h = { n: health({ a: ['healthy', true] }), d: health({ a: ['degraded', true] }) };
      const mode = operationMode({ health$: hot('n---d---n------', h) });
      const live = cold('a-a-a-a-a-a-a-a-a');
      const fallback = cold('f---f---f');
      expectObservable(live.pipe(mode.degradable(fallback)), '^ 14ms !').toBe('a-a-f---a-a-a-a', { a: 'a', f: 'f' });
      expectSubscriptions(live.subscriptions).toBe(['^---!', '--------^------!']);
      expectSubscriptions(fallback.subscriptions).toBe('----^---!');
      const call = cold('---(r|)');
      expectObservable(call.pipe(mode.degradable(() => of('cached'))), '^').toBe('---(r|)', { r: 'r' });
    });
  });

  it('degradable decides at subscription: in EMERGENCY the primary is never subscribed', () => {
    const mode = operationMode({ health$: NEVER });
    mode.activateEmergency('drill');
    let subscribed = false;
    const values: string[] = [];
    defer(() => { subscribed = true; return NEVER; }).pipe(mode.degradable(of('static'), ['EMERGENCY'])).subscribe({ next: (v) => values.push(v), complete: () => values.push('|') });
    expect(values).toEqual(['static', '|']);
    expect(subscribed).toBe(false);
  });

  describe('rejects bad config naming the field', () => {
    it.each([
      ['health$', {}],
      ['health$', { health$: 5 }],
      ['rules', { health$: NEVER, rules: 'x' }],
      ['rules.0.mode', { health$: NEVER, rules: [{ mode: 'PANIC', when: {}, reason: 'r' }] }],
      ['rules.0.mode', { health$: NEVER, rules: [{ when: {}, reason: 'r' }] }],
      ['rules.0.when', { health$: NEVER, rules: [{ mode: 'DEGRADED', reason: 'r' }] }],
      ['rules.0.reason', { health$: NEVER, rules: [{ mode: 'DEGRADED', when: {} }] }],
      ['rules.0.other', { health$: NEVER, rules: [{ mode: 'DEGRADED', when: {}, reason: 'r', other: 1 }] }],
      ['scheduler', { health$: NEVER, scheduler: 'now' }],
      ['name', { health$: NEVER, name: '' }],
      ['healt', { health$: NEVER, healt: 1 }],
    ])('%s', (field, config) => {
      expectConfigError(() => operationMode(config as never), field);
    });
    it('whenMode and activateEmergency arguments', () => {
      const mode = operationMode({ health$: NEVER });
      expect(() => mode.whenMode('PANIC' as never)).toThrow(expect.objectContaining({ field: 'whenMode.0' }));
      expect(() => mode.activateEmergency('')).toThrow(expect.objectContaining({ field: 'activateEmergency.reason' }));
    });
  });
});

/** The reference model of the default rules, with the override. */
function referenceMode(statuses: Record<string, [HealthStatus, boolean]>, override: boolean): { mode: OperationModeLevel; components: string[] } {
  const entries = Object.entries(statuses);
  const critical = entries.filter(([, [s, c]]) => c && s === 'unhealthy').map(([n]) => n);
  const impaired = entries.filter(([, [s]]) => s !== 'healthy').map(([n]) => n);
  const mode = override || critical.length > 0 ? 'EMERGENCY' : impaired.length > 0 ? 'DEGRADED' : 'NORMAL';
  return { mode, components: [...new Set([...critical, ...impaired])] };
}

const stepArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ type: fc.constant('report' as const), component: fc.integer({ min: 0, max: 3 }), status: fc.constantFrom<HealthStatus>('healthy', 'degraded', 'unhealthy') }) },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('override' as const), on: fc.boolean() }) },
);

describe('operationMode (property)', () => {
  test.prop([fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.array(stepArb, { maxLength: 60 })])(
    'mode$ follows the reference model over random health sequences; it emits exactly when the mode, reasons or override change',
    (critical, steps) => {
      const health$ = new Subject<SystemHealth>();
      const mode = operationMode({ health$, rules: defaultModeRules });
      const seen: ModeReport[] = [];
      const sub = mode.mode$.subscribe((m) => seen.push(m));
      const state: Record<string, [HealthStatus, boolean]> = {};
      let override = false;
      for (const step of steps) {
        const before = seen.length;
        const prev = mode.stats();
        if (step.type === 'report') {
          state[`c${step.component}`] = [step.status, critical[step.component]!];
          health$.next(health(state));
        } else {
          override = step.on;
          if (step.on) mode.activateEmergency('manual'); else mode.clearOverride();
        }
        const expected = referenceMode(state, override);
        const now = mode.stats();
        expect(now.mode).toBe(expected.mode);
        expect([...now.components].sort()).toEqual([...expected.components].sort());
        expect(now.override).toBe(override);
        const changed = prev.mode !== now.mode || prev.override !== now.override || JSON.stringify(prev.reasons) !== JSON.stringify(now.reasons);
        expect(seen.length - before).toBe(changed ? 1 : 0);
      }
      sub.unsubscribe();
      expect(health$.observed).toBe(false);
    },
  );
});

describe('operationMode default name', () => {
  it('is the same stable name for every unnamed mode', () => {
    expect(operationMode({ health$: NEVER }).name).toBe('operation-mode');
    expect(operationMode({ health$: NEVER }).name).toBe('operation-mode');
  });
});
