/**
 * Over random sequences of calls (successes, failures, ignored errors, cancellations, slow calls)
 * and clock advances, what a scrape shows equals what the policy counted itself.
 */
import { fc, test } from '@fast-check/vitest';
import { Registry } from 'prom-client';
import { NEVER, throwError, timer, VirtualTimeScheduler, type Subscription } from 'rxjs';
import { expect } from 'vitest';
import { bulkhead, circuitBreaker } from 'rx-resilience';
import { prometheusMetrics } from '../../src/prometheus/index.js';
import { parseExposition, valueOf } from './text.js';

const P = 'resilience_';
const step = fc.oneof(
  fc.record({ op: fc.constant('success' as const), after: fc.integer({ min: 0, max: 3_000 }) }),
  fc.record({ op: fc.constant('failure' as const), after: fc.integer({ min: 0, max: 3_000 }) }),
  fc.record({ op: fc.constant('ignored' as const), after: fc.constant(0) }),
  fc.record({ op: fc.constant('hang' as const), after: fc.constant(0) }),
  fc.record({ op: fc.constant('cancel' as const), after: fc.constant(0) }),
  fc.record({ op: fc.constant('advance' as const), after: fc.integer({ min: 1, max: 20_000 }) }),
);

test.prop([fc.array(step, { maxLength: 60 })])('breaker metrics equal the breaker totals and state', async (steps) => {
  const registry = new Registry();
  const scheduler = new VirtualTimeScheduler();
  const breaker = circuitBreaker({ name: 'b', scheduler, slowCallDuration: 1_000, breakDuration: 5_000, strategy: { kind: 'consecutive', failures: 2 }, isFailure: (e) => (e as Error).message !== 'ignored' });
  const unwatch = prometheusMetrics({ registry }).watch(breaker);
  const hanging: Subscription[] = [];
  const quiet = { error: () => undefined };
  for (const { op, after } of steps) {
    if (op === 'success') timer(after, scheduler).pipe(breaker).subscribe(quiet);
    else if (op === 'failure') timer(after, scheduler).pipe(() => throwError(() => new Error('down')), breaker).subscribe(quiet);
    else if (op === 'ignored') throwError(() => new Error('ignored')).pipe(breaker).subscribe(quiet);
    else if (op === 'hang') hanging.push(NEVER.pipe(breaker).subscribe(quiet));
    else if (op === 'cancel') hanging.shift()?.unsubscribe();
    else {
      scheduler.maxFrames = scheduler.now() + after;
      scheduler.flush();
    }
  }
  scheduler.maxFrames = Infinity;
  scheduler.flush();
  const stats = breaker.stats();
  const s = parseExposition(await registry.metrics());
  const v = (name: string, labels: Record<string, string> = {}) => valueOf(s, P + name, { name: 'b', ...labels });
  expect(v('circuit_breaker_calls_total', { outcome: 'success' })).toBe(stats.totals.successes);
  expect(v('circuit_breaker_calls_total', { outcome: 'failure' })).toBe(stats.totals.failures);
  expect(v('circuit_breaker_calls_total', { outcome: 'ignored' })).toBe(stats.totals.ignored);
  expect(v('circuit_breaker_calls_total', { outcome: 'cancelled' })).toBe(stats.totals.cancelled);
  const rejections = ['open', 'half_open', 'isolated'].reduce((n, state) => n + (v('circuit_breaker_rejections_total', { state }) ?? 0), 0);
  expect(rejections).toBe(stats.rejected);
  expect(v('circuit_breaker_state', { state: stats.state.replace('-', '_') })).toBe(1);
  expect(s.filter((x) => x.name === `${P}circuit_breaker_state` && x.value === 1)).toHaveLength(1);
  const timed = (v('circuit_breaker_call_duration_seconds_count', { outcome: 'success' }) ?? 0) + (v('circuit_breaker_call_duration_seconds_count', { outcome: 'failure' }) ?? 0);
  // every call started while watched is timed
  expect(timed).toBe(stats.totals.successes + stats.totals.failures);
  hanging.forEach((h) => h.unsubscribe());
  unwatch();
  expect(parseExposition(await registry.metrics())).toEqual([]);
});

test.prop([fc.array(fc.record({ op: fc.constantFrom('call', 'cancel', 'advance'), ms: fc.integer({ min: 1, max: 400 }) }), { maxLength: 60 })])(
  'bulkhead metrics equal the bulkhead totals and its state',
  async (steps) => {
    const registry = new Registry();
    const scheduler = new VirtualTimeScheduler();
    const pool = bulkhead({ name: 'p', maxConcurrent: 2, maxQueued: 2, queueTimeout: 300, scheduler });
    prometheusMetrics({ registry }).watch(pool);
    const running: Subscription[] = [];
    for (const { op, ms } of steps) {
      if (op === 'call') running.push(timer(ms, scheduler).pipe(pool).subscribe({ error: () => undefined }));
      else if (op === 'cancel') running.shift()?.unsubscribe();
      else {
        scheduler.maxFrames = scheduler.now() + ms;
        scheduler.flush();
      }
      const stats = pool.stats();
      const s = parseExposition(await registry.metrics());
      const v = (name: string, labels: Record<string, string> = {}) => valueOf(s, P + name, { name: 'p', ...labels });
      expect(v('bulkhead_active_calls')).toBe(stats.active);
      expect(v('bulkhead_queued_calls')).toBe(stats.queued);
      expect(v('bulkhead_calls_total', { outcome: 'admitted' })).toBe(stats.admitted);
      expect(v('bulkhead_calls_total', { outcome: 'rejected' })).toBe(stats.rejected);
      expect(v('bulkhead_calls_total', { outcome: 'timed_out' })).toBe(stats.timedOut);
      expect(v('bulkhead_queue_wait_seconds_count')).toBe(stats.admitted);
    }
  },
);
