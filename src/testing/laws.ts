/**
 * Law checkers that consumers run in their own suites. A law watcher observes a policy through
 * its public streams and a probe piped *inside* it (next to the upstream), and collects every
 * violation as a sentence. Call `stop()` at the end and assert that `violations` is empty.
 */
import { Observable, type Subscription } from 'rxjs';
import type { CircuitBreaker, CircuitState } from '../index.js';
import { settingsOf } from './policies.js';

export interface LawWatcher {
  /** Pipe this between the upstream and the policy: `upstream.pipe(watcher.probe, breaker)`. */
  readonly probe: <T>(source: Observable<T>) => Observable<T>;
  readonly violations: readonly string[];
  stop(): void;
}

/**
 * Circuit breaker laws: no call reaches upstream while the breaker is open or isolated; no more
 * than `halfOpenMaxCalls` (read from the breaker) trials run at once in a half-open period; every transition on `state$`
 * is a legal edge.
 */
export function watchBreakerLaws(breaker: CircuitBreaker, options: { halfOpenMaxCalls?: number } = {}): LawWatcher {
  // The breaker's own setting, unless the caller states another (a stand-in carries none).
  const own = settingsOf(breaker).halfOpenMaxCalls;
  const max = options.halfOpenMaxCalls ?? (typeof own === 'number' ? own : 1);
  const violations: string[] = [];
  let seen: CircuitState | undefined;
  let known: CircuitState | undefined;
  let period = 0;
  let trials = 0;
  // A new period starts when the state moves, as heard on `state$` or read by a call.
  const enter = (next: CircuitState) => {
    if (next === known) return;
    known = next;
    period++;
    trials = 0;
  };
  const sub: Subscription = breaker.state$.subscribe((next) => {
    if (seen !== undefined && !isLegalBreakerTransition(seen, next)) violations.push(`illegal transition ${seen} -> ${next}`);
    seen = next;
    enter(next);
  });
  const probe = <T>(source: Observable<T>) =>
    new Observable<T>((subscriber) => {
      // A call started by a listener runs before `state$` has delivered the change that listener
      // heard of: the breaker's own `stats()` is the state that admitted it.
      // (A stand-in without `stats()` is judged by what `state$` said last.)
      const state = typeof breaker.stats === 'function' ? breaker.stats().state : seen;
      if (state === undefined) return source.subscribe(subscriber);
      enter(state);
      if (state === 'open' || state === 'isolated') violations.push(`a call reached upstream while ${state}`);
      const trialOf = state === 'half-open' ? period : -1;
      if (trialOf >= 0 && ++trials > max) violations.push(`${trials} half-open trials at once (max ${max})`);
      const inner = source.subscribe(subscriber);
      return () => {
        inner.unsubscribe();
        if (trialOf === period) trials--;
      };
    });
  return { probe, violations, stop: () => sub.unsubscribe() };
}

/**
 * The breaker's edges as its documentation states them (the law, written independently of the
 * state machine it checks): closed → open → half-open → open or closed; the manual controls reach
 * closed, isolated and disabled from any other state.
 */
export function isLegalBreakerTransition(from: CircuitState, to: CircuitState): boolean {
  if (from === to) return false;
  if (to === 'closed' || to === 'isolated' || to === 'disabled') return true;
  return (from === 'closed' && to === 'open') || (from === 'open' && to === 'half-open') || (from === 'half-open' && to === 'open');
}
