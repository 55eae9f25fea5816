/**
 * The contract the three window limiters share, one table: each admits `limit` units per 10 ms
 * (the token bucket refills 2 tokens every 10 ms from full), rejects at once with an exact
 * `retryAfter`, queues in wait mode without charging a waiter that leaves, keeps keys apart and
 * leaves nothing scheduled. What differs (refill in fractions, exact log, aligned windows) is in
 * each limiter's own spec.
 */
import { NEVER, Observable, of } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { fixedWindow, policyKind, RateLimitedError, slidingWindow, tokenBucket, type LimiterOptions, type RateLimiter } from 'rx-resilience';
import { expectConfigError } from '../helpers/configError.js';
import { virtualTime } from '../helpers/schedulers.js';

type Build = (options: LimiterOptions) => RateLimiter;

/** name, factory for 2 units per 10 ms, and the retryAfter of a third call at 0 after two admitted. */
const LIMITERS: readonly (readonly [string, Build, number])[] = [
  ['tokenBucket', (o) => tokenBucket({ capacity: 2, refill: { tokens: 2, every: 10 }, ...o }), 5],
  ['slidingWindow', (o) => slidingWindow({ limit: 2, window: 10, ...o }), 10],
  ['fixedWindow', (o) => fixedWindow({ limit: 2, window: 10, ...o }), 10],
];

/** A call that records whether it reached upstream and how it ended. */
function call(limiter: <T>(s: Observable<T>) => Observable<T>) {
  const r = { subscribed: false, value: undefined as number | undefined, error: undefined as unknown };
  const subscription = new Observable<number>((s) => {
    r.subscribed = true;
    s.next(1);
    s.complete();
  })
    .pipe(limiter)
    .subscribe({ next: (v) => (r.value = v), error: (e: unknown) => (r.error = e) });
  return Object.assign(r, { subscription });
}

describe.each(LIMITERS)('%s: the window limiter contract', (name, build, retryAfter) => {
  it('is a rate limiter by its descriptor', () => {
    expect(policyKind(build({}))).toBe('rate-limiter');
  });

  it('admits limit calls, rejects the next at once without subscribing upstream, and admits it exactly at retryAfter', () => {
    const scheduler = virtualTime();
    const limiter = build({ name, scheduler });
    expect([call(limiter).value, call(limiter).value]).toEqual([1, 1]);
    const rejected = call(limiter);
    expect(rejected.subscribed).toBe(false);
    expect(rejected.error).toEqual(new RateLimitedError(name, retryAfter));
    const at = (t: number) => {
      let r: ReturnType<typeof call> | undefined;
      scheduler.schedule(() => (r = call(limiter)), t);
      scheduler.flush();
      return r!;
    };
    expect(at(retryAfter - 1).error).toBeInstanceOf(RateLimitedError);
    expect(at(1).value).toBe(1); // now at retryAfter
    expect(limiter.stats()).toMatchObject({ name, limit: 2, waiting: 0, admitted: 3, rejected: 2 });
  });

  it('wait mode: a waiter that leaves takes no units, and the next one is admitted in its place', () => {
    const scheduler = virtualTime();
    const limiter = build({ scheduler, mode: 'wait' });
    call(limiter);
    call(limiter);
    const leaving = call(limiter);
    const next = call(limiter);
    expect(limiter.stats().waiting).toBe(2);
    leaving.subscription.unsubscribe();
    scheduler.flush();
    expect([leaving.subscribed, next.value, next.error]).toEqual([false, 1, undefined]);
    expect(limiter.stats()).toMatchObject({ waiting: 0, admitted: 3, cancelled: 1 });
    expect(scheduler.actions.length).toBe(0);
  });

  it('keeps keys apart', () => {
    const scheduler = virtualTime();
    const limiter = build({ scheduler });
    for (let i = 0; i < 2; i++) call(limiter.forKey('a'));
    expect(call(limiter.forKey('a')).error).toBeInstanceOf(RateLimitedError);
    expect(call(limiter.forKey('b')).value).toBe(1);
    expect(call(limiter).value).toBe(1);
  });

  it('unsubscribing every waiter leaves nothing scheduled and nothing waiting', () => {
    const scheduler = virtualTime();
    const limiter = build({ scheduler, mode: 'wait' });
    const subs = [0, 1, 2, 3, 4].map(() => NEVER.pipe(limiter).subscribe());
    expect(limiter.stats().waiting).toBe(3);
    for (const s of subs) s.unsubscribe();
    expect(limiter.stats().waiting).toBe(0);
    expect(scheduler.actions.length).toBe(0);
  });

  it('refuses a cost above the limit, an unknown key and maxWait outside wait mode with ConfigError', () => {
    expectConfigError(() => build({ cost: 3 }), 'cost');
    expectConfigError(() => build({ costs: 1 } as never), 'costs');
    expectConfigError(() => build({ maxWait: 5 }), 'maxWait');
    expect(of(1).pipe(build({ cost: 2 }))).toBeInstanceOf(Observable);
  });
});
