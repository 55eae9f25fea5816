import { describe, expect, it } from 'vitest';
import { CountWindowStrategy } from '../../src/breaker/countWindow.js';
import { TimeWindowStrategy } from '../../src/breaker/timeWindow.js';
import { transition, type Machine } from '../../src/breaker/machine.js';

const rule = { minimumCalls: 1, failureRateThreshold: 1, slowCallRateThreshold: undefined };

describe('TimeWindowStrategy', () => {
  it('drops everything after a jump longer than the window, and keeps recent buckets otherwise', () => {
    const w = new TimeWindowStrategy(40, 4, { ...rule, failureRateThreshold: 0.9 });
    w.record(0, false, false);
    w.record(15, true, true);
    expect(w.counts(39)).toEqual({ calls: 2, failures: 1, slowCalls: 1 });
    expect(w.counts(40)).toEqual({ calls: 1, failures: 1, slowCalls: 1 });
    expect(w.counts(1000)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
  });

  it('records into the newest bucket when the clock goes backwards', () => {
    const w = new TimeWindowStrategy(40, 4, { ...rule, failureRateThreshold: 0.9 });
    w.record(35, false, false);
    w.record(5, false, false);
    expect(w.counts(35)).toEqual({ calls: 2, failures: 0, slowCalls: 0 });
    expect(w.counts(69)).toEqual({ calls: 2, failures: 0, slowCalls: 0 }); // buckets [30, 70)
    expect(w.counts(70)).toEqual({ calls: 0, failures: 0, slowCalls: 0 }); // bucket [30, 40) has left
  });

  it('saves and loads its buckets', () => {
    const a = new TimeWindowStrategy(40, 4, rule);
    a.record(12, true, false);
    const b = new TimeWindowStrategy(40, 4, rule);
    expect(b.load(a.save())).toBe(true);
    expect(b.counts(12)).toEqual({ calls: 1, failures: 1, slowCalls: 0 });
    expect(b.load([1, 2])).toBe(false);
  });
});

describe('CountWindowStrategy', () => {
  it('slides over the last N calls and round-trips through save/load', () => {
    const w = new CountWindowStrategy(3, { ...rule, failureRateThreshold: 0.9 });
    for (const f of [true, false, false, true]) w.record(0, f, false);
    expect(w.counts()).toEqual({ calls: 3, failures: 1, slowCalls: 0 });
    const copy = new CountWindowStrategy(3, rule);
    expect(copy.load(w.save())).toBe(true);
    expect(copy.save()).toEqual(w.save());
    expect(copy.load([7])).toBe(false);
  });
});

describe('transition', () => {
  const breakFor = (opens: number) => opens * 10;
  it('takes only the legal edges and returns the same state otherwise', () => {
    const closed: Machine = { kind: 'closed' };
    const open = transition(closed, 'trip', 5, breakFor);
    expect(open).toEqual({ kind: 'open', openedAt: 5, until: 15, opens: 1 });
    expect(transition(open, 'trip', 6, breakFor)).toBe(open);
    const half = transition(open, 'elapsed', 15, breakFor);
    expect(half).toEqual({ kind: 'half-open', opens: 1 });
    expect(transition(half, 'trial-failed', 20, breakFor)).toEqual({ kind: 'open', openedAt: 20, until: 40, opens: 2 });
    expect(transition(half, 'trials-passed', 20, breakFor)).toEqual({ kind: 'closed' });
    expect(transition(closed, 'elapsed', 0, breakFor)).toBe(closed);
    expect(transition(open, 'isolate', 0, breakFor).kind).toBe('isolated');
    expect(transition({ kind: 'isolated' }, 'trip', 0, breakFor).kind).toBe('isolated');
  });
});
