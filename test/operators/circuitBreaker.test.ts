import { defer, EMPTY, mergeMap, NEVER, Observable, of, take, throwError, timer, map } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, CircuitOpenError, isResilienceError, type CircuitBreakerEvent } from 'rx-resilience';
import { scriptedService, testScheduler } from 'rx-resilience/testing';

const boom = new Error('boom');

/** Subscribes `count` calls to `obs` at the given frames; returns what each produced. */
describe('circuitBreaker', () => {
  it('passes values through untouched and counts a completion as a success', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const breaker = circuitBreaker();
      const source = cold('-a-b|');
      expectObservable(source.pipe(breaker)).toBe('-a-b|');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('opens after N consecutive failures and rejects without subscribing upstream', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 2 }, breakDuration: 100 });
      const failing = cold('-#', undefined, boom);
      const guarded = failing.pipe(breaker);
      expectObservable(guarded).toBe('-#', undefined, boom);
      expectObservable(timer(5).pipe(mergeMap(() => guarded))).toBe('------#', undefined, boom);
      expectObservable(timer(10).pipe(mergeMap(() => guarded))).toBe('----------#', undefined, new CircuitOpenError(breaker.name, 'open', 96));
      expectSubscriptions(failing.subscriptions).toBe(['^!', '-----^!']);
    });
  });

  it('turns half-open at exactly openedAt + breakDuration, without traffic', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 10 });
      cold('-#', undefined, boom).pipe(breaker).subscribe({ error: () => undefined });
      expectObservable(breaker.state$).toBe('a b 9ms c', { a: 'closed', b: 'open', c: 'half-open' });
    });
  });

  it('admits a trial at the half-open instant and closes on success', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 10 });
      cold('#', undefined, boom).pipe(breaker).subscribe({ error: () => undefined });
      // At frame 9 still open (retryAfter 1); at frame 10 a trial goes through.
      expectObservable(timer(9).pipe(mergeMap(() => of(1).pipe(breaker)))).toBe('---------#', undefined, new CircuitOpenError(breaker.name, 'open', 1));
      expectObservable(timer(10).pipe(mergeMap(() => cold('--x|').pipe(breaker)))).toBe('------------x|');
      expectObservable(breaker.state$).toBe('a---------b--c', { a: 'open', b: 'half-open', c: 'closed' });
    });
  });

  it('re-opens on the first failed trial with the next break duration from a backoff', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: (opens) => opens * 10 });
      const failing = cold('#', undefined, boom).pipe(breaker);
      failing.subscribe({ error: () => undefined });
      timer(10).pipe(mergeMap(() => failing)).subscribe({ error: () => undefined });
      // open 0-10 (10 ms), trial fails at 10, open 10-30 (20 ms), half-open at 30.
      expectObservable(breaker.state$).toBe('a 9ms (bc) 16ms d', { a: 'open', b: 'half-open', c: 'open', d: 'half-open' });
    });
  });

  it('rejects half-open calls beyond halfOpenMaxCalls with no retryAfter; a cancelled trial frees its permit', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 5, halfOpenMaxCalls: 1 });
      cold('#', undefined, boom).pipe(breaker).subscribe({ error: () => undefined });
      const slow = cold('----a|');
      const callAt = (t: number) => timer(t).pipe(mergeMap(() => slow.pipe(breaker)));
      expectObservable(callAt(5), '^------!').toBe('-'); // trial, cancelled at 7
      expectObservable(callAt(6)).toBe('------#', undefined, new CircuitOpenError(breaker.name, 'half-open', undefined));
      expectObservable(callAt(8)).toBe('------------a|');
      expectObservable(breaker.state$).toBe('a 4ms b 7ms c', { a: 'open', b: 'half-open', c: 'closed' });
    });
  });
});
