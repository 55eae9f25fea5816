import { fc, test } from '@fast-check/vitest';
import { defer, of, VirtualTimeScheduler } from 'rxjs';
import { describe, expect } from 'vitest';
import { fixedWindow, memoryStore, slidingWindow, tokenBucket, type RateLimiter, type RateParams } from 'rx-resilience';

/** One limiter of each algorithm, reject or wait mode, with short refills so that keys go idle often. */
const limiterArb = fc.record({
  kind: fc.constantFrom('token-bucket' as const, 'sliding-window' as const, 'fixed-window' as const),
  limit: fc.integer({ min: 1, max: 3 }),
  period: fc.integer({ min: 1, max: 12 }),
  mode: fc.constantFrom('reject' as const, 'wait' as const),
});
type LimiterSpec = typeof limiterArb extends fc.Arbitrary<infer S> ? S : never;

function build(spec: LimiterSpec, scheduler: VirtualTimeScheduler): RateLimiter {
  const { limit, period, mode } = spec;
  if (spec.kind === 'token-bucket') return tokenBucket({ capacity: limit, refill: { tokens: 1, every: period }, mode, scheduler });
  if (spec.kind === 'sliding-window') return slidingWindow({ limit, window: period, mode, scheduler });
  return fixedWindow({ limit, window: period, mode, scheduler });
}

/** Calls on up to 8 keys at random instants; `stats` asks for the limiter's stats (a full sweep) first. */
const callsArb = fc.array(
  fc.record({ at: fc.integer({ min: 0, max: 40 }), key: fc.integer({ min: 0, max: 7 }), stats: fc.boolean() }),
  { maxLength: 80 },
);
type Call = { at: number; key: number; stats: boolean };

/** Each call's outcome: the virtual instant it was admitted, or 'rejected'. */
function outcomes(calls: readonly Call[], limiterFor: (scheduler: VirtualTimeScheduler) => (key: number) => RateLimiter | ReturnType<RateLimiter['forKey']>, sweep?: (limiter: number) => void): (number | 'rejected')[] {
  const scheduler = new VirtualTimeScheduler();
  const operatorOf = limiterFor(scheduler);
  const seen: (number | 'rejected')[] = calls.map(() => 'rejected');
  calls.forEach((call, i) => {
    scheduler.schedule(() => {
      if (call.stats) sweep?.(call.key);
      defer(() => of((seen[i] = scheduler.now())))
        .pipe(operatorOf(call.key))
        .subscribe({ error: () => undefined });
    }, call.at);
  });
  scheduler.flush();
  return seen;
}

describe('keyed limiters', () => {
  test.prop([limiterArb, callsArb])('a keyed limiter admits exactly what one independent limiter per key admits', (spec, calls) => {
    let keyed: RateLimiter | undefined;
    const together = outcomes(
      calls,
      (scheduler) => {
        keyed = build(spec, scheduler);
        return (key) => keyed!.forKey(`tenant-${key}`);
      },
      () => keyed!.stats(),
    );
    const apart = outcomes(calls, (scheduler) => {
      const own = new Map<number, RateLimiter>();
      return (key) => own.get(key) ?? own.set(key, build(spec, scheduler)).get(key)!;
    });
    expect(together).toEqual(apart);
  });

  const paramsArb = fc.oneof(
    fc.record({ kind: fc.constant('token-bucket' as const), capacity: fc.integer({ min: 1, max: 3 }), interval: fc.integer({ min: 1, max: 6 }) }),
    fc.record({ kind: fc.constantFrom('sliding-window' as const, 'fixed-window' as const), limit: fc.integer({ min: 1, max: 3 }), window: fc.integer({ min: 1, max: 12 }) }),
  ) as fc.Arbitrary<RateParams>;

  test.prop([paramsArb, fc.array(fc.record({ gap: fc.integer({ min: 0, max: 4 }), key: fc.integer({ min: 0, max: 40 }), sweep: fc.boolean() }), { maxLength: 150 })])(
    'one memory store answers every key as a store of its own would, whatever it drops on the way',
    (params, takes) => {
      const shared = memoryStore();
      const own = new Map<number, ReturnType<typeof memoryStore>>();
      let now = 0;
      for (const { gap, key, sweep } of takes) {
        now += gap;
        if (sweep) shared.sweep(now);
        const alone = own.get(key) ?? own.set(key, memoryStore()).get(key)!;
        expect({ ...shared.take(`k${key}`, 1, now, params, 0) }).toEqual({ ...alone.take(`k${key}`, 1, now, params, 0) });
      }
      // Records are dropped once idle: nothing outlives the longest refill or window.
      shared.sweep(now + 100);
      expect(shared.size).toBe(0);
    },
  );
});
