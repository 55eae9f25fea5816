import { defer, mergeMap, Observable, of, take, timer, VirtualTimeScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { ConfigError, hedge, isResilienceError, type HedgeEvent } from 'rx-resilience';
import { scriptedService, testScheduler } from 'rx-resilience/testing';
import { liveActions } from '../helpers/schedulers.js';

const boom = new Error('boom');

/** A cold source whose n-th subscription is the n-th attempt (the last one repeats). */
function attempts<T>(list: Observable<T>[]): Observable<T> {
  let n = 0;
  return defer(() => list[Math.min(n++, list.length - 1)]!);
}

describe('hedge', () => {
  it('starts a second attempt after delay; the first value wins and the loser is unsubscribed', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold('--------a|');
      const a2 = cold('   ---b|');
      expectObservable(attempts([a1, a2]).pipe(hedge({ delay: 3 }))).toBe('------b|');
      expectSubscriptions(a1.subscriptions).toBe('^-----!');
      expectSubscriptions(a2.subscriptions).toBe('---^---!');
    });
  });

  it('starts no hedge when the first attempt answers within delay, and leaves no timer past the delay', () => {
    const scheduler = new VirtualTimeScheduler();
    const service = scriptedService([{ ok: 'a', after: 2 }], scheduler);
    const values: string[] = [];
    defer(() => service.call()).pipe(hedge({ delay: 5, scheduler })).subscribe((v) => values.push(v));
    scheduler.maxFrames = 2;
    scheduler.flush();
    expect(values).toEqual(['a']);
    // The policy's one action is cancelled lazily: it wakes at the delay, finds no call waiting, and ends.
    expect(scheduler.actions).toHaveLength(1);
    scheduler.maxFrames = 5;
    scheduler.flush();
    expect(scheduler.actions).toHaveLength(0);
    expect(service.calls).toHaveLength(1);
  });

  it('keeps relaying the winner, its later values and its error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const boom = new Error('late');
      const a1 = cold('----a-b-#', undefined, boom);
      const a2 = cold('  ------x|');
      expectObservable(attempts([a1, a2]).pipe(hedge({ delay: 2 }))).toBe('----a-b-#', undefined, boom);
    });
  });

  it('starts the next attempt at once when one errors before any value', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold('-#');
      const a2 = cold(' --b|');
      expectObservable(attempts([a1, a2]).pipe(hedge({ delay: 10 }))).toBe('---b|');
      expectSubscriptions(a2.subscriptions).toBe('-^--!');
    });
  });

  it('re-arms the hedge timer from the attempt started after a failure', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold('-#');
      const a2 = cold(' ------b|');
      const a3 = cold('    --c|');
      expectObservable(attempts([a1, a2, a3]).pipe(hedge({ delay: 3, maxHedges: 2 }))).toBe('------c|');
      expectSubscriptions(a2.subscriptions).toBe('-^----!');
      expectSubscriptions(a3.subscriptions).toBe('----^--!');
    });
  });

  it('errors only when every attempt failed, with the last error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a1 = cold('----#', undefined, new Error('e1'));
      const a2 = cold('  -#', undefined, new Error('e2'));
      const a3 = cold('   ---#', undefined, new Error('e3'));
      expectObservable(attempts([a1, a2, a3]).pipe(hedge({ delay: 2, maxHedges: 2 }))).toBe('------#', undefined, new Error('e3'));
    });
  });

  it('never starts more than 1 + maxHedges attempts', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const hang = cold('-');
      expectObservable(hang.pipe(hedge({ delay: 2, maxHedges: 2 })), '^--------!').toBe('-');
      expectSubscriptions(hang.subscriptions).toBe(['^--------!', '--^------!', '----^----!']);
    });
  });

  it('with delay 0 starts every attempt at once; with maxHedges 0 it only relays', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold('---a|');
      const a2 = cold('-b|');
      const a3 = cold('--c|');
      expectObservable(attempts([a1, a2, a3]).pipe(hedge({ delay: 0, maxHedges: 2 }))).toBe('-b|');
      expectSubscriptions(a1.subscriptions).toBe('^!');
      expectSubscriptions(a2.subscriptions).toBe('^-!');
      expectSubscriptions(a3.subscriptions).toBe('^!');
      const single = cold('-----#');
      expectObservable(single.pipe(hedge({ delay: 1, maxHedges: 0 }))).toBe('-----#');
      expectSubscriptions(single.subscriptions).toBe('^----!');
    });
  });

  it('counts a completion without values as the winning answer', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold('-----|');
      const a2 = cold('  -');
      expectObservable(attempts([a1, a2]).pipe(hedge({ delay: 2 }))).toBe('-----|');
      expectSubscriptions(a2.subscriptions).toBe('--^--!');
    });
  });

  it('unsubscribes every attempt and the timer when the caller unsubscribes, also through mergeMap', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const hang = cold('-');
      const guarded = timer(1).pipe(mergeMap(() => hang.pipe(hedge({ delay: 2, maxHedges: 3 }))));
      expectObservable(guarded, '^----!').toBe('-');
      expectSubscriptions(hang.subscriptions).toBe(['-^---!', '---^-!']);
    });
    const scheduler = new VirtualTimeScheduler();
    const service = scriptedService<string>([{ hang: true }], scheduler);
    const sub = defer(() => service.call()).pipe(hedge({ delay: 2, maxHedges: 3, scheduler })).subscribe();
    scheduler.maxFrames = 3;
    scheduler.flush();
    sub.unsubscribe();
    expect(service.active).toBe(0);
    // The hedge due at 4 is not started; the policy's action ends there by itself.
    scheduler.maxFrames = 4;
    scheduler.flush();
    expect(service.calls).toHaveLength(2);
    expect(scheduler.actions).toHaveLength(0);
  });

  it('stops a synchronous firehose when take unsubscribes', () => {
    let produced = 0;
    const firehose = new Observable<number>((s) => {
      while (!s.closed) s.next(produced++);
    });
    const seen: number[] = [];
    firehose.pipe(hedge({ delay: 5 }), take(3)).subscribe((v) => seen.push(v));
    expect(seen).toEqual([0, 1, 2]);
    expect(produced).toBe(3);
  });

  it('passes empty and synchronous sources through', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('|').pipe(hedge({ delay: 1 }))).toBe('|');
      expectObservable(of(1, 2).pipe(hedge({ delay: 1 }))).toBe('(xy|)', { x: 1, y: 2 });
    });
  });

  it('reports hedges, the winner and failures in events$ and stats()', () => {
    const policy = hedge({ name: 'reads', delay: 2, maxHedges: 1 });
    const events: HedgeEvent[] = [];
    policy.events$.subscribe((e) => events.push(e));
    testScheduler().run(({ cold }) => {
      attempts([cold('-----a|'), cold('-b|')]).pipe(policy).subscribe();
      timer(10).pipe(mergeMap(() => cold('#', undefined, 'x').pipe(policy))).subscribe({ error: () => undefined });
    });
    expect(events).toEqual([
      { type: 'hedge', policy: 'reads', at: 2, attempt: 2, reason: 'delay' },
      { type: 'won', policy: 'reads', at: 3, attempt: 2, attempts: 2 },
      { type: 'hedge', policy: 'reads', at: 10, attempt: 2, reason: 'error' },
      { type: 'failed', policy: 'reads', at: 10, attempts: 2, error: 'x' },
    ]);
    expect(policy.stats()).toEqual({ name: 'reads', calls: 2, hedges: 2, hedgedWins: 1, failed: 1 });
  });
});

describe('hedge judging outcomes', () => {
  type Reply = { status: number };
  const r503: Reply = { status: 503 };
  const r200: Reply = { status: 200 };
  const isFailureResult = (r: Reply) => r.status >= 500;

  it('does not let a failing value win: its attempt fails, and the next starts at once', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold('-x-|', { x: r503 });
      const a2 = cold(' ---y|', { y: r200 });
      expectObservable(attempts([a1, a2]).pipe(hedge({ delay: 10, isFailureResult }))).toBe('----y|', { y: r200 });
      expectSubscriptions(a1.subscriptions).toBe('^!');
      expectSubscriptions(a2.subscriptions).toBe('-^---!');
    });
  });

  it('lets a later good answer win over an earlier failing one among running attempts', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const a1 = cold('-----y|', { y: r200 });
      const a2 = cold('  -x|', { x: r503 });
      expectObservable(attempts([a1, a2]).pipe(hedge({ delay: 2, isFailureResult }))).toBe('-----y|', { y: r200 });
    });
  });

  it('delivers the last failing value and completes when every attempt failed, and reports it', () => {
    const policy = hedge<Reply>({ name: 'h', delay: 2, isFailureResult });
    const events: HedgeEvent[] = [];
    policy.events$.subscribe((e) => events.push(e));
    testScheduler().run(({ cold, expectObservable }) => {
      const a1 = cold('---x|', { x: { status: 500 } });
      const a2 = cold('  ---x|', { x: r503 });
      expectObservable(attempts([a1, a2]).pipe(policy)).toBe('-----(x|)', { x: r503 });
    });
    expect(events.at(-1)).toEqual({ type: 'failed', policy: 'h', at: 5, attempts: 2, error: undefined, value: r503 });
    expect(policy.stats()).toMatchObject({ calls: 1, hedges: 1, failed: 1 });
  });

  it('lets an error isFailure refuses win as the answer; other errors still fail their attempt', () => {
    const notFound = Object.assign(new Error('not found'), { status: 404 });
    const isFailure = (e: unknown) => (e as { status?: number }).status !== 404;
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const a1 = cold('------#', undefined, notFound);
      const a2 = cold('  ---#', undefined, notFound);
      expectObservable(attempts([a1, a2]).pipe(hedge({ delay: 2, isFailure }))).toBe('-----#', undefined, notFound);
      expectSubscriptions(a1.subscriptions).toBe('^----!');
      const b1 = cold('-#', undefined, boom);
      const b2 = cold(' -z|');
      expectObservable(attempts([b1, b2]).pipe(hedge({ delay: 5, isFailure }))).toBe('--z|');
    });
  });

  it('fails an attempt with what a throwing isFailureResult threw', () => {
    const thrown = new Error('judge');
    testScheduler().run(({ cold, expectObservable }) => {
      const judge = () => {
        throw thrown;
      };
      expectObservable(cold('-a|').pipe(hedge({ maxHedges: 0, isFailureResult: judge }))).toBe('-#', undefined, thrown);
    });
  });

  it('types isFailureResult by the values of the stream it guards', () => {
    const policy = hedge({ isFailureResult: (r: Reply) => r.status >= 500 });
    const replies = of(r200).pipe(policy);
    expectTypeOf(replies).toEqualTypeOf<Observable<Reply>>();
    // @ts-expect-error a predicate of the wrong shape does not compile against a stream of strings
    of('text').pipe(policy);
    expect(policy.name).toMatch(/^hedge-/);
  });
});

describe('hedge timers', () => {
  it('holds one action for many concurrent calls, each hedged at its own instant', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const policy = liveActions(scheduler);
    const h = hedge({ delay: 10, maxHedges: 1, scheduler: policy.scheduler });
    const subscribedAt: number[] = [];
    const hang = new Observable<never>(() => void subscribedAt.push(scheduler.now()));
    let most = 0;
    for (const at of [0, 3, 3, 7]) {
      scheduler.schedule(() => {
        hang.pipe(h).subscribe();
        most = Math.max(most, policy.live());
      }, at);
    }
    scheduler.flush();
    expect(subscribedAt).toEqual([0, 3, 3, 7, 10, 13, 13, 17]);
    expect(most).toBe(1);
    expect(policy.live()).toBe(0);
  });

  it('starts at most 100 timers for 10 000 sequential calls', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    let scheduled = 0;
    const counting: SchedulerLike = { now: () => scheduler.now(), schedule: (work: (this: SchedulerAction<unknown>, state?: unknown) => void, delay?: number, state?: unknown): Subscription => (scheduled++, scheduler.schedule(work, delay, state)) };
    const h = hedge({ delay: 500, scheduler: counting });
    const answersAfter = (ms: number) =>
      new Observable<number>((subscriber) => {
        const action = scheduler.schedule(() => (subscriber.next(1), subscriber.complete()), ms);
        return () => action.unsubscribe();
      });
    let completed = 0;
    let attempts = 0;
    const call = (left: number): void => {
      if (left === 0) return;
      defer(() => (attempts++, answersAfter(1))).pipe(h).subscribe({ complete: () => (completed++, call(left - 1)) });
    };
    call(10_000);
    scheduler.flush();
    expect([completed, attempts]).toEqual([10_000, 10_000]);
    expect(scheduled).toBeGreaterThan(0);
    expect(scheduled).toBeLessThanOrEqual(100);
    expect(scheduler.actions).toHaveLength(0);
  });
});

describe('hedge config', () => {
  const bad: [field: string, config: unknown, allowed: RegExp][] = [
    ['config', 'fast', /an object/],
    ['dealy', { dealy: 5 }, /known options/],
    ['name', { name: '' }, /non-empty string/],
    ['delay', { delay: -1 }, />= 0/],
    ['delay', { delay: Number.NaN }, /milliseconds/],
    ['delay', { delay: Number.POSITIVE_INFINITY }, /finite/],
    ['maxHedges', { maxHedges: -1 }, /integer >= 0/],
    ['maxHedges', { maxHedges: 1.5 }, /integer >= 0/],
    ['scheduler', { scheduler: { now: 1 } }, /SchedulerLike/],
    ['isFailure', { isFailure: true }, /function/],
    ['isFailureResult', { isFailureResult: 503 }, /function/],
  ];

  it.each(bad)('refuses a bad %s', (field, config, allowed) => {
    let error: unknown;
    try {
      hedge(config as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(isResilienceError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).toMatch(allowed);
  });

  it('has defaults: delay 2000, one hedge, a generated name', () => {
    const policy = hedge();
    expect(policy.name).toMatch(/^hedge-\d+$/);
    testScheduler().run(({ cold, expectSubscriptions }) => {
      const hang = cold('-');
      hang.pipe(policy).subscribe();
      expectSubscriptions(hang.subscriptions).toBe(['^', '2000ms ^']);
    });
  });
});
