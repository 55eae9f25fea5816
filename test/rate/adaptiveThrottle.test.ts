import { fc, test } from '@fast-check/vitest';
import { of, throwError, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { adaptiveThrottle, tokenBucket, RateLimitedError, type AdaptiveThrottleEvent } from 'rx-resilience';
import { expectConfigError } from '../helpers/configError.js';

const boom = new Error('overloaded');
const noop = { error: () => undefined };

describe('adaptiveThrottle', () => {
  it('never rejects while the backend accepts calls', () => {
    const throttle = adaptiveThrottle({ random: () => 0 });
    for (let i = 0; i < 50; i++) of(i).pipe(throttle).subscribe();
    expect(throttle.stats()).toMatchObject({ requests: 50, accepts: 50, rejectProbability: 0, rejected: 0, admitted: 50 });
  });

  it('rejects with probability max(0, (requests − k·accepts) / (requests + 1)), drawing from random', () => {
    const scheduler = new VirtualTimeScheduler();
    const draws = [0.99, 0.99, 0.5, 0.4]; // drawn only when the probability is above 0
    const throttle = adaptiveThrottle({ name: 'sre', k: 2, random: () => draws.shift() ?? 1, scheduler });
    const events: AdaptiveThrottleEvent[] = [];
    throttle.events$.subscribe((e) => events.push(e));
    of(1).pipe(throttle).subscribe(); // 1 request, 1 accept
    for (let i = 0; i < 4; i++) throwError(() => boom).pipe(throttle).subscribe(noop);
    // 5 requests, 1 accept: p = (5 − 2) / 6 = 0.5; a draw of 0.5 is not below it.
    throwError(() => boom).pipe(throttle).subscribe(noop);
    // 6 requests, 1 accept: p = 4 / 7; 0.4 is below it.
    let error: unknown;
    of(1).pipe(throttle).subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toEqual(new RateLimitedError('sre', undefined));
    expect(events.map((e) => [e.type, e.rejectProbability])).toEqual([
      ['admitted', 0], ['admitted', 0], ['admitted', 0], ['admitted', 0.25], ['admitted', 0.4], ['admitted', 0.5], ['rejected', 4 / 7],
    ]);
    expect(throttle.stats()).toMatchObject({ requests: 7, accepts: 1, rejected: 1 });
  });

  it('forgets requests older than the window', () => {
    const scheduler = new VirtualTimeScheduler();
    const throttle = adaptiveThrottle({ window: 1_000, random: () => 0, scheduler });
    for (let i = 0; i < 5; i++) throwError(() => boom).pipe(throttle).subscribe(noop);
    expect(throttle.stats().rejectProbability).toBeGreaterThan(0);
    scheduler.schedule(() => expect(throttle.stats()).toMatchObject({ requests: 0, accepts: 0, rejectProbability: 0 }), 1_000);
    scheduler.flush();
  });

  it('counts errors isFailure refuses as accepts, and our own rejections as neither', () => {
    const throttle = adaptiveThrottle({ isFailure: (e) => e !== 'not-found', random: () => 1 });
    throwError(() => 'not-found').pipe(throttle).subscribe(noop);
    const inner = tokenBucket({ capacity: 1, refill: { tokens: 1, every: 60_000 } });
    of(1).pipe(inner, throttle).subscribe();
    of(1).pipe(inner, throttle).subscribe(noop); // the inner limiter rejects: the backend never saw it
    expect(throttle.stats()).toMatchObject({ requests: 3, accepts: 2 });
  });

  test.prop([fc.array(fc.boolean(), { maxLength: 60 }), fc.double({ min: 1, max: 4, noNaN: true })])('the probability stays in [0, 1) and matches the formula over the counts', (outcomes, k) => {
    const throttle = adaptiveThrottle({ k, random: () => 0.999999 });
    for (const ok of outcomes) (ok ? of(1) : throwError(() => boom)).pipe(throttle).subscribe(noop);
    const s = throttle.stats();
    expect(s.rejectProbability).toBeGreaterThanOrEqual(0);
    expect(s.rejectProbability).toBeLessThan(1);
    expect(s.rejectProbability).toBeCloseTo(Math.max(0, (s.requests - k * s.accepts) / (s.requests + 1)), 12);
  });

  it.each([
    ['k', { k: 0.5 }],
    ['window', { window: 0 }],
    ['random', { random: 0.3 }],
    ['scheduler', { scheduler: 1 }],
    ['K', { K: 2 }],
  ])('refuses a bad %s', (field, config) => {
    expectConfigError(() => adaptiveThrottle(config as never), field);
  });
});
