import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { BucketWindow } from '../../src/internal/bucketWindow.js';

describe('BucketWindow', () => {
  it('drops a bucket once it leaves the window, and everything after a long gap', () => {
    const w = new BucketWindow(1000, 10, 2);
    w.add(0, 0);
    w.add(150, 0, 2);
    w.add(150, 1);
    expect([w.total(999, 0), w.total(999, 1)]).toEqual([3, 1]);
    expect(w.total(1000, 0)).toBe(2);
    expect([w.total(1100, 0), w.total(1100, 1)]).toEqual([0, 0]);
    w.add(5000, 1);
    expect([w.total(5000, 0), w.total(5000, 1)]).toEqual([0, 1]);
  });

  it('sum reads the totals as the last add or total rotated them', () => {
    const w = new BucketWindow(1000, 10, 2);
    w.add(0, 0);
    w.add(950, 0);
    expect(w.sum(0)).toBe(2);
    w.add(1050, 1);
    expect([w.sum(0), w.sum(1)]).toEqual([1, 1]);
    expect([w.sum(0), w.total(1050, 0)]).toEqual([1, 1]);
  });

  it('saves and loads, and refuses what save could not have written', () => {
    const w = new BucketWindow(1000, 4, 2);
    w.add(100, 0);
    w.add(600, 1, 3);
    const copy = new BucketWindow(1000, 4, 2);
    expect(copy.load(JSON.parse(JSON.stringify(w.save())))).toBe(true);
    expect([copy.total(700, 0), copy.total(700, 1), copy.total(1300, 0)]).toEqual([1, 3, 0]);
    expect(copy.load([0, 1, 2])).toBe(false);
    expect(copy.load([0, 1, 2, 3, 4, 5, 6, 7, -1])).toBe(false);
    expect(copy.load([0, 1, 2, 3, 4, 5, 6, 7, 0.5])).toBe(false);
    expect(copy.load('nope')).toBe(false);
    expect(new BucketWindow(1000, 4, 2).save()[0]).toBe(-1);
  });

  const steps = fc.array(fc.record({ dt: fc.integer({ min: 0, max: 400 }), field: fc.integer({ min: 0, max: 2 }), amount: fc.integer({ min: 1, max: 5 }) }), { maxLength: 80 });

  test.prop([fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), steps])('totals equal the sum of the events in the buckets inside the window', (buckets, spanMs, events) => {
    const duration = buckets * spanMs;
    const w = new BucketWindow(duration, buckets, 3);
    const log: { at: number; field: number; amount: number }[] = [];
    let now = 0;
    for (const { dt, field, amount } of events) {
      now += dt;
      w.add(now, field, amount);
      log.push({ at: now, field, amount });
      const newest = Math.floor(now / spanMs);
      for (const f of [0, 1, 2]) {
        const expected = log.filter((e) => e.field === f && Math.floor(e.at / spanMs) > newest - buckets).reduce((s, e) => s + e.amount, 0);
        expect(w.total(now, f)).toBe(expected);
      }
    }
  });
});
