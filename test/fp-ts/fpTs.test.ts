/** rx-resilience/fp-ts: protect, fromTaskEither, toEither and fromTagged. */
import * as E from 'fp-ts/lib/Either.js';
import type { TaskEither } from 'fp-ts/lib/TaskEither.js';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  circuitBreaker,
  CircuitOpenError,
  ConfigError,
  constant,
  fallback,
  fallbackLadder,
  retryBackoff,
  RetriesExhaustedError,
  timeLimit,
  TimeLimitError,
  type Tagged,
} from 'rx-resilience';
import { fromTagged, fromTaskEither, protect, toEither } from 'rx-resilience/fp-ts';
import { testScheduler } from 'rx-resilience/testing';

/** A task answering from `answers` in turn (the last one repeated), counting its runs. */
function scripted<L, A>(...answers: E.Either<L, A>[]): TaskEither<L, A> & { runs: number } {
  const task = Object.assign(async () => answers[Math.min(task.runs++, answers.length - 1)]!, { runs: 0 });
  return task;
}

describe('fromTaskEither', () => {
  it('runs the task once per subscription: a Right is one value then completion, a Left is the error', async () => {
    const task = scripted<string, number>(E.right(1), E.left('down'));
    const source = fromTaskEither(task);
    expect(task.runs).toBe(0);
    await expect(new Promise((resolve, reject) => source.subscribe({ next: resolve, error: reject }))).resolves.toBe(1);
    await expect(new Promise((resolve, reject) => source.subscribe({ next: resolve, error: reject }))).rejects.toBe('down');
    expect(task.runs).toBe(2);
  });
});

describe('protect', () => {
  it('resolves to Right of the value, or Left of the task\'s own Left; the policy sees the Left as the error', async () => {
    const judged: unknown[] = [];
    const breaker = circuitBreaker({ isFailure: (e) => (judged.push(e), true) });
    expect(await protect(breaker)(scripted(E.right(7)))()).toEqual(E.right(7));
    expect(await protect(breaker)(scripted(E.left({ status: 503 })))()).toEqual(E.left({ status: 503 }));
    expect(judged).toEqual([{ status: 503 }]);
    expect(breaker.stats().totals).toMatchObject({ successes: 1, failures: 1 });
  });

  it('resolves to Left of the policy\'s ResilienceError: an open breaker never runs the task', async () => {
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 } });
    const task = scripted<string, number>(E.left('down'), E.right(1));
    expect(await protect(breaker)(task)()).toEqual(E.left('down'));
    const rejected = await protect(breaker)(task)();
    expect(E.isLeft(rejected) && rejected.left).toBeInstanceOf(CircuitOpenError);
    expect(task.runs).toBe(1);
  });

  it('runs the task again for each retry, and composes: retry outside the breaker', async () => {
    const task = scripted<string, number>(E.left('down'), E.left('down'), E.right(3));
    const breaker = circuitBreaker({ strategy: { kind: 'consecutive', failures: 5 } });
    const retry = retryBackoff({ maxAttempts: 3, backoff: constant(0) });
    expect(await protect(retry)(protect(breaker)(task))()).toEqual(E.right(3));
    expect(task.runs).toBe(3);
    const exhausted = await protect(retryBackoff({ maxAttempts: 2, backoff: constant(0) }))(scripted<string, number>(E.left('down')))();
    expect(E.isLeft(exhausted) && exhausted.left).toBeInstanceOf(RetriesExhaustedError);
    expect(E.isLeft(exhausted) && (exhausted.left as RetriesExhaustedError).cause).toBe('down');
  });

  it('a time limit gives up on a task that never settles: Left of TimeLimitError (the promise itself runs on)', async () => {
    const scheduler = new VirtualTimeScheduler();
    const never: TaskEither<string, number> = () => new Promise(() => undefined);
    const result = protect(timeLimit({ duration: 10, scheduler }))(never)();
    await Promise.resolve();
    scheduler.flush();
    const settled = await result;
    expect(E.isLeft(settled) && settled.left).toBeInstanceOf(TimeLimitError);
  });

  it('through a fallback ladder resolves to the tagged value; through a fallback to the alternative', async () => {
    const ladder = fallbackLadder({ default: 0 });
    expect(await protect(ladder)(scripted(E.right(5)))()).toEqual(E.right({ value: 5, source: 'primary', degraded: false, warnings: [] }));
    const rescued = await protect(ladder.forKey('k'))(scripted<string, number>(E.left('down')))();
    expect(rescued).toEqual(E.right({ value: 0, source: 'default', degraded: false, warnings: ['primary failed (down); served the default value'] }));
    expect(await protect(fallback(['spare']))(scripted<string, number>(E.left('down')))()).toEqual(E.right('spare'));
  });

  it('rejects only when the task breaks its contract and rejects; refuses a non-function policy', async () => {
    const broken: TaskEither<string, number> = () => Promise.reject(new TypeError('bug'));
    await expect(protect(circuitBreaker())(broken)()).rejects.toThrow('bug');
    expect(() => protect(42 as never)).toThrow(ConfigError);
  });
});

describe('toEither', () => {
  it('turns values into Rights and the error into a last Left, then completes: the stream never errors', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-#', undefined, 'boom').pipe(toEither())).toBe('-a-b-(l|)', { a: E.right('a'), b: E.right('b'), l: E.left('boom') });
      expectObservable(cold('-a|').pipe(toEither())).toBe('-a|', { a: E.right('a') });
      expectObservable(cold('-#', undefined, 'boom').pipe(toEither((e) => `mapped ${String(e)}`))).toBe('-(l|)', { l: E.left('mapped boom') });
      const bug = new Error('onError bug');
      expectObservable(cold('-#').pipe(toEither(() => { throw bug; }))).toBe('-#', undefined, bug);
    });
    expect(() => toEither('no' as never)).toThrow(ConfigError);
  });
});

describe('fromTagged', () => {
  const t = <S extends Tagged<number, string, boolean>['source']>(source: S, value: unknown, warnings: string[] = []) =>
    ({ value, source, degraded: source === 'degraded', warnings }) as Tagged<number, string, boolean>;

  it('is Right when the primary answered (no warning), Left when a rung stood in; the source is kept', () => {
    expect(fromTagged(t('primary', 1))).toEqual(E.right(t('primary', 1)));
    expect(fromTagged(t('cache', 1))).toEqual(E.right(t('cache', 1)));
    for (const stood of [t('cache', 1, ['w']), t('stale', 1, ['w']), t('default', 'd', ['w']), t('degraded', true, ['w']), t('primary', 503, ['w'])]) {
      expect(fromTagged(stood)).toEqual(E.left(stood));
    }
  });
});
