/**
 * Watching what holds policies and state rather than one policy: a resilience registry (its
 * policies, followed across registrations and removals), and a real health monitor and operation
 * mode built from a breaker.
 */
import { Registry } from 'prom-client';
import { of, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, healthFromBreaker, healthMonitor, operationMode, resilienceRegistry, retryBackoff, tokenBucket } from 'rx-resilience';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { parseExposition, valueOf } from './text.js';

const P = 'resilience_';
const quiet = { error: () => undefined };

async function scrape(registry: Registry) {
  return parseExposition(await registry.metrics());
}

describe('watching a resilience registry', () => {
  it('keeps metrics of every registered policy under its registered name, following registrations and removals', async () => {
    const registry = new Registry();
    const scheduler = new VirtualTimeScheduler();
    const exporter = prometheusMetrics({ registry });
    const policies = resilienceRegistry({ scheduler });
    const db = policies.register('database', circuitBreaker({ name: 'db-breaker', scheduler, strategy: { kind: 'consecutive', failures: 1 } }));
    const unwatch = exporter.watch(policies);
    throwError(() => new Error('x')).pipe(db).subscribe(quiet);
    let s = await scrape(registry);
    expect(valueOf(s, `${P}circuit_breaker_state_code`, { name: 'database' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_calls_total`, { name: 'database', outcome: 'failure' })).toBe(1);

    // registered after watching: a policy with no state$ as well
    const retry = policies.register('retry-db', retryBackoff({ maxAttempts: 1, scheduler }));
    const api = policies.register('api', tokenBucket({ capacity: 2, refill: { tokens: 1 }, scheduler }));
    of(1).pipe(api).subscribe();
    throwError(() => new Error('x')).pipe(retry).subscribe(quiet);
    s = await scrape(registry);
    expect(valueOf(s, `${P}rate_limiter_calls_total`, { name: 'api', outcome: 'admitted' })).toBe(1);
    expect(valueOf(s, `${P}rate_limiter_available`, { name: 'api' })).toBe(1);
    expect(valueOf(s, `${P}retry_calls_total`, { name: 'retry-db', outcome: 'failed_without_retry' })).toBe(1);

    policies.remove('api');
    s = await scrape(registry);
    expect(s.filter((x) => x.labels.name === 'api')).toEqual([]);
    expect(valueOf(s, `${P}circuit_breaker_state_code`, { name: 'database' })).toBe(1);

    unwatch();
    expect((await scrape(registry)).filter((x) => x.labels.name !== undefined)).toEqual([]);
  });
});

describe('watching a health monitor and an operation mode', () => {
  it('shows a breaker-derived component and the mode it causes', async () => {
    const registry = new Registry();
    const scheduler = new VirtualTimeScheduler();
    const exporter = prometheusMetrics({ registry });
    const breaker = circuitBreaker({ name: 'payments', scheduler, strategy: { kind: 'consecutive', failures: 1 } });
    const monitor = healthMonitor({ components: [healthFromBreaker(breaker, { critical: true, scheduler })], scheduler });
    const mode = operationMode({ name: 'shop', health$: monitor.health$, scheduler });
    const unwatch = exporter.watch([breaker, monitor, mode]);
    let s = await scrape(registry);
    expect(valueOf(s, `${P}health_status_code`, { name: 'payments' })).toBe(0);
    expect(valueOf(s, `${P}operation_mode`, { name: 'shop', mode: 'normal' })).toBe(1);

    throwError(() => new Error('x')).pipe(breaker).subscribe(quiet);
    s = await scrape(registry);
    expect(valueOf(s, `${P}health_status`, { name: 'payments', status: 'unhealthy' })).toBe(1);
    expect(valueOf(s, `${P}health_status_code`, { name: 'payments' })).toBe(2);
    expect(valueOf(s, `${P}health_transitions_total`, { name: 'payments', to: 'unhealthy' })).toBe(1);
    expect(valueOf(s, `${P}operation_mode_code`, { name: 'shop' })).toBe(2);
    expect(valueOf(s, `${P}operation_mode`, { name: 'shop', mode: 'emergency' })).toBe(1);

    breaker.reset(); // cancels the breaker's own half-open action
    unwatch();
    expect(scheduler.actions).toHaveLength(0);
    expect((await scrape(registry)).filter((x) => x.labels.name !== undefined)).toEqual([]);
  });
});
