import { fc, test } from '@fast-check/vitest';
import { throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, constant, decorrelatedJitter, exponential, fibonacci, linear, type Backoff } from 'rx-resilience';
import { expectConfigError } from '../helpers/configError.js';

const seq = (backoff: Backoff, n: number): number[] => {
  const out: number[] = [];
  let previous: number | undefined;
  for (let attempt = 1; attempt <= n; attempt++) out.push((previous = backoff(attempt, previous)));
  return out;
};

/** A random source that returns the given values in turn, then repeats the last. */
const scripted = (...values: number[]) => {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
};

describe('jitter-free schedules are exact', () => {
  it('exponential doubles from initial up to max (seed 003: 1 s, 2 s, 4 s …)', () => {
    expect(seq(exponential({ initial: 1000, max: 30_000 }), 7)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect(seq(exponential({ initial: 100, factor: 3, max: 1000 }), 4)).toEqual([100, 300, 900, 1000]);
    expect(exponential()(1)).toBe(100);
    expect(exponential().max).toBe(30_000);
  });

  it('exponential is computed directly, so a huge attempt number is simply the cap', () => {
    expect(exponential({ initial: 100, max: 5000 })(10_000)).toBe(5000);
    expect(exponential({ initial: 0, max: 5000 })(10_000)).toBe(0);
  });

  it('linear adds step per retry', () => {
    expect(seq(linear({ initial: 100, step: 50, max: 300 }), 6)).toEqual([100, 150, 200, 250, 300, 300]);
    expect(seq(linear({ initial: 200 }), 3)).toEqual([200, 400, 600]);
  });

  it('fibonacci multiplies initial by 1, 1, 2, 3, 5, 8 …', () => {
    expect(seq(fibonacci({ initial: 100, max: 1000 }), 8)).toEqual([100, 100, 200, 300, 500, 800, 1000, 1000]);
    expect(fibonacci({ initial: 1, max: 1e9 })(40)).toBe(102_334_155);
  });

  it('constant always returns its delay, which is also its max', () => {
    expect(seq(constant(250), 4)).toEqual([250, 250, 250, 250]);
    expect(constant(0).max).toBe(0);
  });

  it('reads a nonsensical attempt number as the first retry', () => {
    const b = exponential({ initial: 10 });
    expect([b(0), b(-3), b(Number.NaN), b(2.7)]).toEqual([10, 10, 10, 20]);
  });

  it('exposes max as a readonly property', () => {
    const b = linear({ initial: 1, max: 9 });
    expect(b.max).toBe(9);
    expect(() => {
      (b as { max: number }).max = 1;
    }).toThrow(TypeError);
  });
});

describe('jitter draws from the injected random source', () => {
  it("'full' waits random · d", () => {
    expect(seq(exponential({ initial: 1000, jitter: 'full', random: scripted(0.5, 0.25, 0) }), 3)).toEqual([500, 500, 0]);
  });

  it("'equal' waits d/2 + random · d/2", () => {
    expect(seq(exponential({ initial: 1000, jitter: 'equal', random: scripted(0, 0.5, 0.999) }), 3)).toEqual([500, 1500, 4000 * 0.5 + 0.999 * 2000]);
  });

  it("'decorrelated' is min(max, initial + random · (3 · previous − initial)), previous starting at initial", () => {
    const b = decorrelatedJitter({ initial: 100, max: 1000, random: scripted(0.5, 0.5, 1) });
    // 100 + 0.5·(300 − 100) = 200; 100 + 0.5·(600 − 100) = 350; 100 + 1·(1050 − 100) = 1050 → 1000.
    expect(seq(b, 3)).toEqual([200, 350, 1000]);
    expect(exponential({ initial: 100, max: 1000, jitter: 'decorrelated', random: scripted(0.5, 0.5) })(2, 200)).toBe(350);
  });

  it('linear and fibonacci take jitter too', () => {
    expect(linear({ initial: 100, jitter: 'full', random: () => 0.5 })(3)).toBe(150);
    expect(fibonacci({ initial: 100, jitter: 'equal', random: () => 0 })(5)).toBe(250);
  });

  it('keeps a misbehaving random source inside [0, max]', () => {
    expect(exponential({ initial: 100, max: 400, jitter: 'full', random: () => 9 })(3)).toBe(400);
    expect(exponential({ initial: 100, jitter: 'full', random: () => -1 })(3)).toBe(0);
    expect(exponential({ initial: 100, jitter: 'equal', random: () => Number.NaN })(3)).toBe(0);
  });
});

describe('backoff properties', () => {
  const jitterArb = fc.constantFrom('none', 'full', 'equal', 'decorrelated') as fc.Arbitrary<'none' | 'full' | 'equal' | 'decorrelated'>;
  const optionsArb = fc.record({
    initial: fc.integer({ min: 0, max: 10_000 }),
    extra: fc.integer({ min: 0, max: 100_000 }),
    factor: fc.double({ min: 1, max: 10, noNaN: true }),
    step: fc.integer({ min: 0, max: 5000 }),
    jitter: jitterArb,
  });
  const randomsArb = fc.array(fc.oneof(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), fc.constantFrom(-0.5, 1.5, Number.NaN)), { minLength: 1, maxLength: 30 });

  test.prop([optionsArb, randomsArb, fc.integer({ min: 1, max: 40 })])('never exceed max and are never negative', (o, randoms, n) => {
    const max = o.initial + o.extra;
    const backoffs = [
      exponential({ initial: o.initial, factor: o.factor, max, jitter: o.jitter, random: scripted(...randoms) }),
      linear({ initial: o.initial, step: o.step, max, jitter: o.jitter, random: scripted(...randoms) }),
      fibonacci({ initial: o.initial, max, jitter: o.jitter, random: scripted(...randoms) }),
      decorrelatedJitter({ initial: o.initial, max, random: scripted(...randoms) }),
    ];
    for (const b of backoffs) {
      expect(b.max).toBe(max);
      for (const d of seq(b, n)) {
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThanOrEqual(max);
      }
    }
  });

  test.prop([optionsArb, fc.integer({ min: 1, max: 60 })])('without jitter they equal their formulas, computed directly', (o, n) => {
    const max = o.initial + o.extra;
    expect(exponential({ initial: o.initial, factor: o.factor, max })(n)).toBe(Math.min(max, o.initial * o.factor ** (n - 1)));
    expect(linear({ initial: o.initial, step: o.step, max })(n)).toBe(Math.min(max, o.initial + o.step * (n - 1)));
    const fib = [1, 1];
    while (fib.length < n) fib.push(fib[fib.length - 1]! + fib[fib.length - 2]!);
    expect(fibonacci({ initial: o.initial, max })(n)).toBe(Math.min(max, o.initial * fib[n - 1]!));
  });

  test.prop([fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })])(
    'full and equal jitter stay within their ranges of the un-jittered delay',
    (initial, extra, r) => {
      const max = initial + extra;
      for (let n = 1; n <= 10; n++) {
        const d = exponential({ initial, max })(n);
        const full = exponential({ initial, max, jitter: 'full', random: () => r })(n);
        const equal = exponential({ initial, max, jitter: 'equal', random: () => r })(n);
        expect(full).toBeLessThanOrEqual(d);
        expect(equal).toBeGreaterThanOrEqual(d / 2);
        expect(equal).toBeLessThanOrEqual(d);
      }
    },
  );
});

describe('backoff config validation', () => {
  const bad: [string, () => unknown, string][] = [
    ['constant', () => constant(-1), 'ms'],
    ['constant', () => constant(Number.NaN), 'ms'],
    ['constant', () => constant(undefined as unknown as number), 'ms'],
    ['exponential', () => exponential({ initial: -1 }), 'initial'],
    ['exponential', () => exponential({ factor: 0.5 }), 'factor'],
    ['exponential', () => exponential({ factor: Number.NaN }), 'factor'],
    ['exponential', () => exponential({ initial: 500, max: 100 }), 'max'],
    ['exponential', () => exponential({ max: Number.POSITIVE_INFINITY }), 'max'],
    ['exponential', () => exponential({ jitter: 'half' as 'full' }), 'jitter'],
    ['exponential', () => exponential({ random: 0.5 as unknown as () => number }), 'random'],
    ['exponential', () => exponential({ intial: 5 } as never), 'intial'],
    ['exponential', () => exponential('fast' as never), 'config'],
    ['linear', () => linear({ step: -5 }), 'step'],
    ['linear', () => linear({ initial: '1s' as unknown as number }), 'initial'],
    ['linear', () => linear({ factor: 2 } as never), 'factor'],
    ['fibonacci', () => fibonacci({ max: -1 }), 'max'],
    ['fibonacci', () => fibonacci({ step: 1 } as never), 'step'],
    ['decorrelatedJitter', () => decorrelatedJitter({ jitter: 'full' } as never), 'jitter'],
    ['decorrelatedJitter', () => decorrelatedJitter({ initial: 10, max: 5 }), 'max'],
  ];

  it.each(bad)('%s: a bad %s… throws ConfigError naming the field', (policy, build, field) => {
    expect(expectConfigError(build, field).policy).toBe(policy);
  });
});

describe('backoffs as the breaker break duration', () => {
  it('circuitBreaker({ breakDuration: exponential(…) }) grows on every re-open', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 }, breakDuration: exponential({ initial: 10, max: 1000 }), scheduler });
    const fail = () => throwError(() => new Error('down')).pipe(breaker).subscribe({ error: () => undefined });
    const opens: number[] = [];
    for (let i = 0; i < 4; i++) {
      fail(); // trips (first time) or fails the half-open trial
      opens.push(breaker.stats().nextAttemptAt! - scheduler.now());
      scheduler.maxFrames = breaker.stats().nextAttemptAt!;
      scheduler.flush();
      expect(breaker.stats().state).toBe('half-open');
    }
    expect(opens).toEqual([10, 20, 40, 80]);
  });
});
