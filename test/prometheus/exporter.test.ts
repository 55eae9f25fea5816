/**
 * The exporter against a real prom-client registry's text output (a new Registry per test):
 * what a scrape sees after calls through each kind of policy, driven on virtual time.
 */
import { Counter, Registry } from 'prom-client';
import { defer, EMPTY, NEVER, of, Subject, throwError, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adaptiveConcurrency,
  adaptiveRateLimit,
  adaptiveThrottle,
  bulkhead,
  cache,
  chaos,
  circuitBreaker,
  ConfigError,
  errorFault,
  fallback,
  fallbackLadder,
  hedge,
  retryBackoff,
  retryBudget,
  timeLimit,
  tokenBucket,
  constant,
} from 'rx-resilience';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { descriptorOf, fromOtherCopy } from '../helpers/descriptor.js';
import { parseExposition, valueOf } from './text.js';
import { expectConfigError } from '../helpers/configError.js';

const P = 'resilience_';
const quiet = { error: () => undefined };

async function scrape(registry: Registry) {
  return parseExposition(await registry.metrics());
}

function setup() {
  const registry = new Registry();
  const scheduler = new VirtualTimeScheduler();
  return { registry, scheduler, exporter: prometheusMetrics({ registry }) };
}

describe('circuit breaker metrics', () => {
  it('shows the state as one gauge per state and as a code, outcomes, durations, rejections and transitions', async () => {
    const { registry, scheduler, exporter } = setup();
    const breaker = circuitBreaker({ name: 'payments', scheduler, strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 10_000 });
    exporter.watch(breaker);
    let s = await scrape(registry);
    expect(valueOf(s, `${P}circuit_breaker_state`, { name: 'payments', state: 'closed' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_state_code`, { name: 'payments' })).toBe(0);
    expect(valueOf(s, `${P}circuit_breaker_calls_total`, { name: 'payments', outcome: 'failure' })).toBe(0);

    timer(2_000, scheduler).pipe(breaker).subscribe();
    scheduler.flush();
    timer(300, scheduler).pipe(() => throwError(() => new Error('down')), breaker).subscribe(quiet);
    of(1).pipe(breaker).subscribe(quiet);
    s = await scrape(registry);
    expect(valueOf(s, `${P}circuit_breaker_state`, { name: 'payments', state: 'open' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_state`, { name: 'payments', state: 'closed' })).toBe(0);
    expect(valueOf(s, `${P}circuit_breaker_state_code`, { name: 'payments' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_calls_total`, { name: 'payments', outcome: 'success' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_calls_total`, { name: 'payments', outcome: 'failure' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_rejections_total`, { name: 'payments', state: 'open' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_transitions_total`, { name: 'payments', from: 'closed', to: 'open' })).toBe(1);
    // 2 s: in the 2.5 s bucket, not in the 1 s one; the sum is in seconds.
    const h = { name: 'payments', outcome: 'success' };
    expect(valueOf(s, `${P}circuit_breaker_call_duration_seconds_bucket`, { ...h, le: '1' })).toBe(0);
    expect(valueOf(s, `${P}circuit_breaker_call_duration_seconds_bucket`, { ...h, le: '2.5' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_call_duration_seconds_sum`, h)).toBe(2);

    scheduler.flush(); // the break ends: half-open without traffic
    s = await scrape(registry);
    expect(valueOf(s, `${P}circuit_breaker_state_code`, { name: 'payments' })).toBe(2);
    expect(valueOf(s, `${P}circuit_breaker_state`, { name: 'payments', state: 'half_open' })).toBe(1);
  });

  it('counts a call it did not time (NaN duration) but leaves it out of the histogram', async () => {
    const { registry, scheduler, exporter } = setup();
    const breaker = circuitBreaker({ name: 'db', scheduler });
    timer(1_000, scheduler).pipe(breaker).subscribe(); // started while nobody listened: not timed
    exporter.watch(breaker);
    scheduler.flush();
    const s = await scrape(registry);
    expect(valueOf(s, `${P}circuit_breaker_calls_total`, { name: 'db', outcome: 'success' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_call_duration_seconds_count`, { name: 'db', outcome: 'success' })).toBe(0);
    expect(valueOf(s, `${P}circuit_breaker_call_duration_seconds_sum`, { name: 'db', outcome: 'success' })).toBe(0);
  });

  it('counts ignored, cancelled and slow calls and reports the window rates', async () => {
    const { registry, scheduler, exporter } = setup();
    const breaker = circuitBreaker({ name: 'search', scheduler, slowCallDuration: 100, strategy: { kind: 'count', size: 10, minimumCalls: 10 }, isFailure: (e) => (e as Error).message !== 'ignore me' });
    exporter.watch(breaker);
    timer(200, scheduler).pipe(breaker).subscribe();
    throwError(() => new Error('boom')).pipe(breaker).subscribe(quiet);
    throwError(() => new Error('ignore me')).pipe(breaker).subscribe(quiet);
    NEVER.pipe(breaker).subscribe().unsubscribe();
    scheduler.flush();
    const s = await scrape(registry);
    const v = (outcome: string) => valueOf(s, `${P}circuit_breaker_calls_total`, { name: 'search', outcome });
    expect([v('success'), v('failure'), v('ignored'), v('cancelled')]).toEqual([1, 1, 1, 1]);
    expect(valueOf(s, `${P}circuit_breaker_slow_calls_total`, { name: 'search', outcome: 'success' })).toBe(1);
    expect(valueOf(s, `${P}circuit_breaker_failure_ratio`, { name: 'search' })).toBe(0.5);
    expect(valueOf(s, `${P}circuit_breaker_slow_call_ratio`, { name: 'search' })).toBe(0.5);
  });
});

describe('latency gauges', () => {
  it('reads p50, p90 and p99 of stats().latency in seconds on scrape, for policies built with latency: true only', async () => {
    const { registry, scheduler, exporter } = setup();
    const timed = circuitBreaker({ name: 'timed', scheduler, latency: true });
    const pool = bulkhead({ name: 'pool', maxConcurrent: 5, scheduler, latency: true });
    exporter.watch([timed, pool, circuitBreaker({ name: 'plain', scheduler })]);
    for (const ms of [10, 20, 30, 40, 1_000]) {
      timer(ms, scheduler).pipe(timed).subscribe();
      timer(ms, scheduler).pipe(pool).subscribe();
    }
    scheduler.flush();
    const s = await scrape(registry);
    for (const [metric, name] of [['circuit_breaker_latency_seconds', 'timed'], ['bulkhead_latency_seconds', 'pool']] as const) {
      const q = (quantile: string) => valueOf(s, `${P}${metric}`, { name, quantile });
      expect(q('0.5')).toBeCloseTo(0.03, 2);
      expect(q('0.9')).toBeCloseTo(1, 1);
      expect(q('0.99')).toBeCloseTo(1, 1);
    }
    expect(s.filter((x) => x.name === `${P}circuit_breaker_latency_seconds` && x.labels.name === 'plain')).toEqual([]);
  });
});

describe('shared families', () => {
  it('puts many policies in one family with different name labels, also across exporters on one registry', async () => {
    const { registry, exporter } = setup();
    const a = circuitBreaker({ name: 'a' });
    const b = circuitBreaker({ name: 'b' });
    exporter.watch(a);
    prometheusMetrics({ registry }).watch(b);
    b.isolate();
    const s = await scrape(registry);
    expect(valueOf(s, `${P}circuit_breaker_state_code`, { name: 'a' })).toBe(0);
    expect(valueOf(s, `${P}circuit_breaker_state_code`, { name: 'b' })).toBe(3);
    expect((await registry.getMetricsAsJSON()).filter((m) => m.name === `${P}circuit_breaker_state_code`)).toHaveLength(1);
  });

  it('refuses a metric of the same name that it did not create', () => {
    const { registry, exporter } = setup();
    new Counter({ name: `${P}circuit_breaker_calls_total`, help: 'someone else', registers: [registry] });
    expect(() => exporter.watch(circuitBreaker({ name: 'x' }))).toThrow(/did not create/);
  });

  it('applies the prefix', async () => {
    const registry = new Registry();
    prometheusMetrics({ registry, prefix: 'shop_' }).watch(circuitBreaker({ name: 'x' }));
    expect(valueOf(await scrape(registry), 'shop_circuit_breaker_state_code', { name: 'x' })).toBe(0);
  });
});

describe('watch and unwatch', () => {
  it('unwatching removes the series and stops counting; nothing is left scheduled', async () => {
    const { registry, scheduler, exporter } = setup();
    const breaker = circuitBreaker({ name: 'gone', scheduler });
    const limiter = tokenBucket({ name: 'gone', capacity: 1, refill: { tokens: 1 }, scheduler });
    const unwatch = exporter.watch([breaker, limiter]);
    of(1).pipe(breaker, limiter).subscribe();
    expect(valueOf(await scrape(registry), `${P}circuit_breaker_calls_total`, { name: 'gone', outcome: 'success' })).toBe(1);
    unwatch();
    unwatch(); // idempotent
    of(1).pipe(breaker).subscribe();
    const s = await scrape(registry);
    expect(s.filter((x) => x.labels.name === 'gone')).toEqual([]);
    expect(scheduler.actions).toHaveLength(0);
    // watched again: counting starts afresh
    exporter.watch(breaker);
    of(1).pipe(breaker).subscribe();
    expect(valueOf(await scrape(registry), `${P}circuit_breaker_calls_total`, { name: 'gone', outcome: 'success' })).toBe(1);
  });

  it('returns the same unwatch for the same object, and refuses another policy of the same family and name', () => {
    const { exporter } = setup();
    const breaker = circuitBreaker({ name: 'dup' });
    expect(exporter.watch(breaker)).toBe(exporter.watch(breaker));
    expect(() => exporter.watch(circuitBreaker({ name: 'dup' }))).toThrow(ConfigError);
    // another family: fine
    expect(() => exporter.watch(bulkhead({ name: 'dup', maxConcurrent: 1 }))).not.toThrow();
  });

  it('refuses what it cannot watch, naming the field, and undoes a partly watched array', async () => {
    const { registry, exporter } = setup();
    for (const bad of [{}, null, 42, of(1), () => undefined]) expectConfigError(() => exporter.watch(bad), 'watch');
    expect(() => exporter.watch([circuitBreaker({ name: 'first' }), {}])).toThrow(ConfigError);
    expect((await scrape(registry)).filter((x) => x.labels.name === 'first')).toEqual([]);
  });

  it('exposes the registry text and its content type', async () => {
    const { registry, exporter } = setup();
    exporter.watch(circuitBreaker({ name: 'text', scheduler: new VirtualTimeScheduler() })); // frozen clock: state seconds do not move between the two scrapes
    expect(await exporter.metrics()).toBe(await registry.metrics());
    expect(exporter.contentType).toBe(registry.contentType);
    expect(exporter.registry).toBe(registry);
    const { exposition } = exporter; // usable detached, as the HTTP endpoints take it
    expect(await exposition()).toEqual({ contentType: registry.contentType, body: await registry.metrics() });
  });
});

describe('config', () => {
  const registry = new Registry();
  it.each([
    ['prefix', { prefix: '1abc' }],
    ['prefix', { prefix: 'a-b' }],
    ['prefix', { prefix: 7 }],
    ['buckets', { buckets: [] }],
    ['buckets', { buckets: [1, 0.5] }],
    ['buckets', { buckets: [0, 1] }],
    ['buckets', { buckets: [1, Infinity] }],
    ['buckets', { buckets: 'x' }],
    ['registry', { registry: {} }],
    ['registy', { registy: registry }],
    ['', null],
  ])('%s is checked: %j', (field, config) => {
    expectConfigError(() => prometheusMetrics(config as never), field);
  });

  it('uses the given buckets', async () => {
    const registry = new Registry();
    const scheduler = new VirtualTimeScheduler();
    const breaker = circuitBreaker({ name: 'b', scheduler });
    prometheusMetrics({ registry, buckets: [0.1, 1] }).watch(breaker);
    timer(500, scheduler).pipe(breaker).subscribe();
    scheduler.flush();
    const buckets = (await scrape(registry)).filter((x) => x.name.endsWith('_bucket') && x.labels.outcome === 'success');
    expect(buckets.map((x) => [x.labels.le, x.value])).toEqual([['0.1', 0], ['1', 1], ['+Inf', 1]]);
  });
});

describe('retry, time limit and fallback metrics', () => {
  it('counts retry outcomes as resilience4j does, retries and give-ups by reason', async () => {
    const { registry, scheduler, exporter } = setup();
    const retry = retryBackoff({ name: 'r', maxAttempts: 2, backoff: constant(10), scheduler });
    exporter.watch(retry);
    let failures = 1;
    defer(() => (failures-- > 0 ? throwError(() => new Error('x')) : of(1))).pipe(retry).subscribe();
    of(1).pipe(retry).subscribe();
    throwError(() => new Error('y')).pipe(retry).subscribe(quiet);
    throwError(() => Object.assign(new Error('z'), { retryable: false })).pipe(retry).subscribe(quiet);
    scheduler.flush();
    const s = await scrape(registry);
    const calls = (outcome: string) => valueOf(s, `${P}retry_calls_total`, { name: 'r', outcome });
    expect(calls('successful_with_retry')).toBe(1);
    expect(calls('successful_without_retry')).toBe(1);
    expect(calls('failed_with_retry')).toBe(1);
    expect(calls('failed_without_retry')).toBe(1);
    expect(valueOf(s, `${P}retry_retries_total`, { name: 'r' })).toBe(2);
    expect(valueOf(s, `${P}retry_give_ups_total`, { name: 'r', reason: 'max_attempts' })).toBe(1);
    expect(valueOf(s, `${P}retry_give_ups_total`, { name: 'r', reason: 'not_retryable' })).toBe(1);
  });

  it('shows a retry budget: available now, granted and refused since watching', async () => {
    const { registry, scheduler, exporter } = setup();
    const budget = retryBudget({ name: 'fleet', ratio: 0.1, minPerSecond: 0.1, window: 10_000, scheduler });
    exporter.watch(budget);
    expect(valueOf(await scrape(registry), `${P}retry_budget_available`, { name: 'fleet' })).toBe(1);
    expect(budget.tryWithdraw()).toBe(true);
    expect(budget.tryWithdraw()).toBe(false);
    expect(budget.tryWithdraw()).toBe(false);
    const s = await scrape(registry);
    expect(valueOf(s, `${P}retry_budget_available`, { name: 'fleet' })).toBe(0);
    expect(valueOf(s, `${P}retry_budget_retries_total`, { name: 'fleet', result: 'granted' })).toBe(1);
    expect(valueOf(s, `${P}retry_budget_retries_total`, { name: 'fleet', result: 'refused' })).toBe(2);
    expect(valueOf(await scrape(registry), `${P}retry_budget_retries_total`, { name: 'fleet', result: 'refused' })).toBe(2);
  });

  it('counts time-outs by limit', async () => {
    const { registry, scheduler, exporter } = setup();
    const limit = timeLimit({ name: 't', duration: 100, first: 50, scheduler });
    exporter.watch(limit);
    NEVER.pipe(limit).subscribe(quiet);
    timer(60, scheduler).pipe(() => NEVER, limit).subscribe(quiet);
    scheduler.flush();
    const s = await scrape(registry);
    expect(valueOf(s, `${P}time_limit_timeouts_total`, { name: 't', limit: 'first' })).toBe(2);
    expect(valueOf(s, `${P}time_limit_timeouts_total`, { name: 't', limit: 'duration' })).toBe(0);
  });

  it('counts fallbacks by source: the alternative, the rungs of a ladder, and what a ladder passed on', async () => {
    const { registry, exporter } = setup();
    const plain = fallback(of(0), { name: 'f' });
    const ladder = fallbackLadder({ name: 'l', default: 'dflt', when: (e) => (e as Error).message !== 'pass' });
    exporter.watch([plain, ladder]);
    throwError(() => new Error('x')).pipe(plain).subscribe();
    throwError(() => new Error('x')).pipe(ladder).subscribe();
    throwError(() => new Error('pass')).pipe(ladder).subscribe(quiet);
    const s = await scrape(registry);
    expect(valueOf(s, `${P}fallback_recoveries_total`, { name: 'f', source: 'alternative' })).toBe(1);
    expect(valueOf(s, `${P}fallback_recoveries_total`, { name: 'l', source: 'default' })).toBe(1);
    expect(valueOf(s, `${P}fallback_recoveries_total`, { name: 'l', source: 'cache' })).toBe(0);
    expect(valueOf(s, `${P}fallback_unhandled_total`, { name: 'l' })).toBe(1);
  });
});

describe('bulkhead and limiter metrics', () => {
  it('pulls active, queued, limit and queue bound; counts admissions, rejections, time-outs and waits', async () => {
    const { registry, scheduler, exporter } = setup();
    const pool = bulkhead({ name: 'pool', maxConcurrent: 1, maxQueued: 1, queueTimeout: 500, scheduler });
    exporter.watch(pool);
    timer(1_000, scheduler).pipe(pool).subscribe();
    of(1).pipe(pool).subscribe(quiet); // queued
    of(1).pipe(pool).subscribe(quiet); // rejected
    let s = await scrape(registry);
    expect(valueOf(s, `${P}bulkhead_active_calls`, { name: 'pool' })).toBe(1);
    expect(valueOf(s, `${P}bulkhead_queued_calls`, { name: 'pool' })).toBe(1);
    expect(valueOf(s, `${P}bulkhead_limit`, { name: 'pool' })).toBe(1);
    expect(valueOf(s, `${P}bulkhead_max_queued`, { name: 'pool' })).toBe(1);
    scheduler.flush();
    s = await scrape(registry);
    const calls = (outcome: string) => valueOf(s, `${P}bulkhead_calls_total`, { name: 'pool', outcome });
    expect([calls('admitted'), calls('rejected'), calls('timed_out'), calls('cancelled')]).toEqual([1, 1, 1, 0]);
    expect(valueOf(s, `${P}bulkhead_active_calls`, { name: 'pool' })).toBe(0);
    expect(valueOf(s, `${P}bulkhead_queue_wait_seconds_count`, { name: 'pool' })).toBe(1);
  });

  it('shows the adaptive concurrency limit and counts its moves', async () => {
    const { registry, scheduler, exporter } = setup();
    const pool = adaptiveConcurrency({ name: 'adaptive', algorithm: 'aimd', initialLimit: 10, window: false, scheduler });
    exporter.watch(pool);
    expect(valueOf(await scrape(registry), `${P}bulkhead_limit`, { name: 'adaptive' })).toBe(10);
    throwError(() => new Error('x')).pipe(pool).subscribe(quiet);
    const s = await scrape(registry);
    expect(valueOf(s, `${P}bulkhead_limit`, { name: 'adaptive' })).toBe(pool.stats().limit);
    expect(pool.stats().limit).toBeLessThan(10);
    expect(valueOf(s, `${P}adaptive_limit_changes_total`, { name: 'adaptive', direction: 'down' })).toBe(1);
    expect(valueOf(s, `${P}bulkhead_max_queued`, { name: 'adaptive' })).toBe(0);
  });

  it('pulls tokens left and the limit; counts admissions and rejections over every key', async () => {
    const { registry, scheduler, exporter } = setup();
    const limiter = tokenBucket({ name: 'api', capacity: 3, refill: { tokens: 1, every: 1_000 }, scheduler });
    exporter.watch(limiter);
    for (let i = 0; i < 4; i++) of(i).pipe(limiter).subscribe(quiet);
    of(1).pipe(limiter.forKey('tenant')).subscribe();
    const s = await scrape(registry);
    expect(valueOf(s, `${P}rate_limiter_available`, { name: 'api' })).toBe(0);
    expect(valueOf(s, `${P}rate_limiter_limit`, { name: 'api' })).toBe(3);
    expect(valueOf(s, `${P}rate_limiter_waiting_calls`, { name: 'api' })).toBe(0);
    expect(valueOf(s, `${P}rate_limiter_calls_total`, { name: 'api', outcome: 'admitted' })).toBe(4);
    expect(valueOf(s, `${P}rate_limiter_calls_total`, { name: 'api', outcome: 'rejected' })).toBe(1);
    expect(s.some((x) => 'key' in x.labels)).toBe(false);
  });

  it('shows an adaptive rate limiter rate and an adaptive throttle rejection probability', async () => {
    const { registry, scheduler, exporter } = setup();
    const adaptive = adaptiveRateLimit({ name: 'aws', base: 100, window: 1_000, minimumCalls: 1, scheduler });
    const throttle = adaptiveThrottle({ name: 'backend', random: () => 0, scheduler });
    exporter.watch([adaptive, throttle]);
    expect(valueOf(await scrape(registry), `${P}adaptive_rate_limit_rate`, { name: 'aws' })).toBe(100);
    throwError(() => new Error('x')).pipe(adaptive).subscribe(quiet);
    scheduler.schedule(() => of(1).pipe(adaptive).subscribe(), 1_000);
    for (let i = 0; i < 4; i++) throwError(() => new Error('x')).pipe(throttle).subscribe(quiet);
    scheduler.flush();
    const s = await scrape(registry);
    expect(valueOf(s, `${P}adaptive_rate_limit_rate`, { name: 'aws' })).toBe(70);
    expect(valueOf(s, `${P}adaptive_limit_changes_total`, { name: 'aws', direction: 'down' })).toBe(1);
    expect(valueOf(s, `${P}adaptive_throttle_reject_ratio`, { name: 'backend' })).toBe(throttle.stats().rejectProbability);
    expect(throttle.stats().rejectProbability).toBeGreaterThan(0);
    expect(valueOf(s, `${P}rate_limiter_calls_total`, { name: 'backend', outcome: 'admitted' })).toBe(throttle.stats().admitted);
    expect(valueOf(s, `${P}rate_limiter_calls_total`, { name: 'backend', outcome: 'rejected' })).toBe(throttle.stats().rejected);
  });
});

describe('cache and hedge metrics', () => {
  it('counts cache hits, misses and coalesced calls and pulls its size', async () => {
    const { registry, scheduler, exporter } = setup();
    const c = cache({ name: 'prices', ttl: 1_000, scheduler });
    exporter.watch(c);
    timer(10, scheduler).pipe(c).subscribe();
    timer(10, scheduler).pipe(c).subscribe();
    scheduler.flush();
    of(2).pipe(c).subscribe();
    const s = await scrape(registry);
    const r = (result: string) => valueOf(s, `${P}cache_requests_total`, { name: 'prices', result });
    expect([r('hit'), r('miss'), r('coalesced')]).toEqual([1, 1, 1]);
    expect(valueOf(s, `${P}cache_entries`, { name: 'prices' })).toBe(1);
  });

  it('counts extra attempts and which attempt won', async () => {
    const { registry, scheduler, exporter } = setup();
    const h = hedge({ name: 'h', delay: 10, maxHedges: 1, scheduler });
    exporter.watch(h);
    let n = 0;
    defer(() => (n++ === 0 ? timer(100, scheduler) : timer(5, scheduler))).pipe(h).subscribe();
    scheduler.flush();
    const s = await scrape(registry);
    expect(valueOf(s, `${P}hedge_attempts_total`, { name: 'h', reason: 'delay' })).toBe(1);
    expect(valueOf(s, `${P}hedge_calls_total`, { name: 'h', outcome: 'won_by_hedge' })).toBe(1);
  });
});

describe('health and operation mode metrics', () => {
  it('shows each component status and counts transitions; shows the mode', async () => {
    const { registry, exporter } = setup();
    const health$ = new Subject<{ components: Record<string, { status: 'healthy' | 'degraded' | 'unhealthy' }> }>();
    const transitions$ = new Subject<{ component: string; to: 'healthy' | 'degraded' | 'unhealthy' }>();
    const mode$ = new Subject<{ mode: 'NORMAL' | 'DEGRADED' | 'EMERGENCY' }>();
    const unwatch = exporter.watch([fromOtherCopy('health-monitor', { health$, transitions$ }), fromOtherCopy('operation-mode', { name: 'service', mode$ })]);
    expect((await scrape(registry)).filter((x) => x.name.startsWith(`${P}health`) || x.name.startsWith(`${P}operation`))).toEqual([]);
    health$.next({ components: { db: { status: 'healthy' }, cache: { status: 'degraded' } } });
    transitions$.next({ component: 'cache', to: 'degraded' });
    mode$.next({ mode: 'DEGRADED' });
    const s = await scrape(registry);
    expect(valueOf(s, `${P}health_status`, { name: 'cache', status: 'degraded' })).toBe(1);
    expect(valueOf(s, `${P}health_status`, { name: 'cache', status: 'healthy' })).toBe(0);
    expect(valueOf(s, `${P}health_status_code`, { name: 'db' })).toBe(0);
    expect(valueOf(s, `${P}health_status_code`, { name: 'cache' })).toBe(1);
    expect(valueOf(s, `${P}health_transitions_total`, { name: 'cache', to: 'degraded' })).toBe(1);
    expect(valueOf(s, `${P}operation_mode`, { name: 'service', mode: 'degraded' })).toBe(1);
    expect(valueOf(s, `${P}operation_mode_code`, { name: 'service' })).toBe(1);
    unwatch();
    expect(health$.observed || transitions$.observed || mode$.observed).toBe(false);
    expect((await scrape(registry)).filter((x) => x.name.startsWith(`${P}health`) || x.name.startsWith(`${P}operation`))).toEqual([]);
  });
});

describe('names', () => {
  it('every family the exporter registers is listed in names.ts, and every listed one is produced', async () => {
    const { registry, exporter } = setup();
    const { ALL_METRICS } = await import('../../src/prometheus/index.js');
    const breaker = circuitBreaker({ name: 'n', latency: true });
    exporter.watch([
      breaker, retryBackoff({ name: 'n', latency: true }), retryBudget({ name: 'n' }), timeLimit({ name: 'n', duration: 1, latency: true }),
      fallback(EMPTY, { name: 'n' }), fallbackLadder({ name: 'm' }), bulkhead({ name: 'n', maxConcurrent: 1, latency: true }), adaptiveRateLimit({ name: 'n', base: 5 }),
      adaptiveThrottle({ name: 'm' }), cache({ name: 'n', ttl: 1 }), hedge({ name: 'n' }), chaos({ name: 'n', rate: 0, fault: errorFault() }),
      fromOtherCopy('health-monitor', { health$: of({ components: { n: { status: 'healthy' } } }), transitions$: EMPTY }),
      fromOtherCopy('operation-mode', { name: 'n', mode$: of({ mode: 'NORMAL' }) }),
      fromOtherCopy('fleet-control', { name: 'fleet', imposed$: of({ n: { action: 'isolate' } }) }),
    ]);
    const registered = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    expect(registered).toEqual(ALL_METRICS.map((m) => P + m.name).sort());
    const withSamples = new Set((await scrape(registry)).map((x) => x.name.replace(/_(bucket|sum|count)$/, '')));
    expect(ALL_METRICS.map((m) => P + m.name).filter((n) => !withSamples.has(n))).toEqual([]);
  });
});

describe('kinds from another copy of the library', () => {
  it('recognises a policy by the descriptor it carries when its prototype is not this copy\'s', async () => {
    const { registry, exporter } = setup();
    const copy = <P extends object>(policy: P): P => {
      // the same members, on a prototype of its own carrying the same descriptor: what a second copy of the package gives
      const d = descriptorOf(policy)!;
      const members: Record<string, unknown> = { name: (policy as { name?: string }).name };
      for (const key of [...d.state, ...d.streams]) members[key] = (policy as Record<string, unknown>)[key];
      for (const key of d.controls) members[key] = ((policy as Record<string, unknown>)[key] as (...a: unknown[]) => unknown).bind(policy);
      return fromOtherCopy(d.kind, members, d) as P;
    };
    const breaker = circuitBreaker({ name: 'other' });
    exporter.watch([copy(breaker), copy(bulkhead({ name: 'other', maxConcurrent: 3 })), copy(tokenBucket({ name: 'other', capacity: 4, refill: { tokens: 1 } }))]);
    exporter.watch([copy(adaptiveThrottle({ name: 'throttle' })), copy(fallbackLadder({ name: 'other' })), copy(fallback(EMPTY, { name: 'plain' })), copy(hedge({ name: 'other' }))]);
    exporter.watch([copy(retryBudget({ name: 'other' })), copy(adaptiveConcurrency({ name: 'ac' })), copy(adaptiveRateLimit({ name: 'arl', base: 3 })), copy(cache({ name: 'other', ttl: 5 }))]);
    breaker.isolate();
    const s = await scrape(registry);
    expect(valueOf(s, `${P}circuit_breaker_state_code`, { name: 'other' })).toBe(3);
    expect(valueOf(s, `${P}bulkhead_limit`, { name: 'other' })).toBe(3);
    expect(valueOf(s, `${P}rate_limiter_limit`, { name: 'other' })).toBe(4);
    expect(valueOf(s, `${P}adaptive_throttle_reject_ratio`, { name: 'throttle' })).toBe(0);
    expect(valueOf(s, `${P}fallback_unhandled_total`, { name: 'other' })).toBe(0);
    expect(valueOf(s, `${P}fallback_recoveries_total`, { name: 'plain', source: 'alternative' })).toBe(0);
    expect(valueOf(s, `${P}hedge_calls_total`, { name: 'other', outcome: 'failed' })).toBe(0);
    expect(valueOf(s, `${P}retry_budget_available`, { name: 'other' })).toBeGreaterThan(0);
    expect(valueOf(s, `${P}bulkhead_limit`, { name: 'ac' })).toBe(20);
    expect(valueOf(s, `${P}adaptive_rate_limit_rate`, { name: 'arl' })).toBe(3);
    expect(valueOf(s, `${P}cache_entries`, { name: 'other' })).toBe(0);
    // retry and time limit have the same shape: their descriptors tell them apart
    exporter.watch([copy(retryBackoff({ name: 'r' })), copy(timeLimit({ name: 't', duration: 1 }))]);
    expect(valueOf(await scrape(registry), `${P}retry_retries_total`, { name: 'r' })).toBe(0);
    // the same shape without a descriptor is not guessed
    const { name, stats, events$ } = breaker;
    expect(() => exporter.watch({ name, stats, events$, state$: breaker.state$ })).toThrow(ConfigError);
  });
});
