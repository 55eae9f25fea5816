/**
 * Model-based property test: random sequences of calls (with outcomes and durations),
 * cancellations and clock advances are run against a real breaker on virtual time and against a
 * plain reference model written independently of the implementation. They must agree on every
 * admission, on the state and on the window's rates; the breaker laws must hold throughout.
 */
import { test } from '@fast-check/vitest';
import { defer, Observable, VirtualTimeScheduler, type Subscription } from 'rxjs';
import { describe, expect } from 'vitest';
import { circuitBreaker, type CircuitBreakerConfig, type CircuitState } from 'rx-resilience';
import { watchBreakerLaws } from 'rx-resilience/testing';
import { breakerConfigArb, callCommandsArb } from 'rx-resilience/testing/arbitraries';

type Entry = { at: number; failure: boolean; slow: boolean };

/** The reference model: lists and direct arithmetic, no ring buffers or running sums. */
class Model {
  state: 'closed' | 'open' | 'half-open' | 'isolated' | 'disabled' = 'closed';
  until = 0;
  opens = 0;
  epoch = 0;
  trials = 0;
  passed = 0;
  entries: Entry[] = [];

  constructor(private readonly c: Required<Pick<CircuitBreakerConfig, 'strategy' | 'halfOpenMaxCalls' | 'successThreshold'>> & { breakDuration: number; slowCallDuration: number | undefined }) {}

  observe(now: number): CircuitState {
    if (this.state === 'open' && now >= this.until) this.move('half-open', now);
    return this.state;
  }

  /** Returns the call's ticket, or undefined when rejected. */
  admit(now: number): { epoch: number; trial: boolean; start: number } | undefined {
    const state = this.observe(now);
    if (state === 'open' || state === 'isolated') return undefined;
    if (state === 'half-open') {
      if (this.trials >= this.c.halfOpenMaxCalls) return undefined;
      this.trials++;
      return { epoch: this.epoch, trial: true, start: now };
    }
    return { epoch: this.epoch, trial: false, start: now };
  }

  finish(ticket: { epoch: number; trial: boolean; start: number }, outcome: 'success' | 'failure' | 'ignored' | 'cancelled', now: number): void {
    if (ticket.epoch !== this.epoch) return;
    const slow = this.c.slowCallDuration !== undefined && now - ticket.start >= this.c.slowCallDuration;
    if (ticket.trial) {
      this.trials--;
      if (outcome === 'failure' || (outcome === 'success' && slow)) this.open(now);
      else if (outcome === 'success' && ++this.passed >= this.c.successThreshold) this.move('closed', now);
      return;
    }
    if (outcome === 'ignored' || outcome === 'cancelled') return;
    this.entries.push({ at: now, failure: outcome === 'failure', slow });
    if (this.state === 'closed' && this.trips(now)) this.open(now);
  }

  control(action: 'isolate' | 'reset' | 'disable', now: number): void {
    const to = action === 'reset' ? 'closed' : action === 'isolate' ? 'isolated' : 'disabled';
    if (action === 'reset') this.entries = [];
    if (this.state !== to) this.move(to, now);
  }

  window(now: number): Entry[] {
    const s = this.c.strategy;
    if (s.kind === 'count') return this.entries.slice(-(s.size ?? 100));
    if (s.kind === 'time') {
      const span = (s.duration ?? 60_000) / (s.buckets ?? 10);
      const current = Math.floor(now / span);
      return this.entries.filter((e) => Math.floor(e.at / span) > current - (s.buckets ?? 10));
    }
    return this.entries;
  }

  rates(now: number) {
    const w = this.window(now);
    const failures = w.filter((e) => e.failure).length;
    const slow = w.filter((e) => e.slow).length;
    return { calls: w.length, failureRate: w.length ? failures / w.length : 0, slowCallRate: w.length ? slow / w.length : 0 };
  }

  private trips(now: number): boolean {
    const s = this.c.strategy;
    if (s.kind === 'consecutive') {
      const n = s.failures ?? 5;
      return this.entries.length >= n && this.entries.slice(-n).every((e) => e.failure);
    }
    const { calls, failureRate, slowCallRate } = this.rates(now);
    const min = s.kind === 'count' ? Math.min(s.minimumCalls ?? 10, s.size ?? 100) : (s.minimumCalls ?? 10);
    if (calls < min || calls === 0) return false;
    if (failureRate >= (s.failureRateThreshold ?? 0.5)) return true;
    return this.c.slowCallDuration !== undefined && slowCallRate >= (s.slowCallRateThreshold ?? 1);
  }

  private open(now: number): void {
    this.opens++;
    this.until = now + this.c.breakDuration;
    this.move('open', now);
  }

  private move(to: Model['state'], _now: number): void {
    if (to === 'closed' || to === 'isolated' || to === 'disabled') this.opens = 0;
    this.state = to;
    this.epoch++;
    this.trials = 0;
    this.passed = 0;
    this.entries = [];
  }
}

const boom = new Error('boom');
const benign = new Error('benign');

describe('circuitBreaker against a reference model', () => {
  test.prop([breakerConfigArb(), callCommandsArb({ controls: true })], { numRuns: 300 })('agrees with the model on admissions, state and rates', (config, commands) => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const breaker = circuitBreaker({ ...config, isFailure: (e) => e !== benign, scheduler });
    const model = new Model({
      strategy: config.strategy!,
      halfOpenMaxCalls: config.halfOpenMaxCalls ?? 1,
      successThreshold: config.successThreshold ?? 1,
      breakDuration: config.breakDuration as number,
      slowCallDuration: config.slowCallDuration,
    });
    const laws = watchBreakerLaws(breaker, { halfOpenMaxCalls: config.halfOpenMaxCalls ?? 1 });
    const running: { sub: Subscription; ticket: NonNullable<ReturnType<Model['admit']>> }[] = [];
    const advanceTo = (t: number) => {
      // Run every action due up to t, one frame at a time, comparing states as time moves.
      while (scheduler.actions.length > 0 && scheduler.actions[0]!.delay <= t) {
        scheduler.maxFrames = scheduler.actions[0]!.delay;
        scheduler.flush();
        expect(breaker.stats().state).toBe(model.observe(scheduler.now()));
      }
      scheduler.frame = t;
    };
    let now = 0;

    for (const command of commands) {
      if (command.type === 'control') {
        // callCommandsArb's controls name one of the breaker's manual controls.
        const action = (command as { action: 'isolate' | 'reset' | 'disable' }).action;
        model.control(action, now);
        breaker[action]();
      } else if (command.type === 'advance') {
        now += command.ms;
        advanceTo(now);
      } else if (command.type === 'cancel') {
        const first = running.shift();
        if (first && !first.sub.closed) {
          const before = breaker.stats();
          model.finish(first.ticket, 'cancelled', now);
          first.sub.unsubscribe();
          const after = breaker.stats();
          expect({ ...after, totals: { ...after.totals, cancelled: 0 }, halfOpen: 0 }).toEqual({ ...before, totals: { ...before.totals, cancelled: 0 }, halfOpen: 0 });
        }
      } else {
        const expected = model.admit(now);
        let reached = false;
        const upstream = new Observable<number>((subscriber) => {
          reached = true;
          if (command.outcome === 'hang') return;
          const action = scheduler.schedule(() => {
            entry.done = true;
            if (command.outcome === 'success') {
              model.finish(entry.ticket, 'success', scheduler.now());
              subscriber.next(1);
              subscriber.complete();
            } else {
              model.finish(entry.ticket, command.outcome === 'failure' ? 'failure' : 'ignored', scheduler.now());
              subscriber.error(command.outcome === 'failure' ? boom : benign);
            }
          }, command.duration);
          return () => action.unsubscribe();
        });
        const entry = { ticket: expected!, done: false, sub: undefined as unknown as Subscription };
        entry.sub = defer(() => upstream).pipe(laws.probe, breaker).subscribe({ error: () => undefined });
        expect(reached).toBe(expected !== undefined);
        if (expected) running.push({ sub: entry.sub, ticket: expected });
      }
      for (let i = running.length - 1; i >= 0; i--) if (running[i]!.sub.closed) running.splice(i, 1);
      const stats = breaker.stats();
      expect(stats.state).toBe(model.observe(now));
      const rates = model.rates(now);
      expect(stats.calls).toBe(rates.calls);
      expect(stats.failureRate).toBeCloseTo(rates.failureRate, 12);
      expect(stats.slowCallRate).toBeCloseTo(rates.slowCallRate, 12);
    }
    for (const r of running) r.sub.unsubscribe();
    breaker.reset();
    laws.stop();
    expect(laws.violations).toEqual([]);
    expect(scheduler.actions.length).toBe(0);
  });
});
