/**
 * Every series of a watched object exists, at 0, in the exposition read right after `watch()`
 * (so `increase()` sees the first transition of each kind); seconds per breaker state; label
 * values in snake_case.
 */
import { Registry } from 'prom-client';
import { EMPTY, of, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { bulkhead, circuitBreaker, fallbackLadder, healthMonitor, healthCheck, healthFromBreaker, hedge, retryBackoff, timeLimit, tokenBucket, cache } from 'rx-resilience';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { parseExposition, valueOf, type Sample } from './text.js';

const P = 'resilience_';
const quiet = { error: () => undefined };

const series = (samples: readonly Sample[], name: string, label: string) => samples.filter((s) => s.name === P + name).map((s) => s.labels[label]).sort();

describe('series created at zero when watching starts', () => {
  it('every legal (from, to) transition, every state, outcome, rejection and reason, before anything happened', async () => {
    const registry = new Registry();
    const scheduler = new VirtualTimeScheduler();
    prometheusMetrics({ registry }).watch([
      circuitBreaker({ name: 'b', scheduler }), retryBackoff({ name: 'r' }), timeLimit({ name: 't', duration: 1 }), fallbackLadder({ name: 'f' }),
      bulkhead({ name: 'k', maxConcurrent: 1 }), tokenBucket({ name: 'l', capacity: 1, refill: { tokens: 1 } }), cache({ name: 'c', ttl: 1 }), hedge({ name: 'h' }),
    ]);
    const s = parseExposition(await registry.metrics());
    const transitions = s.filter((x) => x.name === `${P}circuit_breaker_transitions_total`);
    expect(transitions.map((x) => `${x.labels.from}>${x.labels.to}`).sort()).toEqual([
      'closed>disabled', 'closed>isolated', 'closed>open',
      'disabled>closed', 'disabled>isolated',
      'half_open>closed', 'half_open>disabled', 'half_open>isolated', 'half_open>open',
      'isolated>closed', 'isolated>disabled',
      'open>closed', 'open>disabled', 'open>half_open', 'open>isolated',
    ]);
    expect(transitions.every((x) => x.value === 0)).toBe(true);
    expect(series(s, 'circuit_breaker_state_seconds_total', 'state')).toEqual(['closed', 'disabled', 'half_open', 'isolated', 'open']);
    expect(series(s, 'circuit_breaker_rejections_total', 'state')).toEqual(['half_open', 'isolated', 'open']);
    expect(series(s, 'circuit_breaker_calls_total', 'outcome')).toEqual(['cancelled', 'failure', 'ignored', 'success']);
    expect(series(s, 'retry_give_ups_total', 'reason')).toEqual(['budget', 'max_attempts', 'max_delay', 'max_elapsed', 'not_retryable']);
    expect(series(s, 'time_limit_timeouts_total', 'limit')).toEqual(['duration', 'each', 'first']);
    expect(series(s, 'fallback_recoveries_total', 'source')).toEqual(['cache', 'default', 'degraded', 'stale']);
    expect(series(s, 'bulkhead_calls_total', 'outcome')).toEqual(['admitted', 'cancelled', 'rejected', 'timed_out']);
    expect(series(s, 'rate_limiter_calls_total', 'outcome')).toEqual(['admitted', 'cancelled', 'rejected']);
    expect(series(s, 'cache_requests_total', 'result')).toEqual(['coalesced', 'hit', 'miss']);
    expect(series(s, 'hedge_calls_total', 'outcome')).toEqual(['failed', 'won_by_first', 'won_by_hedge']);
    // One label style: snake_case values (or the user's names) everywhere.
    const values = s.flatMap((x) => Object.entries(x.labels).filter(([k]) => k !== 'name' && k !== 'le').map(([, v]) => v));
    expect(values.filter((v) => !/^[a-z][a-z0-9_]*$/.test(v))).toEqual([]);
    expect(s.filter((x) => x.name.endsWith('_total')).every((x) => x.value === 0)).toBe(true);
  });

  it('a listed health component has its transition series before its first report', async () => {
    const registry = new Registry();
    const monitor = healthMonitor({ components: [healthCheck('db', () => EMPTY, { interval: 60_000, scheduler: new VirtualTimeScheduler() })] });
    const unwatch = prometheusMetrics({ registry }).watch(monitor);
    expect(series(parseExposition(await registry.metrics()), 'health_transitions_total', 'to')).toEqual(['degraded', 'healthy', 'unhealthy']);
    unwatch();
  });
});

describe('circuit_breaker_state_seconds_total', () => {
  it('adds the time in each state, from the transitions and at every scrape, on the breaker clock', async () => {
    const registry = new Registry();
    const scheduler = new VirtualTimeScheduler();
    const breaker = circuitBreaker({ name: 'b', scheduler, strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 5_000 });
    prometheusMetrics({ registry }).watch(breaker);
    const seconds = async () => {
      const s = parseExposition(await registry.metrics());
      return Object.fromEntries(['closed', 'open', 'half_open'].map((state) => [state, valueOf(s, `${P}circuit_breaker_state_seconds_total`, { name: 'b', state })]));
    };
    scheduler.schedule(() => throwError(() => new Error('down')).pipe(breaker).subscribe(quiet), 2_000);
    scheduler.flush(); // open at 2 s, half-open at 7 s (the break's action)
    expect(breaker.stats().state).toBe('half-open');
    expect(await seconds()).toEqual({ closed: 2, open: 5, half_open: 0 });
    scheduler.schedule(() => of(1).pipe(breaker).subscribe(), 1_500);
    scheduler.flush(); // closed at 8.5 s
    expect(await seconds()).toEqual({ closed: 2, open: 5, half_open: 1.5 });
    scheduler.schedule(() => undefined, 500);
    scheduler.flush();
    expect(await seconds()).toEqual({ closed: 2.5, open: 5, half_open: 1.5 });
    const s = parseExposition(await registry.metrics());
    expect(valueOf(s, `${P}circuit_breaker_transitions_total`, { name: 'b', from: 'open', to: 'half_open' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_transitions_total`, { name: 'b', from: 'half_open', to: 'closed' })).toBe(1);
  });
});

describe('lastTrip', () => {
  it('keeps the window rates at the moment the breaker tripped, after the window was cleared', () => {
    const scheduler = new VirtualTimeScheduler();
    const breaker = circuitBreaker({ name: 'b', scheduler, strategy: { kind: 'count', size: 4, minimumCalls: 4, failureRateThreshold: 0.5 } });
    expect(breaker.stats().lastTrip).toBeNull();
    for (const fail of [false, true, false]) (fail ? throwError(() => new Error('x')) : of(1)).pipe(breaker).subscribe(quiet);
    scheduler.schedule(() => throwError(() => new Error('x')).pipe(breaker).subscribe(quiet), 3_000);
    scheduler.maxFrames = 3_000; // not as far as the end of the break
    scheduler.flush();
    const stats = breaker.stats();
    expect(stats.state).toBe('open');
    expect(stats.failureRate).toBe(0);
    expect(stats.lastTrip).toEqual({ at: 3_000, failureRate: 0.5, slowCallRate: 0 });
    expect(stats.at).toBe(scheduler.now());
    let details: unknown;
    healthFromBreaker(breaker, { scheduler }).subscribe((r) => (details = r.details));
    expect(details).toEqual({ state: 'open', failureRate: 0, nextAttemptAt: 63_000, lastTrip: { at: 3_000, failureRate: 0.5, slowCallRate: 0 } });
  });
});
