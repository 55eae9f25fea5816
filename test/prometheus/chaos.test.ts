import { Registry } from 'prom-client';
import { of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { chaos, chaosExperiment, errorFault, resilienceRegistry, resultFault } from 'rx-resilience';
import { prometheusMetrics } from 'rx-resilience/prometheus';
import { expectConfigError } from '../helpers/configError.js';
import { parseExposition, valueOf } from './text.js';

const P = 'resilience_';

describe('chaos metrics', () => {
  it('counts injections by fault and calls, and shows whether the policy is active', async () => {
    const registry = new Registry();
    const exporter = prometheusMetrics({ registry });
    const policy = chaos({ name: 'db', rate: 1, fault: resultFault(() => 0), random: () => 0, maxInjections: 2 });
    const unwatch = exporter.watch(policy);
    let s = parseExposition(await registry.metrics());
    expect(valueOf(s, `${P}chaos_injections_total`, { name: 'db', fault: 'result' })).toBe(0);
    expect(valueOf(s, `${P}chaos_injections_total`, { name: 'db', fault: 'latency' })).toBe(0);
    expect(valueOf(s, `${P}chaos_active`, { name: 'db' })).toBe(1);
    for (let i = 0; i < 3; i++) of(1).pipe(policy).subscribe();
    s = parseExposition(await registry.metrics());
    expect(valueOf(s, `${P}chaos_injections_total`, { name: 'db', fault: 'result' })).toBe(2);
    expect(valueOf(s, `${P}chaos_calls_total`, { name: 'db' })).toBe(3);
    expect(valueOf(s, `${P}chaos_active`, { name: 'db' })).toBe(0);
    unwatch();
    expect(parseExposition(await registry.metrics()).filter((x) => x.name.startsWith(`${P}chaos`))).toEqual([]);
  });

  it('follows chaos policies registered in a watched registry', async () => {
    const registry = new Registry();
    const policies = resilienceRegistry();
    prometheusMetrics({ registry }).watch(policies);
    const handle = policies.register('c', chaos({ name: 'c', rate: 1, fault: errorFault(), random: () => 0 }));
    of(1).pipe(handle).subscribe({ error: () => undefined });
    expect(valueOf(parseExposition(await registry.metrics()), `${P}chaos_injections_total`, { name: 'c', fault: 'error' })).toBe(1);
  });

  it('refuses to watch an experiment (it has no series of its own)', () => {
    const experiment = chaosExperiment({ inject: [chaos({ rate: 0, fault: errorFault() })], duration: 1 });
    expectConfigError(() => prometheusMetrics({ registry: new Registry() }).watch(experiment), 'watch');
  });
});
