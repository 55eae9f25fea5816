/** @internal `exportState()` / `initialState`: a JSON-safe copy of a breaker, with absolute scheduler times. */
import type { Check } from '../internal/validate.js';
import { CLOSED, DISABLED, ISOLATED, type CircuitState, type Machine } from './machine.js';
import type { Strategy } from './strategy.js';

/** What `breaker.exportState()` returns and `initialState` takes. */
export interface CircuitBreakerSnapshot {
  readonly version: 1;
  readonly state: CircuitState;
  /** Open: when it opened and when it turns half-open, on the scheduler's clock. */
  readonly openedAt?: number;
  readonly until?: number;
  /** Open or half-open: how many times in a row it has opened (drives a break-duration backoff). */
  readonly opens?: number;
  /** Half-open: trials that have succeeded so far (left out when none). */
  readonly successes?: number;
  /** The strategy's counters. */
  readonly window: readonly number[];
  /** The window's rates at the last trip (closed → open) and its time; left out before the first. */
  readonly lastTrip?: LastTrip;
}

/** The rates that last opened a breaker, and when. */
export interface LastTrip {
  readonly at: number;
  readonly failureRate: number;
  readonly slowCallRate: number;
}

export function toSnapshot(machine: Machine, strategy: Strategy, trialSuccesses: number, lastTrip: LastTrip | null): CircuitBreakerSnapshot {
  const snapshot = machineSnapshot(machine, strategy, trialSuccesses);
  return lastTrip === null ? snapshot : { ...snapshot, lastTrip: { ...lastTrip } };
}

function machineSnapshot(machine: Machine, strategy: Strategy, trialSuccesses: number): CircuitBreakerSnapshot {
  const window = strategy.save();
  switch (machine.kind) {
    case 'open':
      return { version: 1, state: 'open', openedAt: machine.openedAt, until: machine.until, opens: machine.opens, window };
    case 'half-open':
      return trialSuccesses > 0
        ? { version: 1, state: 'half-open', opens: machine.opens, successes: trialSuccesses, window }
        : { version: 1, state: 'half-open', opens: machine.opens, window };
    default:
      return { version: 1, state: machine.kind, window };
  }
}

/**
 * Restores a machine (as saved: the caller moves it on to the current time) and its successful
 * half-open trials, and fills `strategy`; throws `ConfigError` on `initialState.*`.
 */
export function fromSnapshot(check: Check, saved: unknown, strategy: Strategy): { machine: Machine; trialSuccesses: number; lastTrip: LastTrip | null } {
  const s = check.object('initialState', saved, ['version', 'state', 'openedAt', 'until', 'opens', 'successes', 'window', 'lastTrip']);
  const machine = restoreMachine(check, s, strategy);
  const successes = machine.kind === 'half-open' ? check.integer('initialState.successes', s.successes, 0, 0) : 0;
  return { machine, trialSuccesses: successes, lastTrip: s.lastTrip === undefined ? null : restoreLastTrip(check, s.lastTrip) };
}

function restoreLastTrip(check: Check, saved: unknown): LastTrip {
  const t = check.object('initialState.lastTrip', saved, ['at', 'failureRate', 'slowCallRate']);
  return {
    at: check.number('initialState.lastTrip.at', t.at ?? Number.NaN, 0, -Number.MAX_VALUE, Number.MAX_VALUE),
    failureRate: check.number('initialState.lastTrip.failureRate', t.failureRate ?? Number.NaN, 0, 0, 1),
    slowCallRate: check.number('initialState.lastTrip.slowCallRate', t.slowCallRate ?? Number.NaN, 0, 0, 1),
  };
}

function restoreMachine(check: Check, s: Record<string, unknown>, strategy: Strategy): Machine {
  if (s.version !== 1) check.fail('initialState.version', s.version, '1');
  const state = check.oneOf('initialState.state', s.state, ['closed', 'open', 'half-open', 'isolated', 'disabled'], 'closed');
  if (!strategy.load(s.window)) check.fail('initialState.window', s.window, "the window saved by a breaker with the same strategy");
  const opens = () => check.integer('initialState.opens', s.opens ?? Number.NaN, 1);
  const time = (field: 'openedAt' | 'until') => check.number(`initialState.${field}`, (s[field] as number | undefined) ?? Number.NaN, 0, -Number.MAX_VALUE, Number.MAX_VALUE);
  switch (state) {
    case 'open': {
      const openedAt = time('openedAt');
      const until = time('until');
      if (until < openedAt) check.fail('initialState.until', until, `a time >= openedAt (${openedAt})`);
      return { kind: 'open', openedAt, until, opens: opens() };
    }
    case 'half-open':
      return { kind: 'half-open', opens: opens() };
    case 'isolated':
      return ISOLATED;
    case 'disabled':
      return DISABLED;
    default:
      return CLOSED;
  }
}
