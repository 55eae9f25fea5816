import { BehaviorSubject, of, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { isResilienceError, type Chaos } from 'rx-resilience';
import { fromConfig, type ResilienceConfig } from 'rx-resilience/config';
import { expectConfigError } from '../helpers/configError.js';

/** What `n` calls through `policy` end with: `v` or the error's code. */
function outcomes(policy: Chaos, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    of(1).pipe(policy).subscribe({ next: () => out.push('v'), error: (e: unknown) => out.push(isResilienceError(e) ? e.code : 'other') });
  }
  return out;
}

describe('chaos: in the config file', () => {
  it('builds a chaos policy, off by default, with an InjectedFaultError fault', () => {
    const registry = fromConfig('chaos:\n  db_errors: { rate: 1 }\n  db_on: { rate: 1, enabled: true }', { env: {} });
    expect(registry.kindOf('db_errors')).toBe('chaos');
    expect(outcomes(registry.get<Chaos>('db_errors')!, 2)).toEqual(['v', 'v']);
    expect(outcomes(registry.get<Chaos>('db_on')!, 2)).toEqual(['INJECTED_FAULT', 'INJECTED_FAULT']);
    expect(registry.snapshot().db_on).toMatchObject({ kind: 'chaos', stats: { name: 'db_on', fault: 'error', injections: 2, maxInjections: null } });
  });

  it('RESILIENCE_CHAOS_<NAME>_ENABLED switches it on or off', () => {
    const config = { chaos: { 'db-errors': { rate: 1, enabled: true } } };
    expect(outcomes(fromConfig(config, { env: { RESILIENCE_CHAOS_DB_ERRORS_ENABLED: 'false' } }).get<Chaos>('db-errors')!, 1)).toEqual(['v']);
    expect(outcomes(fromConfig({ chaos: { db: { rate: 1 } } }, { env: { RESILIENCE_CHAOS_DB_ENABLED: 'TRUE' } }).get<Chaos>('db')!, 1)).toEqual(['INJECTED_FAULT']);
    expectConfigError(() => fromConfig(config, { env: { RESILIENCE_CHAOS_DB_ERRORS_ENABLED: 'yes' } }), 'RESILIENCE_CHAOS_DB_ERRORS_ENABLED');
    expectConfigError(() => fromConfig(config, { env: { RESILIENCE_CHAOS_OTHER_ENABLED: 'true' } }), 'RESILIENCE_CHAOS_OTHER_ENABLED');
  });

  it('a latency fault waits latency seconds on the registry scheduler; max_injections caps it', () => {
    const vt = new VirtualTimeScheduler();
    const registry = fromConfig({ chaos: { slow: { enabled: true, rate: 1, fault: 'latency', latency: 0.25, max_injections: 1 } } }, { env: {}, scheduler: vt });
    const slow = registry.get<Chaos>('slow')!;
    const at: number[] = [];
    for (let i = 0; i < 2; i++) of(1).pipe(slow).subscribe(() => at.push(vt.now()));
    vt.flush();
    expect(at).toEqual([0, 250]);
    expect(slow.stats()).toMatchObject({ fault: 'latency', injections: 1, maxInjections: 1 });
  });

  it('a seed replays the same injections', () => {
    const build = () => fromConfig({ chaos: { c: { enabled: true, rate: 0.5, seed: 7 } } }, { env: {} }).get<Chaos>('c')!;
    const a = outcomes(build(), 200);
    expect(outcomes(build(), 200)).toEqual(a);
    expect(a.filter((x) => x === 'v').length).toBeGreaterThan(60);
    expect(a.filter((x) => x === 'v').length).toBeLessThan(140);
  });

  it('a reload switches it through the registry handle', () => {
    const config$ = new BehaviorSubject<ResilienceConfig>({ chaos: { c: { rate: 1 } } });
    const registry = fromConfig(config$, { env: {} });
    const c = registry.get<Chaos>('c')!;
    expect(outcomes(c, 1)).toEqual(['v']);
    config$.next({ chaos: { c: { rate: 1, enabled: true } } });
    expect(outcomes(c, 1)).toEqual(['INJECTED_FAULT']);
    registry.close();
  });

  it.each([
    ['chaos.c.rate', { c: {} }],
    ['chaos.c.rate', { c: { rate: 1.5 } }],
    ['chaos.c.rate', { c: { rate: -1 } }],
    ['chaos.c.fault', { c: { rate: 1, fault: 'result' } }],
    ['chaos.c.latency', { c: { rate: 1, fault: 'latency' } }],
    ['chaos.c.latency', { c: { rate: 1, latency: 1 } }],
    ['chaos.c.latency', { c: { rate: 1, fault: 'latency', latency: -1 } }],
    ['chaos.c.max_injections', { c: { rate: 1, max_injections: 1.5 } }],
    ['chaos.c.seed', { c: { rate: 1, seed: -1 } }],
    ['chaos.c.seed', { c: { rate: 1, seed: 2 ** 32 } }],
    ['chaos.c.enabled', { c: { rate: 1, enabled: 'yes' } }],
    ['chaos.c.random', { c: { rate: 1, random: 1 } }],
  ])('refuses %s', (field, chaos) => {
    expectConfigError(() => fromConfig({ chaos } as never, { env: {} }), field);
  });

  it('names the variable of a bad override', () => {
    expectConfigError(() => fromConfig({ chaos: { c: { rate: 1 } } }, { env: { RESILIENCE_CHAOS_C_RATE: '2' } }), 'RESILIENCE_CHAOS_C_RATE');
  });
});
