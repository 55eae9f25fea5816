/**
 * A breaker restored from `exportState()` at time t behaves exactly like the original from t on:
 * same admissions, states, events and window stats for a random continuation of calls, whatever
 * the state it was saved in (closed with a window, time buckets that have since aged out, open
 * before and after `until`, half-open with trials passed, isolated, disabled).
 */
import { fc, test } from '@fast-check/vitest';
import { defer, Observable, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, type CircuitBreaker, type CircuitBreakerEvent, type CircuitBreakerStats, type CircuitState } from 'rx-resilience';
import { breakerConfigArb } from 'rx-resilience/testing/arbitraries';

type Step =
  | { readonly type: 'call'; readonly outcome: 'success' | 'failure'; readonly duration: number }
  | { readonly type: 'advance'; readonly ms: number }
  | { readonly type: 'control'; readonly action: 'isolate' | 'reset' | 'disable' };

const stepArb = (controls: boolean): fc.Arbitrary<Step> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ type: fc.constant('call' as const), outcome: fc.constantFrom('success' as const, 'failure' as const), duration: fc.integer({ min: 0, max: 40 }) }) },
    { weight: 3, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 150 }) }) },
    { weight: controls ? 1 : 0, arbitrary: fc.record({ type: fc.constant('control' as const), action: fc.constantFrom('isolate' as const, 'reset' as const, 'disable' as const) }) },
  );

const boom = new Error('boom');

/** A call lasting `duration` ms on `scheduler`. */
function call(scheduler: VirtualTimeScheduler, outcome: 'success' | 'failure', duration: number): Observable<number> {
  return new Observable<number>((subscriber) => {
    const action = scheduler.schedule(() => {
      if (outcome === 'success') {
        subscriber.next(1);
        subscriber.complete();
      } else subscriber.error(boom);
    }, duration);
    return () => action.unsubscribe();
  });
}

/** Runs every action due up to `t`, then sets the clock to `t`. */
function advanceTo(scheduler: VirtualTimeScheduler, t: number): void {
  while (scheduler.actions.length > 0 && scheduler.actions[0]!.delay <= t) {
    scheduler.maxFrames = scheduler.actions[0]!.delay;
    scheduler.flush();
  }
  scheduler.frame = t;
}

/** What a restored breaker must share with the original: everything but the since-built totals. */
function windowStats(s: CircuitBreakerStats): Omit<CircuitBreakerStats, 'totals' | 'rejected' | 'lastFailureAt'> {
  const { totals: _t, rejected: _r, lastFailureAt: _l, ...rest } = s;
  return rest;
}

function totalsSince(s: CircuitBreakerStats, base: CircuitBreakerStats) {
  const t = s.totals;
  return { rejected: s.rejected - base.rejected, successes: t.successes - base.totals.successes, failures: t.failures - base.totals.failures };
}

describe('a restored breaker', () => {
  test.prop([breakerConfigArb(), fc.array(stepArb(true), { maxLength: 30 }), fc.integer({ min: 0, max: 400 }), fc.array(stepArb(false), { maxLength: 30 })], { numRuns: 300 })(
    'behaves at t exactly as the original would from t on',
    (config, prefix, gap, continuation) => {
      const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
      const cfg = { ...config, name: 'b', scheduler };
      const original = circuitBreaker(cfg);
      // The prefix runs calls one after another, so none is in flight when the state is saved.
      let now = 0;
      for (const step of prefix) {
        if (step.type === 'control') original[step.action]();
        else if (step.type === 'advance') advanceTo(scheduler, (now += step.ms));
        else {
          defer(() => call(scheduler, step.outcome, step.duration)).pipe(original).subscribe({ error: () => undefined });
          advanceTo(scheduler, (now += step.duration));
        }
      }
      const saved = JSON.parse(JSON.stringify(original.exportState())) as ReturnType<CircuitBreaker['exportState']>;
      // Restarted `gap` ms later: the break may have ended and time buckets may have aged out.
      advanceTo(scheduler, (now += gap));
      const restored = circuitBreaker({ ...cfg, initialState: saved });
      const base = original.stats();
      expect(windowStats(restored.stats())).toEqual(windowStats(base));

      const seen = (b: CircuitBreaker) => {
        const events: CircuitBreakerEvent[] = [];
        const states: CircuitState[] = [];
        b.events$.subscribe((e) => events.push(e));
        b.state$.subscribe((s) => states.push(s));
        return { events, states };
      };
      const a = seen(original);
      const b = seen(restored);
      for (const step of continuation) {
        if (step.type === 'advance') advanceTo(scheduler, (now += step.ms));
        else if (step.type === 'call') {
          let reachedA = false;
          let reachedB = false;
          defer(() => ((reachedA = true), call(scheduler, step.outcome, step.duration))).pipe(original).subscribe({ error: () => undefined });
          defer(() => ((reachedB = true), call(scheduler, step.outcome, step.duration))).pipe(restored).subscribe({ error: () => undefined });
          expect(reachedB).toBe(reachedA);
        }
        expect(windowStats(restored.stats())).toEqual(windowStats(original.stats()));
      }
      advanceTo(scheduler, now + 1_000);
      expect(b.events).toEqual(a.events);
      expect(b.states).toEqual(a.states);
      expect(windowStats(restored.stats())).toEqual(windowStats(original.stats()));
      expect(totalsSince(restored.stats(), { ...base, rejected: 0, totals: { successes: 0, failures: 0, ignored: 0, cancelled: 0 } })).toEqual(totalsSince(original.stats(), base));
      original.reset();
      restored.reset();
      expect(scheduler.actions.length).toBe(0);
    },
  );
});

describe('restoring an open breaker after its break', () => {
  const setup = () => {
    const s = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const cfg = { strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 100, scheduler: s } as const;
    const a = circuitBreaker(cfg);
    throwError(() => boom).pipe(a).subscribe({ error: () => undefined });
    return { s, cfg, snap: a.exportState() };
  };

  it('is half-open at once when the clock is past until (stats, state$, no action left)', () => {
    const { s, cfg, snap } = setup();
    expect(snap).toMatchObject({ state: 'open', until: 100 });
    s.schedule(() => undefined, 150);
    s.flush();
    const b = circuitBreaker({ ...cfg, initialState: snap });
    expect(b.stats()).toMatchObject({ state: 'half-open', nextAttemptAt: null });
    const states: CircuitState[] = [];
    b.state$.subscribe((x) => states.push(x));
    expect(states).toEqual(['half-open']);
    expect(s.actions.length).toBe(0);
  });

  it('is half-open at exactly until, and still open one ms before it', () => {
    const { s, cfg, snap } = setup();
    s.frame = 99;
    const early = circuitBreaker({ ...cfg, initialState: snap });
    expect(early.stats()).toMatchObject({ state: 'open', nextAttemptAt: 100 });
    s.frame = 100;
    expect(circuitBreaker({ ...cfg, initialState: snap }).stats().state).toBe('half-open');
    advanceTo(s, 100);
    expect(early.stats().state).toBe('half-open');
  });

  it('keeps the successful trials of a half-open breaker, and refuses a bad count', () => {
    const s = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const cfg = { strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 10, successThreshold: 2, scheduler: s } as const;
    const a = circuitBreaker(cfg);
    throwError(() => boom).pipe(a).subscribe({ error: () => undefined });
    s.frame = 10;
    defer(() => [1]).pipe(a).subscribe();
    expect(a.exportState()).toMatchObject({ state: 'half-open', successes: 1 });
    const b = circuitBreaker({ ...cfg, initialState: a.exportState() });
    expect(b.stats().halfOpen).toEqual({ active: 0, successes: 1 });
    defer(() => [1]).pipe(b).subscribe();
    expect(b.stats().state).toBe('closed');
    expect(() => circuitBreaker({ ...cfg, initialState: { ...a.exportState(), successes: -1 } })).toThrowError(/initialState\.successes/);
  });

  it('hands a break-duration backoff the previous break of an open snapshot', () => {
    const s = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const seen: [number, number | undefined][] = [];
    const breakDuration = (opens: number, previous?: number) => (seen.push([opens, previous]), (previous ?? 10) * 3);
    const cfg = { strategy: { kind: 'consecutive', failures: 1 }, breakDuration, scheduler: s } as const;
    const a = circuitBreaker(cfg);
    throwError(() => boom).pipe(a).subscribe({ error: () => undefined });
    expect(a.exportState()).toMatchObject({ openedAt: 0, until: 30, opens: 1 });
    s.frame = 50;
    const b = circuitBreaker({ ...cfg, initialState: a.exportState() });
    throwError(() => boom).pipe(b).subscribe({ error: () => undefined }); // a failed trial
    expect(seen.at(-1)).toEqual([2, 30]);
    expect(b.exportState()).toMatchObject({ state: 'open', openedAt: 50, until: 140, opens: 2 });
    b.reset();
  });
});
