import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { Outbox, SnapshotStream, WatchedCell } from '../../src/internal/cell.js';
import { shallowEqual } from '../../src/internal/equal.js';

describe('shallowEqual', () => {
  it('compares own keys with Object.is', () => {
    expect(shallowEqual({ a: 1, b: 'x' }, { b: 'x', a: 1 })).toBe(true);
    expect(shallowEqual({ a: 1 }, { a: 2 })).toBe(false);
    expect(shallowEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(shallowEqual({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(false);
    expect(shallowEqual({ a: NaN }, { a: NaN })).toBe(true);
    expect(shallowEqual({ a: {} }, { a: {} })).toBe(false);
  });

  it('compares anything else with Object.is', () => {
    expect(shallowEqual(1, 1)).toBe(true);
    expect(shallowEqual(null, {})).toBe(false);
    expect(shallowEqual('a', 'b')).toBe(false);
  });

  test.prop([fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.string(), fc.constant(undefined)))])('an object equals a copy of itself', (o) => {
    expect(shallowEqual(o, { ...o })).toBe(true);
  });
});

describe('WatchedCell', () => {
  it('reads nothing while unwatched, and reads fresh for a new watcher', () => {
    let n = 0;
    let reads = 0;
    const cell = new WatchedCell(() => (reads++, { n }));
    const before = reads;
    n = 1;
    cell.refresh();
    expect(reads).toBe(before);
    expect(cell.watched).toBe(false);
    const seen: number[] = [];
    const sub = cell.changes$.subscribe((s) => seen.push(s.n));
    expect(cell.watched).toBe(true);
    n = 2;
    cell.refresh();
    cell.refresh();
    sub.unsubscribe();
    expect(cell.watched).toBe(false);
    expect(seen).toEqual([1, 2]);
  });

  it('emits only changes, after the outbox releases', () => {
    const outbox = new Outbox();
    let n = 0;
    const cell = new WatchedCell(() => ({ n }), outbox);
    const seen: number[] = [];
    cell.changes$.subscribe((s) => seen.push(s.n));
    outbox.hold();
    n = 1;
    cell.refresh();
    expect(seen).toEqual([0]);
    outbox.release();
    expect(seen).toEqual([0, 1]);
  });
});

describe('SnapshotStream', () => {
  it('gives a new subscriber the current snapshot, then one per publish, and reads nothing unobserved', () => {
    let n = 0;
    let reads = 0;
    const stream = new SnapshotStream(() => (reads++, { n }));
    stream.publish();
    expect({ reads, observed: stream.observed }).toEqual({ reads: 0, observed: false });
    const seen: number[] = [];
    const sub = stream.snapshots$.subscribe((s) => seen.push(s.n));
    expect(stream.observed).toBe(true);
    stream.publish();
    n = 1;
    stream.publish();
    sub.unsubscribe();
    stream.publish();
    expect({ seen, reads, observed: stream.observed }).toEqual({ seen: [0, 0, 1], reads: 3, observed: false });
  });
});
