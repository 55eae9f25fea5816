import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { LinkedList, type Linked } from '../../src/internal/linkedList.js';

class Item implements Linked<Item> {
  older: Item | undefined = undefined;
  newer: Item | undefined = undefined;
  list: LinkedList<Item> | undefined = undefined;
  constructor(readonly id: number) {}
}

const ids = (list: LinkedList<Item>) => [...list].map((item) => item.id);

describe('LinkedList', () => {
  it('is a FIFO whose nodes leave in O(1), idempotently', () => {
    const list = new LinkedList<Item>();
    const [a, b, c] = [new Item(1), new Item(2), new Item(3)];
    list.push(a);
    list.push(b);
    list.push(c);
    expect(list.remove(b)).toBe(true);
    expect(list.remove(b)).toBe(false);
    expect({ ids: ids(list), size: list.size, head: list.head?.id, tail: list.tail?.id }).toEqual({ ids: [1, 3], size: 2, head: 1, tail: 3 });
    expect(list.shift()).toBe(a);
    expect(a.list).toBeUndefined();
    expect(list.shift()).toBe(c);
    expect(list.shift()).toBeUndefined();
    expect({ head: list.head, tail: list.tail, size: list.size }).toEqual({ head: undefined, tail: undefined, size: 0 });
  });

  it('a node pushed onto another list leaves the first', () => {
    const one = new LinkedList<Item>();
    const two = new LinkedList<Item>();
    const a = new Item(1);
    one.push(a);
    two.push(a);
    expect({ one: ids(one), two: ids(two), oneSize: one.size, removedFromOne: one.remove(a) }).toEqual({ one: [], two: [1], oneSize: 0, removedFromOne: false });
  });

  const op = fc.oneof(
    fc.record({ kind: fc.constant('push' as const), id: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 9 }) }),
    fc.record({ kind: fc.constant('shift' as const) }),
  );

  test.prop([fc.array(op, { maxLength: 60 })])('behaves as an array model, links consistent both ways', (ops) => {
    const items = Array.from({ length: 10 }, (_, id) => new Item(id));
    const list = new LinkedList<Item>();
    let model: number[] = [];
    for (const o of ops) {
      if (o.kind === 'push') {
        list.push(items[o.id]!);
        model = [...model.filter((id) => id !== o.id), o.id];
      } else if (o.kind === 'remove') {
        expect(list.remove(items[o.id]!)).toBe(model.includes(o.id));
        model = model.filter((id) => id !== o.id);
      } else {
        expect(list.shift()?.id).toBe(model[0]);
        model = model.slice(1);
      }
      expect(ids(list)).toEqual(model);
      expect(list.size).toBe(model.length);
      const backwards: number[] = [];
      for (let node = list.tail; node !== undefined; node = node.older) backwards.push(node.id);
      expect(backwards).toEqual([...model].reverse());
      for (const item of items) expect(item.list === list).toBe(model.includes(item.id));
    }
  });
});
