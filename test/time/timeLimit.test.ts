import { asyncScheduler, concat, defer, finalize, mergeMap, NEVER, Observable, of, take, VirtualTimeScheduler, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { constant, RetriesExhaustedError, retryBackoff, TimeLimitError, timeLimit, type TimeLimitConfig, type TimeLimitEvent } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';
import { expectConfigError } from '../helpers/configError.js';
import { liveActions } from '../helpers/schedulers.js';

const boom = new Error('boom');

/** A hanging source that records when it was subscribed and unsubscribed. */
function hanging(scheduler: SchedulerLike, log: string[] = []) {
  return new Observable<never>(() => {
    log.push(`subscribe@${scheduler.now()}`);
    return () => log.push(`unsubscribe@${scheduler.now()}`);
  });
}

describe('timeLimit', () => {
  it('passes values, errors and completion through when in time', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const ok = cold('-a-b|');
      const failing = cold('--#', undefined, boom);
      expectObservable(ok.pipe(timeLimit({ duration: 10 }))).toBe('-a-b|');
      expectSubscriptions(ok.subscriptions).toBe('^---!');
      expectObservable(failing.pipe(timeLimit({ duration: 10 }))).toBe('--#', undefined, boom);
    });
  });

  it('fires at the exact frame of the duration, after unsubscribing the source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a------|');
      const limit = timeLimit({ name: 'tl', duration: 5 });
      expectObservable(source.pipe(limit)).toBe('-a---#', undefined, new TimeLimitError('tl', 'duration', 5));
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('bounds the time to the first value with first', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limit = timeLimit({ name: 'f', first: 5 });
      expectObservable(cold('------a|').pipe(limit)).toBe('-----#', undefined, new TimeLimitError('f', 'first', 5));
      expectObservable(cold('--a--------b|').pipe(limit)).toBe('--a--------b|');
    });
  });

  it('bounds every gap between values with each, the first gap included', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limit = timeLimit({ name: 'e', each: 4 });
      expectObservable(cold('--a--b-----c|').pipe(limit)).toBe('--a--b---#', undefined, new TimeLimitError('e', 'each', 4));
      expectObservable(cold('-----a|').pipe(limit)).toBe('----#', undefined, new TimeLimitError('e', 'each', 4));
      expectObservable(cold('-a--b--c---|').pipe(limit)).toBe('-a--b--c---|');
    });
  });

  it('uses first for the first value and each afterwards when both are given', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limit = timeLimit({ name: 'fe', first: 5, each: 2 });
      expectObservable(cold('----a--b|').pipe(limit)).toBe('----a-#', undefined, new TimeLimitError('fe', 'each', 2));
      expectObservable(cold('------a|').pipe(limit)).toBe('-----#', undefined, new TimeLimitError('fe', 'first', 5));
    });
  });

  it('applies the whole-call duration on top of each', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limit = timeLimit({ name: 'de', duration: 7, each: 3 });
      expectObservable(cold('-a-b-c--d|').pipe(limit)).toBe('-a-b-c-#', undefined, new TimeLimitError('de', 'duration', 7));
      // On a tie the whole-call limit is the one reported.
      expectObservable(cold('----a--').pipe(timeLimit({ name: 't', duration: 3, first: 3 }))).toBe('---#', undefined, new TimeLimitError('t', 'duration', 3));
    });
  });

  it('reports a timeout event before the error reaches downstream', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const log: string[] = [];
    const limit = timeLimit({ name: 'ev', duration: 10, scheduler });
    limit.events$.subscribe((e: TimeLimitEvent) => log.push(`${e.type}:${e.limit}:${e.after}:${e.elapsed}@${e.at}`));
    scheduler.schedule(() => hanging(scheduler, log).pipe(limit).subscribe({ error: (e: TimeLimitError) => log.push(`error:${e.code}@${scheduler.now()}`) }), 3);
    scheduler.flush();
    expect(log).toEqual(['subscribe@3', 'unsubscribe@13', 'timeout:duration:10:10@13', 'error:TIME_LIMIT@13']);
  });

  it('times out concurrent calls each at its own deadline, with one action at a time', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const policy = liveActions(scheduler);
    const limit = timeLimit({ duration: 10, scheduler: policy.scheduler });
    const erroredAt: number[] = [];
    let most = 0;
    for (const at of [0, 3, 3, 7]) {
      scheduler.schedule(() => {
        NEVER.pipe(limit).subscribe({ error: () => erroredAt.push(scheduler.now()) });
        most = Math.max(most, policy.live());
      }, at);
    }
    scheduler.flush();
    expect(erroredAt).toEqual([10, 13, 13, 17]);
    expect(most).toBe(1);
    expect(policy.live()).toBe(0);
  });

  it('re-arms for the next call when the earliest one ends early, and fires it exactly', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limit = timeLimit({ name: 'r', duration: 10 });
      expectObservable(cold('--|').pipe(limit)).toBe('--|');
      expectObservable(cold('5ms x').pipe(mergeMap(() => NEVER.pipe(limit)))).toBe('15ms #', undefined, new TimeLimitError('r', 'duration', 10));
    });
  });

  it('arms earlier when a call with a shorter limit joins', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limit = timeLimit({ name: 's', duration: 100, first: 10 });
      expectObservable(cold('-a').pipe(limit)).toBe('-a 98ms #', undefined, new TimeLimitError('s', 'duration', 100));
      expectObservable(cold('20ms x').pipe(mergeMap(() => NEVER.pipe(limit)))).toBe('30ms #', undefined, new TimeLimitError('s', 'first', 10));
    });
  });

  it('leaves no action scheduled past the last deadline once its calls end or are unsubscribed', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    const limit = timeLimit({ duration: 100, first: 50, each: 30, scheduler });
    const sub = NEVER.pipe(limit).subscribe();
    expect(scheduler.actions.length).toBe(1);
    sub.unsubscribe();
    // Cancelled lazily: the action stays until the deadline it was armed for (first: 50), then ends.
    expect(scheduler.actions.length).toBe(1);

    const completing = new Observable<number>((subscriber) => {
      const a = scheduler.schedule(() => subscriber.next(1), 5);
      const b = scheduler.schedule(() => subscriber.complete(), 20);
      return () => (a.unsubscribe(), b.unsubscribe());
    });
    const ends: number[] = [];
    completing.pipe(limit).subscribe({ complete: () => ends.push(scheduler.now()) });
    scheduler.flush();
    expect(ends).toEqual([20]);
    expect(scheduler.actions.length).toBe(0);
    // The value at 5 moved the call's gap deadline to 35, the earliest one left: the action woke
    // there, found nothing due and did not re-arm. The last deadline any call had was 100.
    expect(scheduler.now()).toBe(35);
  });

  it('starts at most 100 timers for 10 000 sequential calls', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    let scheduled = 0;
    const counting: SchedulerLike = { now: () => scheduler.now(), schedule: (work: (this: SchedulerAction<unknown>, state?: unknown) => void, delay?: number, state?: unknown): Subscription => (scheduled++, scheduler.schedule(work, delay, state)) };
    const limit = timeLimit({ duration: 1_000, first: 500, scheduler: counting });
    const answersAfter = (ms: number) =>
      new Observable<number>((subscriber) => {
        const action = scheduler.schedule(() => (subscriber.next(1), subscriber.complete()), ms);
        return () => action.unsubscribe();
      });
    let completed = 0;
    // One call at a time, each answering after 1 ms: 10 000 ms of calls under a 500 ms limit.
    const call = (left: number): void => {
      if (left === 0) return;
      answersAfter(1).pipe(limit).subscribe({ complete: () => (completed++, call(left - 1)) });
    };
    call(10_000);
    scheduler.flush();
    expect(completed).toBe(10_000);
    expect(scheduled).toBeGreaterThan(0);
    expect(scheduled).toBeLessThanOrEqual(100);
    expect(scheduler.actions.length).toBe(0);
  });

  it('schedules nothing for a source that ends during its synchronous subscribe', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    let scheduled = 0;
    const counting: SchedulerLike = { now: () => scheduler.now(), schedule: (work: (this: SchedulerAction<unknown>, state?: unknown) => void, delay?: number, state?: unknown): Subscription => (scheduled++, scheduler.schedule(work, delay, state)) };
    const values: number[] = [];
    of(1, 2, 3).pipe(timeLimit({ duration: 5, each: 1, scheduler: counting })).subscribe((v) => values.push(v));
    expect(values).toEqual([1, 2, 3]);
    expect(scheduled).toBe(0);
  });

  it('counts values delivered during the synchronous subscribe', () => {
    testScheduler().run(({ expectObservable }) => {
      const startsWithValue = new Observable<string>((s) => s.next('a'));
      expectObservable(startsWithValue.pipe(timeLimit({ first: 5 }))).toBe('a');
      expectObservable(startsWithValue.pipe(timeLimit({ name: 'g', each: 5 }))).toBe('a----#', undefined, new TimeLimitError('g', 'each', 5));
    });
  });

  it('fires exactly on time even when the scheduler wakes early', () => {
    const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
    // Runs every action of more than one frame one frame early, as a real timer may.
    const early: SchedulerLike = { now: () => scheduler.now(), schedule: (work: (this: SchedulerAction<unknown>, state?: unknown) => void, delay = 0, state?: unknown) => scheduler.schedule(work, delay > 1 ? delay - 1 : delay, state) };
    const erroredAt: number[] = [];
    NEVER.pipe(timeLimit({ duration: 10, scheduler: early })).subscribe({ error: () => erroredAt.push(scheduler.now()) });
    scheduler.flush();
    expect(erroredAt).toEqual([10]);
  });

  it('lets an outer retry re-subscribe from within the timeout, each attempt limited anew', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-');
      const limit = timeLimit({ name: 'inner', duration: 5 });
      const retry = retryBackoff({ name: 'outer', maxAttempts: 3, backoff: constant(0) });
      expectObservable(source.pipe(limit, retry)).toBe('15ms #', undefined, new RetriesExhaustedError('outer', 3, new TimeLimitError('inner', 'duration', 5), 'max-attempts'));
      expectSubscriptions(source.subscriptions).toBe(['^----!', '5ms ^----!', '10ms ^----!']);
    });
  });

  it('propagates unsubscription through mergeMap', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = cold('--a--b--');
      expectObservable(hot('-x').pipe(mergeMap(() => source.pipe(timeLimit({ each: 5 })))), '^ 4ms !').toBe('---a-');
      expectSubscriptions(source.subscriptions).toBe('-^---!');
    });
  });

  it('stops a synchronous firehose under take', () => {
    let emitted = 0;
    const firehose = new Observable<number>((subscriber) => {
      for (let i = 0; i < 1000 && !subscriber.closed; i++) {
        emitted++;
        subscriber.next(i);
      }
    });
    const values: number[] = [];
    firehose.pipe(timeLimit({ each: 10 }), take(3)).subscribe((v) => values.push(v));
    expect(values).toEqual([0, 1, 2]);
    expect(emitted).toBe(3);
  });

  it('is cold: each subscription is one call with its own deadline', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const limit = timeLimit({ name: 'c', duration: 4 });
      const source = defer(() => cold('---a|'));
      expectObservable(source.pipe(limit)).toBe('---a|');
      expectObservable(cold('2ms x').pipe(mergeMap(() => cold('-----a|').pipe(limit)))).toBe('6ms #', undefined, new TimeLimitError('c', 'duration', 4));
    });
  });

  it('delivers an error that passes through before the source is torn down', () => {
    const log: string[] = [];
    testScheduler().run(({ cold }) => {
      cold('-#').pipe(finalize(() => log.push('finalize')), timeLimit({ duration: 1000 })).subscribe({ error: () => log.push('error') });
    });
    expect(log).toEqual(['error', 'finalize']);
  });

  it('lets a value arriving exactly at a re-armed each deadline through, even scheduled after the deadline was set', () => {
    const log: string[] = [];
    const scheduler = testScheduler();
    scheduler.run(() => {
      // A value at 3 moves the each: 5 deadline to 8; another, scheduled at 4, arrives at 8.
      const source = new Observable<string>((subscriber) => {
        subscriber.add(asyncScheduler.schedule(() => subscriber.next('a'), 3));
        subscriber.add(asyncScheduler.schedule(() => subscriber.add(asyncScheduler.schedule(() => subscriber.next('b'), 4)), 4));
      });
      source.pipe(timeLimit({ each: 5 })).subscribe({ next: (v) => log.push(`${scheduler.now()} ${v}`), error: (e: TimeLimitError) => log.push(`${scheduler.now()} ${e.limit}`) });
    });
    expect(log).toEqual(['3 a', '8 b', '13 each']);
  });

  it('accepts limits of 0 with the meaning of RxJS timeout(0): the first value must come at the subscribe instant', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(of('a', 'b').pipe(timeLimit({ each: 0 }))).toBe('(ab|)');
      expectObservable(of('a', 'b').pipe(timeLimit({ first: 0 }))).toBe('(ab|)');
      expectObservable(of('a', 'b').pipe(timeLimit({ duration: 0 }))).toBe('(ab|)');
      expectObservable(cold('-a|').pipe(timeLimit({ name: 'z', each: 0 }))).toBe('#', undefined, new TimeLimitError('z', 'each', 0));
      expectObservable(cold('-a|').pipe(timeLimit({ name: 'z', first: 0 }))).toBe('#', undefined, new TimeLimitError('z', 'first', 0));
      expectObservable(cold('-a|').pipe(timeLimit({ name: 'z', duration: 0 }))).toBe('#', undefined, new TimeLimitError('z', 'duration', 0));
      // A value already scheduled for the subscribe instant is in time (the tie rule), as with RxJS.
      expectObservable(cold('a|').pipe(timeLimit({ each: 0 }))).toBe('a|');
      // each: 0 limits only the first value, as in RxJS: the gaps after a synchronous first value are free.
      expectObservable(concat(of('a'), cold('---b|')).pipe(timeLimit({ each: 0 }))).toBe('a--b|');
    });
  });

  it('uses a generated name when none is given', () => {
    expect(timeLimit({ duration: 1 }).name).toMatch(/^time-limit-\d+$/);
    expect(timeLimit({ duration: 1, name: 'db' }).name).toBe('db');
  });
});

describe('timeLimit config validation', () => {
  const bad: [field: string, config: unknown][] = [
    ['config', undefined],
    ['config', 2000],
    ['duration', {}],
    ['duration', { name: 'only-a-name' }],
    ['duration', { duration: -1 }],
    ['duration', { duration: Number.NaN }],
    ['duration', { duration: Number.POSITIVE_INFINITY }],
    ['first', { first: -0.5 }],
    ['each', { each: '1s' }],
    ['timeout', { timeout: 5 }],
    ['name', { duration: 1, name: 3 }],
    ['scheduler', { duration: 1, scheduler: {} }],
  ];

  it.each(bad)('a bad %s throws ConfigError naming it', (field, config) => {
    expectConfigError(() => timeLimit(config as TimeLimitConfig), field);
  });
});
