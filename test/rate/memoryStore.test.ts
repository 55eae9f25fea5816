import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ConfigError, memoryStore, type RateParams } from 'rx-resilience';

const paramsArb: fc.Arbitrary<{ params: RateParams; cost: number }> = fc.oneof(
  fc.record({ capacity: fc.integer({ min: 1, max: 5 }), interval: fc.constantFrom(0.5, 1, 2.5, 4, 10) }).chain(({ capacity, interval }) =>
    fc.record({ params: fc.constant<RateParams>({ kind: 'token-bucket', capacity, interval }), cost: fc.constantFrom(...[0.5, 1, 2].filter((c) => c <= capacity)) }),
  ),
  fc.record({ limit: fc.integer({ min: 1, max: 5 }), window: fc.integer({ min: 1, max: 30 }), kind: fc.constantFrom('sliding-window' as const, 'fixed-window' as const) }).chain(({ limit, window, kind }) =>
    fc.record({ params: fc.constant<RateParams>({ kind, limit, window }), cost: fc.integer({ min: 1, max: limit }) }),
  ),
);

/** Replays takes at `times` into a fresh store; returns it and the answer to the last one. */
function replay(params: RateParams, cost: number, times: readonly number[], queued = 0) {
  const store = memoryStore();
  let last = { allowed: false, retryAfter: 0, remaining: 0 };
  times.forEach((t, i) => (last = { ...store.take('k', cost, t, params, i === times.length - 1 ? queued : 0) }));
  return { store, last };
}

describe('memoryStore', () => {
  test.prop([paramsArb, fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 25 })])(
    'retryAfter is exact: the same take is admitted at now + retryAfter and not a moment before',
    ({ params, cost }, gaps) => {
      const times = gaps.reduce<number[]>((acc, g) => [...acc, (acc.at(-1) ?? 0) + g], []);
      const { last } = replay(params, cost, times);
      if (last.allowed) return;
      const at = times.at(-1)! + last.retryAfter;
      expect(replay(params, cost, [...times.slice(0, -1), at]).last.allowed).toBe(true);
      if (last.retryAfter > 0.01) expect(replay(params, cost, [...times.slice(0, -1), at - 0.01]).last.allowed).toBe(false);
    },
  );

  test.prop([paramsArb, fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 12 }), fc.integer({ min: 1, max: 6 })])(
    'the estimate for a call behind n others is when n + 1 calls taken one after another would get the last one in',
    ({ params, cost }, gaps, n) => {
      const times = gaps.reduce<number[]>((acc, g) => [...acc, (acc.at(-1) ?? 0) + g], []);
      const now = times.at(-1)!;
      const estimate = replay(params, cost, times.slice(0, -1).concat(now), n).last;
      const store = replay(params, cost, times.slice(0, -1)).store;
      // Serve n + 1 calls greedily, each at the first instant the store admits it.
      let t = now;
      for (let served = 0; served <= n; ) {
        const r = store.take('k', cost, t, params, 0);
        if (r.allowed) served++;
        else t += r.retryAfter;
      }
      expect(estimate.allowed).toBe(false);
      expect(now + estimate.retryAfter).toBeCloseTo(t, 6);
    },
  );

  it('never takes for a call with others queued ahead of it', () => {
    const store = memoryStore();
    const params: RateParams = { kind: 'token-bucket', capacity: 5, interval: 1 };
    expect(store.take('k', 1, 0, params, 2)).toMatchObject({ allowed: false, retryAfter: 0 });
    expect(store.peek('k', 0, params)).toBe(5);
  });

  it('keeps algorithms apart and counts keys; sweep drops idle ones', () => {
    const store = memoryStore();
    store.take('k', 1, 0, { kind: 'token-bucket', capacity: 2, interval: 10 }, 0);
    store.take('k', 1, 0, { kind: 'sliding-window', limit: 2, window: 5 }, 0);
    store.take('k', 1, 0, { kind: 'fixed-window', limit: 2, window: 20 }, 0);
    expect(store.size).toBe(3);
    expect(store.sweep(5)).toBe(1);
    expect(store.sweep(10)).toBe(1);
    expect(store.sweep(20)).toBe(1);
    expect(store.size).toBe(0);
  });

  it('validates its options', () => {
    expect(() => memoryStore({ maxKeys: 0 })).toThrowError(ConfigError);
    expect(() => memoryStore({ max: 3 } as never)).toThrowError(ConfigError);
  });
});
