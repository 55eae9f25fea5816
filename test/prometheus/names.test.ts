/**
 * One name per family on a prom-client registry, across every exporter on it: two watched objects
 * never share a series, and unwatching one never removes another's series.
 */
import { Registry } from 'prom-client';
import { Subject, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adaptiveConcurrency, adaptiveRateLimit, bulkhead, circuitBreaker, ConfigError, healthMonitor, operationMode, resilienceRegistry,
  type HealthComponent, type HealthReport,
} from 'rx-resilience';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { parseExposition, valueOf } from './text.js';

const P = 'resilience_';
const scrape = async (registry: Registry) => parseExposition(await registry.metrics());
const fail = (p: (s: never) => { subscribe: (o: object) => unknown }) => p(throwError(() => new Error('x')) as never).subscribe({ error: () => undefined });

function refusal(run: () => unknown): ConfigError {
  let thrown: unknown;
  try { run(); } catch (e) { thrown = e; }
  expect(thrown).toBeInstanceOf(ConfigError);
  return thrown as ConfigError;
}

function component(name: string) {
  const subject = new Subject<HealthReport>();
  const c = Object.assign(subject.asObservable(), { name, kind: 'readiness', critical: true }) as HealthComponent;
  return { c, send: () => subject.next({ name, kind: 'readiness', critical: true, status: 'unhealthy', since: 0, at: 0, latency: 1, details: {}, error: undefined, failures: 0, successes: 0 }) };
}

describe('same name twice', () => {
  it('within one exporter: a ConfigError naming the policy and the families', () => {
    const registry = new Registry();
    const exporter = prometheusMetrics({ registry });
    exporter.watch(circuitBreaker({ name: 'db' }));
    const e = refusal(() => exporter.watch(circuitBreaker({ name: 'db' })));
    expect([e.field, e.value]).toEqual(['watch', 'db']);
    expect(e.message).toContain(`${P}circuit_breaker_*`);
    expect(e.message).toContain('by this exporter');
  });

  it('across two exporters on one registry: refused too, and unwatching the first frees the name', async () => {
    const registry = new Registry();
    const a = prometheusMetrics({ registry });
    const b = prometheusMetrics({ registry });
    const first = circuitBreaker({ name: 'db' });
    const second = circuitBreaker({ name: 'db' });
    const unwatchA = a.watch(first);
    const e = refusal(() => b.watch(second));
    expect(e.message).toContain('by another exporter');
    expect(e.message).toContain(`${P}circuit_breaker_*`);
    // The same object through a second exporter would count every event twice: refused as well.
    refusal(() => b.watch(first));
    // A failed watch leaves the first one's series alone.
    fail(first);
    expect(valueOf(await scrape(registry), `${P}circuit_breaker_calls_total`, { name: 'db', outcome: 'failure' })).toBe(1);

    unwatchA();
    expect(valueOf(await scrape(registry), `${P}circuit_breaker_calls_total`, { name: 'db', outcome: 'failure' })).toBeUndefined();
    const unwatchB = b.watch(second);
    expect(valueOf(await scrape(registry), `${P}circuit_breaker_calls_total`, { name: 'db', outcome: 'failure' })).toBe(0);
    unwatchA(); // idempotent: never removes the other exporter's series
    expect(valueOf(await scrape(registry), `${P}circuit_breaker_state`, { name: 'db', state: 'closed' })).toBe(1);
    unwatchB();
  });

  it('keeps names apart per prefix and per family group', () => {
    const registry = new Registry();
    const a = prometheusMetrics({ registry });
    const b = prometheusMetrics({ registry, prefix: 'other_' });
    a.watch(circuitBreaker({ name: 'db' }));
    expect(() => b.watch(circuitBreaker({ name: 'db' }))).not.toThrow();
    expect(() => a.watch(bulkhead({ name: 'db', maxConcurrent: 1 }))).not.toThrow();
  });

  it('an adaptive concurrency and an adaptive rate limit of one name share adaptive_limit_changes_total: refused', async () => {
    const registry = new Registry();
    const a = prometheusMetrics({ registry });
    const b = prometheusMetrics({ registry });
    a.watch(adaptiveConcurrency({ name: 'api' }));
    const e = refusal(() => b.watch(adaptiveRateLimit({ name: 'api', base: 10 })));
    expect(e.message).toContain(`${P}adaptive_limit_changes_total`);
    expect(valueOf(await scrape(registry), `${P}adaptive_limit_changes_total`, { name: 'api', direction: 'up' })).toBe(0);
  });

  it('same-named components of two health monitors: refused at watch, within one exporter and across two', async () => {
    const registry = new Registry();
    const a = prometheusMetrics({ registry });
    const b = prometheusMetrics({ registry });
    const one = component('db');
    const two = component('db');
    const first = healthMonitor({ components: [one.c] });
    const second = healthMonitor({ components: [component('cache').c, two.c] });
    const unwatch = a.watch(first);
    expect(refusal(() => a.watch(second)).message).toContain(`${P}health_*`);
    const e = refusal(() => b.watch(second));
    expect([e.value, e.message.includes('another exporter')]).toEqual(['db', true]);
    one.send();
    const s = await scrape(registry);
    expect(valueOf(s, `${P}health_status`, { name: 'db', status: 'unhealthy' })).toBe(1);
    // The refused monitor claimed nothing: its other component is free.
    expect(() => b.watch(healthMonitor({ components: [component('cache').c] }))).not.toThrow();
    unwatch();
    expect(() => b.watch(second)).toThrow(ConfigError); // cache is now b's
    expect(() => b.watch(healthMonitor({ components: [two.c] }))).not.toThrow();
  });

  it('same-named operation modes are refused', () => {
    const registry = new Registry();
    const health$ = healthMonitor({ components: [] }).health$;
    prometheusMetrics({ registry }).watch(operationMode({ name: 'shop', health$ }));
    expect(refusal(() => prometheusMetrics({ registry }).watch(operationMode({ name: 'shop', health$ }))).message).toContain(`${P}operation_mode*`);
  });

  it('a registry skips a registered policy whose name another exporter holds (never throws from its stream), and binds it once freed', async () => {
    const registry = new Registry();
    const a = prometheusMetrics({ registry });
    const b = prometheusMetrics({ registry });
    const alone = circuitBreaker({ name: 'db' });
    const unwatchAlone = a.watch(alone);
    const policies = resilienceRegistry();
    b.watch(policies);
    const handle = policies.register('db', circuitBreaker({ name: 'db' }));
    fail(handle);
    fail(alone);
    fail(alone);
    expect(valueOf(await scrape(registry), `${P}circuit_breaker_calls_total`, { name: 'db', outcome: 'failure' })).toBe(2);
    unwatchAlone();
    policies.remove('db');
    policies.register('db', handle);
    expect(valueOf(await scrape(registry), `${P}circuit_breaker_calls_total`, { name: 'db', outcome: 'failure' })).toBe(0);
  });
});
