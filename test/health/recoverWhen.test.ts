import { of, throwError, timer, mergeMap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, ConfigError, recoverWhen } from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

const quiet = { error: () => undefined };
const S = { c: 'closed', o: 'open', h: 'half-open', i: 'isolated', d: 'disabled' };
const B = { t: true, f: false };

/** A breaker opened at frame 0 by one failure, with a 20-frame break. */
function openBreaker() {
  const breaker = circuitBreaker({ name: 'db', strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 20 });
  throwError(() => new Error('down')).pipe(breaker).subscribe(quiet);
  return breaker;
}

describe('recoverWhen', () => {
  it('moves an open breaker to half-open on the first true, not on false', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const breaker = openBreaker();
      recoverWhen(breaker, hot('--f--t--t', B));
      expectObservable(breaker.state$).toBe('o----h', S);
    });
  });

  it('never closes the breaker: the trial call does', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const breaker = openBreaker();
      recoverWhen(breaker, hot('---t----t', B));
      cold('------x').pipe(mergeMap(() => of(1).pipe(breaker))).subscribe();
      expectObservable(breaker.state$).toBe('o--h--c', S);
    });
  });

  it('a failed trial opens it again, and the next true ends that break too', () => {
    testScheduler().run(({ hot, cold, expectObservable }) => {
      const breaker = openBreaker();
      recoverWhen(breaker, hot('-t----t', B));
      cold('---x').pipe(mergeMap(() => throwError(() => new Error('still down')).pipe(breaker))).subscribe(quiet);
      expectObservable(breaker.state$).toBe('oh-o--h', S);
    });
  });

  it('without a true the break runs its course', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const breaker = openBreaker();
      recoverWhen(breaker, hot('--f--f', B));
      expectObservable(breaker.state$).toBe('o 19ms h', S);
    });
  });

  it('never acts while isolated, disabled or closed', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const isolated = openBreaker();
      isolated.isolate();
      const disabled = openBreaker();
      disabled.disable();
      const closed = circuitBreaker({ name: 'fine' });
      for (const b of [isolated, disabled, closed]) recoverWhen(b, hot('-t-t-t', B));
      expectObservable(isolated.state$).toBe('i', S);
      expectObservable(disabled.state$).toBe('d', S);
      expectObservable(closed.state$).toBe('c', S);
    });
  });

  it('stops when unsubscribed, and when signal$ errors (the breaker is left as it is)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const stopped = openBreaker();
      const link = recoverWhen(stopped, hot('----t', B));
      timer(2).subscribe(() => link.unsubscribe());
      const errored = openBreaker();
      recoverWhen(errored, hot('--#--t', B));
      expectObservable(stopped.state$).toBe('o 19ms h', S);
      expectObservable(errored.state$).toBe('o 19ms h', S);
    });
  });

  it('refuses what is not a breaker or an Observable', () => {
    expect(() => recoverWhen({} as never, of(true))).toThrow(ConfigError);
    expect(() => recoverWhen(circuitBreaker(), true as never)).toThrow(/signal\$/);
  });
});

describe('endBreak', () => {
  it('turns only an open breaker half-open', () => {
    testScheduler().run(({ expectObservable }) => {
      const breaker = openBreaker();
      breaker.endBreak();
      breaker.endBreak(); // half-open now: nothing
      expectObservable(breaker.state$).toBe('h', S);
      expect(breaker.stats().nextAttemptAt).toBeNull();
    });
  });
});
