/**
 * A pipeline is seen through its parts: registering it registers each part under its own name,
 * an exporter watching it (or a registry holding it) keeps each part's series, and the HTTP
 * endpoints' `policies` take it for its parts.
 */
import { Registry } from 'prom-client';
import { throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { bulkhead, circuitBreaker, pipeline, resilienceRegistry, retryBackoff, timeLimit, type CircuitBreaker, type Pipeline } from 'rx-resilience';
import { prometheusMetrics } from 'rx-resilience/prometheus';
import { parsePolicies } from '../../src/http/policyStats.js';
import { checker } from '../../src/internal/validate.js';
import { expectConfigError } from '../helpers/configError.js';
import { parseExposition, valueOf } from '../prometheus/text.js';

function parts(scheduler = new VirtualTimeScheduler()) {
  return {
    scheduler,
    retry: retryBackoff({ name: 'quotes-retry', maxAttempts: 1, scheduler }),
    breaker: circuitBreaker({ name: 'quotes-breaker', strategy: { kind: 'consecutive', failures: 1 }, scheduler }),
    bulkhead: bulkhead({ name: 'quotes-pool', maxConcurrent: 2, scheduler }),
    timeLimit: timeLimit({ name: 'quotes-attempt', duration: 100, scheduler }),
  };
}

describe('a pipeline in a registry', () => {
  it('registers each part under its own name and kind, beside the pipeline', () => {
    const { scheduler, ...given } = parts();
    const registry = resilienceRegistry({ scheduler });
    const handle = registry.register('quotes', pipeline({ name: 'quotes', ...given }));
    expect(registry.names()).toEqual(['quotes-retry', 'quotes-breaker', 'quotes-pool', 'quotes-attempt', 'quotes']);
    expect(registry.kindOf('quotes')).toBe('pipeline');
    expect(registry.kindOf('quotes-breaker')).toBe('circuit-breaker');
    expect(registry.kindOf('quotes-pool')).toBe('bulkhead');
    // the handle exposes the parts and stats like the pipeline
    expect(handle.parts.breaker).toBe(given.breaker);
    expect(handle.order).toEqual(['retry', 'breaker', 'bulkhead', 'timeLimit']);
    expect(registry.snapshot()['quotes']!.stats).toMatchObject({ name: 'quotes', parts: { breaker: { state: 'closed' } } });
  });

  it('sees the parts at work: states, events, isolateAll', () => {
    const { scheduler, ...given } = parts();
    const registry = resilienceRegistry({ scheduler });
    const quotes = registry.register('quotes', pipeline({ ...given }));
    const states: unknown[] = [];
    const events: string[] = [];
    registry.states$.subscribe((s) => states.push(s['quotes-breaker']));
    registry.events$.subscribe((e) => e.type === 'policy' && events.push(`${e.policy}:${(e.event as { type: string }).type}`));
    throwError(() => new Error('503')).pipe(quotes).subscribe({ error: () => undefined });
    expect(states.at(-1)).toBe('open');
    expect(events).toContain('quotes-breaker:failure');
    expect(events).toContain('quotes-retry:give-up');
    expect(registry.isolateAll()).toEqual(['quotes-breaker']);
    expect(given.breaker.stats().state).toBe('isolated');
  });

  it('keeps a part already registered for the same policy, and refuses a name held by another', () => {
    const { scheduler, ...given } = parts();
    const registry = resilienceRegistry({ scheduler });
    const held = registry.register('quotes-breaker', given.breaker);
    registry.register('quotes', pipeline({ breaker: held, retry: given.retry }));
    expect(registry.names()).toEqual(['quotes-breaker', 'quotes-retry', 'quotes']);
    const other = resilienceRegistry({ scheduler });
    other.register('quotes-retry', retryBackoff({ name: 'quotes-retry' }));
    expect(expectConfigError(() => other.register('q', pipeline({ ...given })), 'q.parts').message).toContain('quotes-retry is taken');
    expect(other.names()).toEqual(['quotes-retry']); // nothing registered
  });

  it('removing the pipeline removes the parts its registration added, not the ones it found', () => {
    const { scheduler, ...given } = parts();
    const registry = resilienceRegistry({ scheduler });
    registry.register('quotes-breaker', given.breaker);
    registry.register('quotes', pipeline({ ...given }));
    expect(registry.remove('quotes')).toBe(true);
    expect(registry.names()).toEqual(['quotes-breaker']);
  });
});

describe('a pipeline and the Prometheus exporter', () => {
  it('watching a pipeline watches each part; unwatching removes their series', async () => {
    const { scheduler, ...given } = parts();
    const registry = new Registry();
    const exporter = prometheusMetrics({ registry });
    const quotes: Pipeline = pipeline({ ...given });
    const unwatch = exporter.watch(quotes);
    throwError(() => new Error('503')).pipe(quotes).subscribe({ error: () => undefined });
    let s = parseExposition(await registry.metrics());
    expect(valueOf(s, 'resilience_circuit_breaker_calls_total', { name: 'quotes-breaker', outcome: 'failure' })).toBe(1);
    expect(valueOf(s, 'resilience_retry_give_ups_total', { name: 'quotes-retry', reason: 'max_attempts' })).toBe(1);
    expect(valueOf(s, 'resilience_bulkhead_limit', { name: 'quotes-pool' })).toBe(2);
    expect(exporter.watch(quotes)).toBe(unwatch);
    unwatch();
    s = parseExposition(await registry.metrics());
    expect(s.filter((sample) => sample.labels['name']?.startsWith('quotes'))).toEqual([]);
    void scheduler;
  });

  it('a registry holding a pipeline exposes each part once, under its name', async () => {
    const { scheduler, ...given } = parts();
    const registry = resilienceRegistry({ scheduler });
    const prom = new Registry();
    prometheusMetrics({ registry: prom }).watch(registry);
    const quotes = registry.register('quotes', pipeline({ ...given }));
    throwError(() => new Error('503')).pipe(quotes).subscribe({ error: () => undefined });
    const s = parseExposition(await prom.metrics());
    expect(valueOf(s, 'resilience_circuit_breaker_calls_total', { name: 'quotes-breaker', outcome: 'failure' })).toBe(1);
    expect(valueOf(s, 'resilience_time_limit_timeouts_total', { name: 'quotes-attempt', limit: 'duration' })).toBe(0);
  });

  it('a part whose name is already watched makes watching the pipeline fail, and leaves nothing bound', async () => {
    const { scheduler, ...given } = parts();
    void scheduler;
    const registry = new Registry();
    const exporter = prometheusMetrics({ registry });
    exporter.watch(circuitBreaker({ name: 'quotes-pool' }) as CircuitBreaker);
    exporter.watch(bulkhead({ name: 'quotes-pool', maxConcurrent: 1 }));
    expectConfigError(() => exporter.watch(pipeline({ ...given })), 'watch');
    const s = parseExposition(await registry.metrics());
    expect(valueOf(s, 'resilience_circuit_breaker_calls_total', { name: 'quotes-breaker', outcome: 'failure' })).toBeUndefined();
  });
});

describe('a pipeline in the HTTP endpoints', () => {
  it('policies take a pipeline for its parts', () => {
    const { scheduler, ...given } = parts();
    void scheduler;
    const list = parsePolicies(checker('health-endpoints'), [pipeline({ ...given })]);
    expect(list.map((p) => p.name)).toEqual(['quotes-retry', 'quotes-breaker', 'quotes-pool', 'quotes-attempt']);
  });
});
