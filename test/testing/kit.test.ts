import { BehaviorSubject, Observable, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, type CircuitBreaker, type CircuitState } from 'rx-resilience';
import { isLegalBreakerTransition, observableMatcher, scriptedService, testScheduler, watchBreakerLaws } from 'rx-resilience/testing';

describe('testing kit', () => {
  it('observableMatcher compares errors by name, message and fields, not stacks', () => {
    const a = Object.assign(new Error('x'), { code: 1 });
    const b = Object.assign(new Error('x'), { code: 1 });
    expect(() => observableMatcher([{ error: a }], [{ error: b }])).not.toThrow();
    expect(() => observableMatcher([{ error: a }], [{ error: new Error('y') }])).toThrow();
  });

  it('scriptedService follows its script on virtual time and records every call', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const service = scriptedService<string>([{ ok: 'a', after: 2 }, { fail: 'down', after: 1 }, { hang: true }]);
      expectObservable(service.call()).toBe('--(a|)');
      expectObservable(service.call()).toBe('-#', undefined, 'down');
      expectObservable(service.call(), '^---!').toBe('----');
      expectObservable(service.call(), '^----!').toBe('-----'); // the last step repeats
      scheduler.schedule(() => {
        expect(service.calls.map((c) => [c.end, c.endedAt])).toEqual([['completed', 2], ['errored', 1], ['unsubscribed', 4], ['unsubscribed', 5]]);
        expect(service.maxActive).toBe(4);
        expect(service.active).toBe(0);
      }, 10);
    });
  });

  it('watchBreakerLaws reports a call that reaches upstream while open, and illegal transitions', () => {
    const state = new BehaviorSubject<CircuitState>('closed');
    const fake = { state$: state } as unknown as CircuitBreaker;
    const laws = watchBreakerLaws(fake, { halfOpenMaxCalls: 1 });
    state.next('open');
    of(1).pipe(laws.probe).subscribe();
    state.next('closed');
    state.next('half-open');
    new Observable(() => undefined).pipe(laws.probe).subscribe();
    new Observable(() => undefined).pipe(laws.probe).subscribe();
    laws.stop();
    expect(laws.violations).toEqual([
      'a call reached upstream while open',
      'illegal transition closed -> half-open',
      '2 half-open trials at once (max 1)',
    ]);
  });

  it('finds no violation on a real breaker', () => {
    const breaker = circuitBreaker();
    const laws = watchBreakerLaws(breaker);
    of(1).pipe(laws.probe, breaker).subscribe();
    laws.stop();
    expect(laws.violations).toEqual([]);
    expect(isLegalBreakerTransition('open', 'closed')).toBe(true);
    expect(isLegalBreakerTransition('closed', 'half-open')).toBe(false);
  });
});
