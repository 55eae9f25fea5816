/**
 * The latency histogram of the kernel: every quantile and the maximum within 3 % of an exact sort
 * of the same samples (nearest rank), the mean exact, over a count window and a rolling time window.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { BUCKETS, bucketOf, bucketValue, CountLatencyWindow, EMPTY_SUMMARY, parseLatency, TimeLatencyWindow, withLatency, type LatencySummary } from '../../src/internal/histogram.js';
import { checker } from '../../src/internal/validate.js';

/** Nearest-rank quantiles, mean and max of `samples` by sorting them. */
function exact(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) return EMPTY_SUMMARY;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.ceil(q * sorted.length) - 1]!;
  const sum = samples.reduce((a, b) => a + b, 0);
  return { count: samples.length, mean: sum / samples.length, p50: rank(0.5), p90: rank(0.9), p99: rank(0.99), max: sorted[sorted.length - 1]! };
}

/** Within one bucket: 3 % of the exact value (a sample under 1 µs reads as 0). */
function expectClose(actual: LatencySummary, expected: LatencySummary, largest = expected.max): void {
  expect(actual.count).toBe(expected.count);
  // A running sum drifts by rounding only, relative to the largest value it has held.
  expect(Math.abs(actual.mean - expected.mean)).toBeLessThanOrEqual(1e-9 * Math.max(1, largest));
  for (const key of ['p50', 'p90', 'p99', 'max'] as const) {
    const e = expected[key];
    if (e < 0.001) expect(actual[key]).toBe(0);
    else expect(Math.abs(actual[key] - e)).toBeLessThanOrEqual(0.03 * e);
  }
}

/** Durations from sub-microsecond to days, integers (virtual time) and fractions (a real clock). */
const durationArb = fc.oneof(
  fc.integer({ min: 0, max: 100 }),
  fc.integer({ min: 0, max: 2_000_000_000 }),
  fc.double({ min: 0, max: 1e6, noNaN: true }),
  fc.double({ min: 0, max: 0.01, noNaN: true }),
);

describe('log buckets', () => {
  it('has a bounded, fixed number of buckets, the first for [0, 1 µs)', () => {
    expect(BUCKETS).toBeLessThan(500);
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(0.0009)).toBe(0);
    expect(bucketOf(0.001)).toBe(1);
    expect(bucketValue(0)).toBe(0);
    expect(bucketOf(1e15)).toBe(BUCKETS - 1);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(-5)).toBe(0);
  });

  test.prop([fc.double({ min: 0.001, max: 2 ** 31, noNaN: true })])('reads any value back within 3 %', (v) => {
    expect(Math.abs(bucketValue(bucketOf(v)) - v)).toBeLessThanOrEqual(0.03 * v);
  });

  test.prop([fc.double({ min: 0, max: 2 ** 31, noNaN: true }), fc.double({ min: 0, max: 2 ** 31, noNaN: true })])('keeps the order of values', (a, b) => {
    if (a <= b) expect(bucketOf(a)).toBeLessThanOrEqual(bucketOf(b));
  });
});

describe('CountLatencyWindow', () => {
  it('reports zeros when empty and one sample exactly as its bucket', () => {
    const w = new CountLatencyWindow(3);
    expect(w.summary()).toEqual(EMPTY_SUMMARY);
    w.record(100);
    expect(w.summary()).toMatchObject({ count: 1, mean: 100 });
    expect(w.summary().p99).toBe(w.summary().max);
  });

  it('counts a negative, NaN or infinite duration as 0', () => {
    const w = new CountLatencyWindow(3);
    w.record(-1);
    w.record(Number.NaN);
    w.record(Number.POSITIVE_INFINITY);
    expect(w.summary()).toEqual({ count: 3, mean: 0, p50: 0, p90: 0, p99: 0, max: 0 });
  });

  test.prop([fc.integer({ min: 1, max: 50 }), fc.array(durationArb, { maxLength: 300 })])('matches an exact sort of the last size samples', (size, samples) => {
    const w = new CountLatencyWindow(size);
    let largest = 0;
    samples.forEach((s, i) => {
      w.record(s);
      largest = Math.max(largest, s);
      expectClose(w.summary(), exact(samples.slice(Math.max(0, i + 1 - size), i + 1)), largest);
    });
  });
});

describe('TimeLatencyWindow', () => {
  it('forgets a slot once it leaves the window, and everything after a long gap', () => {
    const w = new TimeLatencyWindow(100, 4);
    w.record(10, 0);
    w.record(20, 30);
    expect(w.summary(99).count).toBe(2);
    expect(w.summary(100)).toMatchObject({ count: 1, mean: 20 });
    expect(w.summary(125).count).toBe(0);
    w.record(5, 1_000);
    expect(w.summary(1_000)).toMatchObject({ count: 1, mean: 5 });
  });

  it('records into the newest slot when the clock goes back', () => {
    const w = new TimeLatencyWindow(100, 4);
    w.record(1, 50);
    w.record(3, 10);
    expect(w.summary(50)).toMatchObject({ count: 2, mean: 2 });
  });

  test.prop([
    fc.integer({ min: 1, max: 8 }),
    fc.integer({ min: 1, max: 40 }),
    fc.array(fc.record({ gap: fc.integer({ min: 0, max: 60 }), ms: durationArb }), { maxLength: 200 }),
  ])('matches an exact sort of the samples in the slots still in the window', (slots, slotMs, steps) => {
    const w = new TimeLatencyWindow(slots * slotMs, slots);
    const kept: { at: number; ms: number }[] = [];
    let now = 0;
    for (const { gap, ms } of steps) {
      now += gap;
      w.record(ms, now);
      kept.push({ at: now, ms });
      const current = Math.floor(now / slotMs);
      const inWindow = kept.filter((k) => Math.floor(k.at / slotMs) > current - slots).map((k) => k.ms);
      expectClose(w.summary(now), exact(inWindow));
    }
  });
});

describe('parseLatency', () => {
  const check = checker('p');
  const refused = (config: Record<string, unknown>, fixed = false) => {
    try {
      parseLatency(check, config, fixed ? { make: () => new CountLatencyWindow(1), reason: 'left out: the window is fixed' } : undefined);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return `${(error as ConfigError).field}: ${(error as ConfigError).allowed}`;
    }
    return 'accepted';
  };

  it('is off by default and refuses bad values, naming the field', () => {
    expect(parseLatency(check, {})).toBeUndefined();
    expect(parseLatency(check, { latency: false })).toBeUndefined();
    expect(refused({ latency: 'yes' })).toBe('latency: a boolean');
    expect(refused({ latencyWindow: 1000 })).toBe('latencyWindow: left out unless latency is true');
    expect(refused({ latency: true, latencyWindow: 0 })).toMatch(/^latencyWindow: a finite number of milliseconds > 0/);
    expect(refused({ latency: true, latencyWindow: Number.POSITIVE_INFINITY })).toMatch(/^latencyWindow/);
    expect(refused({ latency: true, latencyWindow: 10 }, true)).toBe('latencyWindow: left out: the window is fixed');
  });

  it('builds a rolling window of latencyWindow ms (default 60 000) in tenths', () => {
    const w = parseLatency(check, { latency: true, latencyWindow: 1000 })!();
    w.record(5, 0);
    expect(w.summary(999).count).toBe(1);
    expect(w.summary(1000).count).toBe(0);
    const d = parseLatency(check, { latency: true })!();
    d.record(5, 0);
    expect(d.summary(59_999).count).toBe(1);
    expect(d.summary(60_000).count).toBe(0);
  });
});

describe('withLatency', () => {
  it('adds the window\'s summary at now, or returns the stats alone', () => {
    const window = new CountLatencyWindow(10);
    window.record(5);
    const stats = { name: 'p' };
    expect(withLatency(stats, undefined, 0)).toBe(stats);
    expect(withLatency(stats, window, 0)).toEqual({ name: 'p', latency: window.summary() });
    expect(withLatency(stats, window, 0).latency?.count).toBe(1);
  });
});
