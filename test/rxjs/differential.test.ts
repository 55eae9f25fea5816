/**
 * Differential test: every policy of the library against the nearest RxJS operator (`retry`,
 * `timeout`, `catchError`, or the identity for policies that pass notifications through), on the
 * same sources (asynchronous marbles and synchronous observables: values, errors, completions,
 * unsubscription), with `tap` and `finalize` probes on both sides of the operator. Both sides must
 * write the same log of notifications and teardowns, frame by frame.
 *
 * Where a policy differs on purpose, its case names the difference and its number in the section
 * "Notification order and RxJS parity" of docs/decisions.md, and maps our log onto RxJS's
 * vocabulary; nothing else is translated.
 */
import { asyncScheduler, catchError, concat, EMPTY, identity, map, NEVER, Observable, of, retry, take, tap, throwError, timeout, TimeoutError, finalize } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  adaptiveConcurrency, adaptiveRateLimit, adaptiveThrottle, bulkhead, cache, circuitBreaker, constant, fallback, fallbackLadder, fixedWindow,
  hedge, operationMode, retryBackoff, slidingWindow, timeLimit, tokenBucket,
} from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

type Op = (source: Observable<string>) => Observable<unknown>;
type Cold = (marbles: string) => Observable<string>;

interface Scenario {
  readonly name: string;
  readonly source: (cold: Cold) => Observable<string>;
  /** The frame at which the downstream unsubscribes. */
  readonly unsubscribeAt?: number;
  /** The downstream takes one value (unsubscribing from inside `next`). */
  readonly takeOne?: boolean;
  /** The source errors before any value (where retrying differs from passing through). */
  readonly errorsFirst?: boolean;
}

const scenarios: Scenario[] = [
  { name: 'async values, then completion', source: (cold) => cold('-a-b|') },
  { name: 'async completion without values', source: (cold) => cold('--|') },
  { name: 'synchronous values and completion', source: () => of('a', 'b') },
  { name: 'synchronous completion', source: () => EMPTY },
  { name: 'async error after a value', source: (cold) => cold('-a-#') },
  { name: 'async error before any value', source: (cold) => cold('--#'), errorsFirst: true },
  { name: 'synchronous error', source: () => throwError(() => 'error'), errorsFirst: true },
  { name: 'synchronous value, then synchronous error', source: () => concat(of('a'), throwError(() => 'error')) },
  { name: 'unsubscribed after a value', source: (cold) => cold('-a---b|'), unsubscribeAt: 3 },
  { name: 'unsubscribed before any value', source: (cold) => cold('----a|'), unsubscribeAt: 2 },
  { name: 'unsubscribed from a source that never ends', source: () => NEVER, unsubscribeAt: 4 },
  { name: 'take(1) downstream of an async source', source: (cold) => cold('-a-b|'), takeOne: true },
  { name: 'take(1) downstream of a synchronous source', source: () => of('a', 'b'), takeOne: true },
];

/** A notification's value or error in the log: resilience errors by code (and cause), tagged values by value. */
function show(x: unknown): string {
  if (typeof x === 'string') return x;
  if (x instanceof TimeoutError) return 'TimeoutError';
  const o = x as { code?: unknown; cause?: unknown; value?: unknown; source?: unknown } | null;
  if (typeof o?.code === 'string') return o.code === 'RETRIES_EXHAUSTED' ? `${o.code}(${show(o.cause)})` : o.code;
  if (o !== null && typeof o === 'object' && 'value' in o && 'source' in o) return `${show(o.value)}@${String(o.source)}`;
  return String(x);
}

/** Runs `op` on the scenario in a TestScheduler and returns the log, one line per event: `frame what`. */
function trace(op: () => Op, scenario: Scenario): string[] {
  const scheduler = testScheduler();
  const log: string[] = [];
  scheduler.run(({ cold }) => {
    const at = (what: string) => log.push(`${scheduler.now()} ${what}`);
    const probe = (side: string) =>
      tap<unknown>({
        subscribe: () => at(`${side} subscribe`),
        next: (v) => at(`${side} next ${show(v)}`),
        error: (e) => at(`${side} error ${show(e)}`),
        complete: () => at(`${side} complete`),
        unsubscribe: () => at(`${side} unsubscribe`),
        finalize: () => at(`${side} tap-finalize`),
      });
    const source = scenario.source(cold).pipe(probe('source'), finalize(() => at('source finalize')));
    let out = op()(source as Observable<string>).pipe(probe('out'), finalize(() => at('out finalize')));
    if (scenario.takeOne === true) out = out.pipe(take(1));
    const subscription = out.subscribe({ next: (v) => at(`next ${show(v)}`), error: (e) => at(`error ${show(e)}`), complete: () => at('complete') });
    if (scenario.unsubscribeAt !== undefined) scheduler.schedule(() => subscription.unsubscribe(), scheduler.now() + scenario.unsubscribeAt);
  });
  return log;
}

/** A deliberate difference: named, recorded in docs/decisions.md, and how our log reads in RxJS's terms. */
interface Difference {
  readonly decision: number;
  readonly what: string;
  readonly translate: (line: string) => string;
}

interface Case {
  readonly policy: string;
  readonly ours: () => Op;
  readonly theirs: (scenario: Scenario) => Op;
  readonly difference?: Difference;
}

const asIs = (): Op => identity;

const cases: Case[] = [
  { policy: 'circuitBreaker (closed)', ours: () => circuitBreaker({}), theirs: asIs },
  { policy: 'bulkhead (a free slot)', ours: () => bulkhead({ maxConcurrent: 1 }), theirs: asIs },
  { policy: 'adaptiveConcurrency', ours: () => adaptiveConcurrency({}), theirs: asIs },
  { policy: 'tokenBucket (tokens left)', ours: () => tokenBucket({ capacity: 5, refill: { tokens: 1, every: 1_000 } }), theirs: asIs },
  { policy: 'slidingWindow (under the limit)', ours: () => slidingWindow({ limit: 5, window: 1_000 }), theirs: asIs },
  { policy: 'fixedWindow (under the limit)', ours: () => fixedWindow({ limit: 5, window: 1_000 }), theirs: asIs },
  { policy: 'adaptiveRateLimit (under the limit)', ours: () => adaptiveRateLimit({ base: 100, window: 1_000 }), theirs: asIs },
  { policy: 'adaptiveThrottle (no rejection)', ours: () => adaptiveThrottle({ random: () => 1 }), theirs: asIs },
  { policy: 'cache (a miss)', ours: () => cache({ ttl: 100 }), theirs: asIs },
  { policy: 'operationMode.degradable (NORMAL)', ours: () => operationMode({ health$: NEVER }).degradable(of('z')), theirs: asIs },
  { policy: 'fallback (when refuses)', ours: () => fallback(of('z'), { when: () => false }), theirs: asIs },
  { policy: 'fallback', ours: () => fallback(of('z')), theirs: () => catchError(() => of('z')) },
  {
    policy: 'fallbackLadder (default rung)',
    ours: () => fallbackLadder({ default: 'z' }),
    theirs: () => (s) => s.pipe(map((v) => `${v}@primary`), catchError(() => of('z@default'))),
    difference: { decision: 30, what: 'values are tagged with their origin (compared as value@origin)', translate: (l) => l },
  },
  { policy: 'fallbackLadder (no rung)', ours: () => fallbackLadder({}), theirs: () => map((v) => `${v}@primary`), difference: { decision: 30, what: 'values are tagged with their origin', translate: (l) => l } },
  { policy: 'hedge (maxHedges 0)', ours: () => hedge({ maxHedges: 0 }), theirs: asIs },
  {
    policy: 'hedge (maxHedges 2, delay beyond the source)',
    ours: () => hedge({ maxHedges: 2, delay: 100 }),
    theirs: (s) => (s.errorsFirst === true ? retry(2) : identity),
    difference: { decision: 29, what: 'an attempt that errors before any value is retried at once (retry(2)); after a value, errors pass through', translate: (l) => l },
  },
  {
    policy: 'retryBackoff (zero wait)',
    ours: () => retryBackoff({ maxAttempts: 3, backoff: constant(0) }),
    theirs: () => retry(2),
    difference: { decision: 28, what: 'giving up wraps the last error in RetriesExhaustedError', translate: (l) => l.replace(/RETRIES_EXHAUSTED\((.*)\)/, '$1') },
  },
  {
    policy: 'retryBackoff (constant wait)',
    ours: () => retryBackoff({ maxAttempts: 3, backoff: constant(2) }),
    theirs: () => retry({ count: 2, delay: 2 }),
    difference: { decision: 28, what: 'giving up wraps the last error in RetriesExhaustedError', translate: (l) => l.replace(/RETRIES_EXHAUSTED\((.*)\)/, '$1') },
  },
  { policy: 'retryBackoff (shouldRetry refuses)', ours: () => retryBackoff({ shouldRetry: () => false }), theirs: asIs },
  { policy: 'timeLimit (duration never reached)', ours: () => timeLimit({ duration: 100 }), theirs: asIs },
  ...([{ each: 3 }, { first: 3 }, { first: 3, each: 1 }, { each: 0 }, { first: 0 }] as const).map(
    (limits): Case => ({
      policy: `timeLimit(${JSON.stringify(limits)})`,
      ours: () => timeLimit(limits),
      theirs: () => timeout(limits),
      difference: { decision: 27, what: 'the error is a TimeLimitError (code TIME_LIMIT), not a TimeoutError', translate: (l) => l.replace('TIME_LIMIT', 'TimeoutError') },
    }),
  ),
];

describe('every policy against the nearest RxJS operator', () => {
  for (const c of cases) {
    const label = c.difference === undefined ? c.policy : `${c.policy} [docs/decisions.md, decision ${c.difference.decision}: ${c.difference.what}]`;
    describe(label, () => {
      it.each(scenarios.map((s) => [s.name, s] as const))('%s: same notifications and teardowns, in the same order', (_, scenario) => {
        const ours = trace(c.ours, scenario).map(c.difference?.translate ?? ((l) => l));
        const theirs = trace(() => c.theirs(scenario), scenario);
        expect(ours).toEqual(theirs);
      });
    });
  }

  it('the probes see what they should: an async error reaches downstream before the source is torn down', () => {
    expect(trace(() => identity, scenarios[4]!)).toEqual([
      '0 out subscribe', '0 source subscribe', '1 source next a', '1 out next a', '1 next a',
      '3 source error error', '3 out error error', '3 error error', '3 source tap-finalize', '3 source finalize', '3 out tap-finalize', '3 out finalize',
    ]);
  });

  it('decision 31 (named difference, docs/decisions.md): a value scheduled after the deadline was set, arriving exactly at it, is in time', () => {
    // A value at 3 moves an each: 5 deadline to 8; another, scheduled at 4, arrives at 8.
    const scenario: Scenario = {
      name: 'tie at a re-armed deadline',
      source: () =>
        new Observable<string>((subscriber) => {
          subscriber.add(asyncScheduler.schedule(() => subscriber.next('a'), 3));
          subscriber.add(asyncScheduler.schedule(() => subscriber.add(asyncScheduler.schedule(() => subscriber.next('b'), 4)), 4));
        }),
      unsubscribeAt: 20,
    };
    const ours = trace(() => timeLimit({ each: 5 }), scenario);
    const theirs = trace(() => timeout({ each: 5 }), scenario);
    const downstream = (log: string[]) => log.filter((l) => /^\d+ (next|error) /.test(l));
    expect(downstream(ours)).toEqual(['3 next a', '8 next b', '13 error TIME_LIMIT']);
    expect(downstream(theirs)).toEqual(['3 next a', '8 error TimeoutError']);
  });
});
