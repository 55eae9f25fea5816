/**
 * Property tests of retryBackoff over random schedules, failure counts, attempt durations and
 * unsubscribe times, on a VirtualTimeScheduler driven by hand.
 */
import { fc, test } from '@fast-check/vitest';
import { Observable, VirtualTimeScheduler } from 'rxjs';
import { describe, expect } from 'vitest';
import { exponential, linear, fibonacci, RetriesExhaustedError, retryBackoff, type Backoff, type JitterKind } from 'rx-resilience';

const boom = new Error('boom');

const scenarioArb = fc.record({
  maxAttempts: fc.integer({ min: 1, max: 8 }),
  failures: fc.integer({ min: 0, max: 10 }),
  kind: fc.constantFrom('exponential', 'linear', 'fibonacci'),
  initial: fc.integer({ min: 0, max: 50 }),
  extra: fc.integer({ min: 0, max: 500 }),
  jitter: fc.constantFrom<JitterKind>('none', 'full', 'equal', 'decorrelated'),
  seed: fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 10 }),
  /** Frames each attempt runs before it ends; 0 ends synchronously at subscribe. */
  durations: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 11, maxLength: 11 }),
});
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

/** Two identical backoffs (same seeded random sequence): one for the policy, one for the expectation. */
function backoffs(s: Scenario): [Backoff, Backoff] {
  const make = () => {
    let i = 0;
    const random = () => s.seed[i++ % s.seed.length]!;
    const options = { initial: s.initial, max: s.initial + s.extra, jitter: s.jitter, random };
    return s.kind === 'exponential' ? exponential(options) : s.kind === 'linear' ? linear(options) : fibonacci(options);
  };
  return [make(), make()];
}

function run(s: Scenario, scheduler: VirtualTimeScheduler, backoff: Backoff) {
  const subscribedAt: number[] = [];
  let active = 0;
  let n = 0;
  const source = new Observable<number>((subscriber) => {
    subscribedAt.push(scheduler.now());
    const index = n++;
    const end = () => (index < s.failures ? subscriber.error(boom) : (subscriber.next(index), subscriber.complete()));
    const duration = s.durations[index]!;
    if (duration === 0) return end();
    active++;
    const action = scheduler.schedule(end, duration);
    return () => {
      active--;
      action.unsubscribe();
    };
  });
  const result: { value?: number; error?: unknown; endedAt?: number } = {};
  const sub = source.pipe(retryBackoff({ maxAttempts: s.maxAttempts, backoff, scheduler })).subscribe({
    next: (value) => (result.value = value),
    error: (error) => ((result.error = error), (result.endedAt = scheduler.now())),
    complete: () => (result.endedAt = scheduler.now()),
  });
  return { subscribedAt, result, sub, active: () => active };
}

describe('retryBackoff properties', () => {
  test.prop([scenarioArb])('subscribes at most maxAttempts times and waits exactly the schedule', (s) => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const [policyBackoff, expected] = backoffs(s);
    const { subscribedAt, result, active } = run(s, scheduler, policyBackoff);
    scheduler.flush();

    const attempts = Math.min(s.failures + 1, s.maxAttempts);
    expect(subscribedAt.length).toBe(attempts);
    expect(subscribedAt.length).toBeLessThanOrEqual(s.maxAttempts);
    // Every attempt starts when the previous one ended plus exactly the n-th delay of the schedule.
    let t = 0;
    let previous: number | undefined;
    for (let i = 0; i < attempts; i++) {
      expect(subscribedAt[i]).toBeCloseTo(t, 9);
      t += s.durations[i]!;
      if (i < attempts - 1) t += previous = expected(i + 1, previous);
    }
    expect(result.endedAt).toBeCloseTo(t, 9);
    if (s.failures < s.maxAttempts) {
      expect(result.value).toBe(s.failures);
      expect(result.error).toBeUndefined();
    }
    else expect(result.error).toEqual(new RetriesExhaustedError((result.error as RetriesExhaustedError).policy, s.maxAttempts, boom, 'max-attempts'));
    expect(active()).toBe(0);
    expect(scheduler.actions.length).toBe(0);
  });

  test.prop([scenarioArb, fc.integer({ min: 0, max: 400 })])('leaves nothing scheduled and subscribes no more after an unsubscribe', (s, at) => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const { subscribedAt, sub, active } = run(s, scheduler, backoffs(s)[0]);
    scheduler.maxFrames = at;
    scheduler.flush();
    sub.unsubscribe();
    const count = subscribedAt.length;
    expect(active()).toBe(0);
    expect(scheduler.actions.length).toBe(0);
    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.flush();
    expect(subscribedAt.length).toBe(count);
    expect(count).toBeLessThanOrEqual(s.maxAttempts);
  });
});
