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
  /** The strategy's counters. */
  readonly window: readonly number[];
}

export function toSnapshot(machine: Machine, strategy: Strategy): CircuitBreakerSnapshot {
  const window = strategy.save();
  switch (machine.kind) {
    case 'open':
      return { version: 1, state: 'open', openedAt: machine.openedAt, until: machine.until, opens: machine.opens, window };
    case 'half-open':
      return { version: 1, state: 'half-open', opens: machine.opens, window };
    default:
      return { version: 1, state: machine.kind, window };
  }
}

/** Restores a machine and fills `strategy`; throws `ConfigError` on `initialState.*`. */
export function fromSnapshot(check: Check, saved: unknown, strategy: Strategy): Machine {
  const s = check.object('initialState', saved, ['version', 'state', 'openedAt', 'until', 'opens', 'window']);
  if (s.version !== 1) check.fail('initialState.version', s.version, '1');
  const state = check.oneOf('initialState.state', s.state, ['closed', 'open', 'half-open', 'isolated', 'disabled'], 'closed');
  if (!strategy.load(s.window)) check.fail('initialState.window', s.window, "the window saved by a breaker with the same strategy");
  const opens = () => check.integer('initialState.opens', s.opens ?? Number.NaN, 1);
  const time = (field: 'openedAt' | 'until') => check.number(`initialState.${field}`, s[field] ?? Number.NaN, 0, -Number.MAX_VALUE, Number.MAX_VALUE);
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
