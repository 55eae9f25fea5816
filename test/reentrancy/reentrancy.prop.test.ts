import { fc, test } from '@fast-check/vitest';
import { BehaviorSubject, map, throwError } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { captureUnhandled } from '../helpers/unhandled.js';
import { adaptiveConcurrency, bulkhead, circuitBreaker, operationMode, resilienceRegistry, retryBudget, slidingWindow, tokenBucket, type CircuitBreaker, type SystemHealth } from 'rx-resilience';
import { testScheduler, watchBreakerLaws, watchBulkheadLaws } from 'rx-resilience/testing';
import { actionArb, exercise, stepArb, type Step } from './harness.js';

// Any error a listener or a policy lets escape lands here instead of in the process.
const caught = captureUnhandled();

const run = { numRuns: 150 };
const steps = fc.array(stepArb, { maxLength: 40 });
const reentrant = fc.array(actionArb, { maxLength: 60 });

describe('a control called from a listener leaves every stream true', () => {
  it('resetting the breaker from its open transition: state$ and stats() both say closed', () => {
    const scheduler = testScheduler();
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 100, scheduler });
    const log: string[] = [];
    breaker.events$.subscribe((e) => {
      log.push(e.type === 'transition' ? `transition ${e.from}->${e.to}` : e.type);
      if (e.type === 'transition' && e.to === 'open') breaker.reset();
    });
    breaker.state$.subscribe((s) => log.push(`state ${s}`));
    throwError(() => new Error('boom')).pipe(breaker).subscribe({ error: () => undefined });
    expect(breaker.stats().state).toBe('closed');
    // Outcome, then transition, then state$, and the reset's own pair after them.
    expect(log).toEqual(['state closed', 'failure', 'transition closed->open', 'state open', 'transition open->closed', 'state closed']);
    expect(caught.errors).toEqual([]);
  });

  test.prop([fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), steps, reentrant], run)('circuit breaker', (failures, halfOpenMaxCalls, s, r) => {
    const scheduler = testScheduler();
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures }, breakDuration: 10, halfOpenMaxCalls, scheduler });
    const laws = watchBreakerLaws(breaker, { halfOpenMaxCalls });
    const problems = exercise(scheduler, {
      operator: (source) => source.pipe(laws.probe, breaker),
      streams: [breaker.events$, breaker.state$, breaker.metrics$],
      controls: [() => breaker.reset(), () => breaker.isolate(), () => breaker.disable()],
      state$: breaker.state$,
      now: () => breaker.stats().state,
      insane: () => {
        const { active } = breaker.stats().halfOpen;
        return active < 0 || active > halfOpenMaxCalls ? [`halfOpen.active ${active}`] : [];
      },
    }, s, r);
    laws.stop();
    expect(problems).toEqual([]);
    expect(laws.violations).toEqual([]);
    expect(caught.errors).toEqual([]);
  });

  const poolSane = (st: { active: number; queued: number; limit: number }) => [
    ...(st.active < 0 || st.queued < 0 ? [`negative counts ${st.active}/${st.queued}`] : []),
    ...(st.queued > 0 && st.active < st.limit ? [`${st.queued} queued beside a free slot`] : []),
  ];

  test.prop([fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 }), steps, reentrant], run)('bulkhead', (maxConcurrent, maxQueued, s, r) => {
    const scheduler = testScheduler();
    const pool = bulkhead({ maxConcurrent, maxQueued, queueTimeout: 15, scheduler });
    const laws = watchBulkheadLaws(pool);
    const problems = exercise(scheduler, { operator: (source) => source.pipe(laws.probe, pool), streams: [pool.events$, pool.state$], controls: [], state$: pool.state$, now: () => pool.stats(), insane: poolSane }, s, r);
    laws.stop();
    expect(problems).toEqual([]);
    expect(laws.violations).toEqual([]);
    expect(caught.errors).toEqual([]);
  });

  test.prop([steps, reentrant], run)('adaptive concurrency', (s, r) => {
    const scheduler = testScheduler();
    const pool = adaptiveConcurrency({ algorithm: { kind: 'aimd', backoffRatio: 0.5 }, window: false, initialLimit: 2, maxQueued: 2, scheduler });
    const laws = watchBulkheadLaws(pool);
    const problems = exercise(scheduler, { operator: (source) => source.pipe(laws.probe, pool), streams: [pool.events$, pool.state$, pool.limit$], controls: [], state$: pool.state$, now: () => pool.stats(), insane: poolSane }, s, r);
    laws.stop();
    expect(problems).toEqual([]);
    expect(laws.violations).toEqual([]);
    expect(caught.errors).toEqual([]);
  });

  const limiterTargets = {
    'token bucket (reject)': (scheduler: ReturnType<typeof testScheduler>) => tokenBucket({ capacity: 2, refill: { tokens: 1, every: 10 }, scheduler }),
    'token bucket (wait)': (scheduler: ReturnType<typeof testScheduler>) => tokenBucket({ capacity: 2, refill: { tokens: 1, every: 10 }, mode: 'wait', maxWait: 40, scheduler }),
    'sliding window (wait)': (scheduler: ReturnType<typeof testScheduler>) => slidingWindow({ limit: 2, window: 10, mode: 'wait', maxWait: 40, scheduler }),
  };
  for (const [label, make] of Object.entries(limiterTargets)) {
    test.prop([steps, reentrant], run)(label, (s, r) => {
      const scheduler = testScheduler();
      const limiter = make(scheduler);
      const project = (x: { waiting: number; rejected: number; limit: number }) => ({ waiting: x.waiting, rejected: x.rejected, limit: x.limit });
      const problems = exercise(scheduler, {
        operator: limiter,
        streams: [limiter.events$, limiter.state$],
        controls: [],
        state$: limiter.state$.pipe(map(project)),
        now: () => project(limiter.stats()),
        insane: (st) => (st.waiting < 0 ? [`waiting ${st.waiting}`] : []),
      }, s, r);
      expect(problems).toEqual([]);
      expect(caught.errors).toEqual([]);
    });
  }

  test.prop([fc.array(actionArb, { maxLength: 40 }), reentrant], run)('retry budget', (s, r) => {
    const scheduler = testScheduler();
    const budget = retryBudget({ ratio: 0.5, minPerSecond: 1, window: 1000, scheduler });
    const problems = exercise(scheduler, {
      streams: [budget.state$],
      controls: [() => budget.deposit(), () => void budget.tryWithdraw()],
      state$: budget.state$,
      now: () => budget.stats().available,
    }, s as readonly Step[], r);
    expect(problems).toEqual([]);
    expect(caught.errors).toEqual([]);
  });

  test.prop([steps, reentrant], run)('operation mode', (s, r) => {
    const scheduler = testScheduler();
    const report = (status: 'healthy' | 'unhealthy'): SystemHealth => ({
      status, at: 0, pending: [],
      components: { db: { name: 'db', status, critical: true, at: 0, latency: 0, consecutiveFailures: 0 } as never },
    });
    const health$ = new BehaviorSubject<SystemHealth>(report('healthy'));
    const mode = operationMode({ health$, scheduler });
    const project = (m: { mode: string; override: boolean }) => ({ mode: m.mode, override: m.override });
    const problems = exercise(scheduler, {
      streams: [mode.mode$],
      controls: [() => mode.activateEmergency('drill'), () => mode.clearOverride(), () => health$.next(report('unhealthy')), () => health$.next(report('healthy'))],
      state$: mode.mode$.pipe(map(project)),
      now: () => project(mode.stats()),
    }, s, r);
    expect(problems).toEqual([]);
    expect(caught.errors).toEqual([]);
  });
});

describe('registry listeners that call back', () => {
  test.prop([fc.array(fc.constantFrom('isolateAll', 'reset-a', 'reset-b', 'register', 'remove'), { maxLength: 12 }), fc.array(fc.constantFrom('isolateAll', 'reset-a', 'reset-b', 'register', 'remove', 'none'), { maxLength: 30 })], run)(
    'states$ ends equal to the states in snapshot()',
    (steps, reentrant) => {
      const scheduler = testScheduler();
      const registry = resilienceRegistry({ scheduler });
      registry.register('a', circuitBreaker({ scheduler }));
      registry.register('b', circuitBreaker({ scheduler }));
      let extra = 0;
      let next = 0;
      const act = (action: string) => {
        if (action === 'isolateAll') registry.isolateAll('drill');
        else if (action === 'reset-a' || action === 'reset-b') registry.get<CircuitBreaker>(action.slice(6))?.reset();
        else if (action === 'register') registry.register(`x${extra++}`, circuitBreaker({ scheduler }));
        else if (action === 'remove' && extra > 0) registry.remove(`x${extra - 1}`);
      };
      const listener = (): void => {
        if (next < reentrant.length) act(reentrant[next++]!);
      };
      const subs = [registry.events$.subscribe(listener), registry.states$.subscribe(listener)];
      let last: unknown;
      subs.push(registry.states$.subscribe((s) => (last = s)));
      const problems: string[] = [];
      steps.forEach((step, i) => {
        act(step);
        const now = Object.fromEntries(Object.entries(registry.snapshot()).map(([name, p]) => [name, (p.stats as { state: string }).state]));
        if (JSON.stringify(Object.entries(last as object).sort()) !== JSON.stringify(Object.entries(now).sort())) problems.push(`after step ${i}: states$ ${JSON.stringify(last)}, snapshot ${JSON.stringify(now)}`);
      });
      for (const s of subs) s.unsubscribe();
      expect(problems).toEqual([]);
      expect(caught.errors).toEqual([]);
    },
  );
});
