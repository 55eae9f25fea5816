/**
 * @internal The breaker's state machine as a pure function: (state, signal) → next state.
 * It knows nothing of windows, timers or streams; the breaker core feeds it signals and acts on
 * what it returns. Returning the same object means "no transition".
 */
import { match, P } from 'ts-pattern';

export type CircuitState = 'closed' | 'open' | 'half-open' | 'isolated' | 'disabled';

export type Machine =
  | { readonly kind: 'closed' }
  | { readonly kind: 'open'; readonly openedAt: number; readonly until: number; readonly opens: number }
  | { readonly kind: 'half-open'; readonly opens: number }
  | { readonly kind: 'isolated' }
  | { readonly kind: 'disabled' };

export type Signal =
  /** The closed breaker's strategy tripped. */
  | 'trip'
  /** The break duration of an open breaker has passed. */
  | 'elapsed'
  /** A half-open trial failed. */
  | 'trial-failed'
  /** Enough half-open trials succeeded. */
  | 'trials-passed'
  | 'reset'
  | 'isolate'
  | 'disable';

/** `breakFor(opens)` gives the break duration of the `opens`-th consecutive opening. */
export function transition(state: Machine, signal: Signal, now: number, breakFor: (opens: number) => number): Machine {
  const open = (opens: number): Machine => ({ kind: 'open', openedAt: now, until: now + breakFor(opens), opens });
  return match([state, signal] as const)
    .returnType<Machine>()
    .with([P.any, 'reset'], ([s]) => (s.kind === 'closed' ? s : CLOSED))
    .with([P.any, 'isolate'], ([s]) => (s.kind === 'isolated' ? s : ISOLATED))
    .with([P.any, 'disable'], ([s]) => (s.kind === 'disabled' ? s : DISABLED))
    .with([{ kind: 'closed' }, 'trip'], () => open(1))
    .with([{ kind: 'open' }, 'elapsed'], ([s]) => ({ kind: 'half-open', opens: s.opens }))
    .with([{ kind: 'half-open' }, 'trial-failed'], ([s]) => open(s.opens + 1))
    .with([{ kind: 'half-open' }, 'trials-passed'], () => CLOSED)
    .otherwise(([s]) => s);
}

export const CLOSED: Machine = { kind: 'closed' };
export const ISOLATED: Machine = { kind: 'isolated' };
export const DISABLED: Machine = { kind: 'disabled' };

/** Every edge the machine can take (the manual controls reach closed, isolated and disabled from anywhere). */
export function isLegalTransition(from: CircuitState, to: CircuitState): boolean {
  if (from === to) return false;
  if (to === 'closed' || to === 'isolated' || to === 'disabled') return true;
  return (from === 'closed' && to === 'open') || (from === 'open' && to === 'half-open') || (from === 'half-open' && to === 'open');
}
