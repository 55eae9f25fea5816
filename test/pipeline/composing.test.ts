/**
 * The scenarios of docs/composing-policies.md: the same policies, composed in the recommended order
 * (by `pipeline()`) and in a wrong one, against the same upstream on virtual time. The numbers the
 * page quotes are the ones asserted here.
 */
import { defer, mergeMap, NEVER, Observable, of, tap, throwError, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  bulkhead, cache, circuitBreaker, constant, fallback, findResilienceError, hedge, isResilienceError, pipeline, retryBackoff,
  timeLimit, tokenBucket, type PipelineConfig, type PipelineFallback, type PipelineRole,
} from 'rx-resilience';

type Behaviour = 'ok' | 'fail' | 'hang';
type Op = <T>(source: Observable<T>) => Observable<T>;

/** An upstream on virtual time: each subscription is one request, answered (10 ms) as `behave` says. */
function upstream(scheduler: VirtualTimeScheduler, behave: (request: number, now: number) => Behaviour) {
  const stats = { requests: 0, active: 0, maxActive: 0 };
  const call$ = defer(() => {
    const request = stats.requests++;
    stats.active++;
    stats.maxActive = Math.max(stats.maxActive, stats.active);
    const what = behave(request, scheduler.now());
    const answer$: Observable<string> =
      what === 'hang' ? NEVER : timer(10, scheduler).pipe(mergeMap(() => (what === 'ok' ? of('ok') : throwError(() => new Error('503')))));
    return new Observable<string>((subscriber) => {
      const sub = answer$.subscribe(subscriber);
      return () => {
        stats.active--;
        sub.unsubscribe();
      };
    });
  });
  return { stats, call$ };
}

/** Composes `parts` in `order` (outermost first), as a hand-written pipe would. */
function composed(parts: PipelineConfig<PipelineFallback>, order: readonly PipelineRole[]): Op {
  return <T>(source: Observable<T>) => [...order].reverse().reduce((call, role) => (parts[role] as unknown as Op)(call), source);
}

/** What a call ended with: its value, or the code of its error (with the code inside a RETRIES_EXHAUSTED). */
function outcome(error: unknown): string {
  if (isResilienceError(error, 'RETRIES_EXHAUSTED')) return `RETRIES_EXHAUSTED ${error.reason} (${isResilienceError(error.cause) ? error.cause.code : 'upstream 503'})`;
  return isResilienceError(error) ? error.code : 'upstream 503';
}

/** Starts a call at each of `times` and collects the outcomes, in start order. */
function run(scheduler: VirtualTimeScheduler, times: readonly number[], call: () => Observable<string>): string[] {
  const out: string[] = times.map(() => 'pending');
  times.forEach((at, i) =>
    scheduler.schedule(() => call().subscribe({ next: (v) => (out[i] = v), error: (e: unknown) => (out[i] = outcome(e)) }), at),
  );
  scheduler.flush();
  return out;
}

const tally = (outcomes: readonly string[]) => outcomes.reduce<Record<string, number>>((t, o) => ({ ...t, [o]: (t[o] ?? 0) + 1 }), {});

describe('composing policies: the recommended order against the wrong ones', () => {
  /** An outage from 0 to 2 s, then healthy; a call every 100 ms for 3 s. */
  const outage = (request: number, now: number): Behaviour => (now < 2_000 ? 'fail' : 'ok');
  const every100 = Array.from({ length: 30 }, (_, i) => i * 100);
  const outageParts = (scheduler: VirtualTimeScheduler) => ({
    retry: retryBackoff({ maxAttempts: 3, backoff: constant(100), maxDelay: 200, scheduler }),
    breaker: circuitBreaker({ strategy: { kind: 'consecutive', failures: 3 }, breakDuration: 1_000, scheduler }),
  });

  it('retry outside the breaker: the breaker judges every attempt, trips within 3 requests, calls fail fast while it is open', () => {
    const scheduler = new VirtualTimeScheduler();
    const { stats, call$ } = upstream(scheduler, outage);
    const calls = pipeline(outageParts(scheduler));
    const errors: unknown[] = [];
    const outcomes = run(scheduler, every100, () => call$.pipe(calls, tap({ error: (e: unknown) => errors.push(e) })));
    expect(tally(outcomes)).toEqual({ 'RETRIES_EXHAUSTED max-attempts (CIRCUIT_OPEN)': 2, 'RETRIES_EXHAUSTED max-delay (CIRCUIT_OPEN)': 18, ok: 10 });
    expect(stats.requests).toBe(14);
    // the CIRCUIT_OPEN is inside the RETRIES_EXHAUSTED: findResilienceError finds it, isResilienceError on the outer error does not
    expect(isResilienceError(errors[0], 'CIRCUIT_OPEN')).toBe(false);
    expect(findResilienceError(errors[0], 'CIRCUIT_OPEN')?.state).toBe('open');
  });

  it('wrong: breaker outside the retry counts a retried call once: it trips late, calls fail slowly, recovery is late', () => {
    const scheduler = new VirtualTimeScheduler();
    const { stats, call$ } = upstream(scheduler, outage);
    const parts = outageParts(scheduler);
    const outcomes = run(scheduler, every100, () => call$.pipe(composed(parts, ['breaker', 'retry'])));
    expect(tally(outcomes)).toEqual({ 'RETRIES_EXHAUSTED max-attempts (upstream 503)': 6, CIRCUIT_OPEN: 22, ok: 2 });
    expect(stats.requests).toBe(20);
  });

  it('timeLimit inside the retry gives each attempt its own time: a hung first attempt is retried', () => {
    const scheduler = new VirtualTimeScheduler();
    const { stats, call$ } = upstream(scheduler, (request) => (request === 0 ? 'hang' : 'ok'));
    const parts = { retry: retryBackoff({ maxAttempts: 3, backoff: constant(100), scheduler }), timeLimit: timeLimit({ duration: 300, scheduler }) };
    let answeredAt = -1;
    expect(run(scheduler, [0], () => call$.pipe(pipeline(parts), tap(() => (answeredAt = scheduler.now()))))).toEqual(['ok']);
    expect(stats.requests).toBe(2);
    expect(answeredAt).toBe(410); // 300 ms timed out, 100 ms backoff, 10 ms answer
  });

  it('wrong: timeLimit outside the retry spends the whole budget on the hung attempt', () => {
    const scheduler = new VirtualTimeScheduler();
    const { stats, call$ } = upstream(scheduler, (request) => (request === 0 ? 'hang' : 'ok'));
    const parts = { retry: retryBackoff({ maxAttempts: 3, backoff: constant(100), scheduler }), timeLimit: timeLimit({ duration: 300, scheduler }) };
    expect(run(scheduler, [0], () => call$.pipe(composed(parts, ['timeLimit', 'retry'])))).toEqual(['TIME_LIMIT']);
    expect(stats.requests).toBe(1);
  });

  /** A retry allowed to wait out a break (maxDelay above breakDuration) and one slot. */
  const waitingParts = (scheduler: VirtualTimeScheduler) => ({
    retry: retryBackoff({ maxAttempts: 4, backoff: constant(100), maxDelay: 5_000, scheduler }),
    breaker: circuitBreaker({ strategy: { kind: 'consecutive', failures: 2 }, breakDuration: 1_000, scheduler }),
    bulkhead: bulkhead({ maxConcurrent: 1, scheduler }),
  });
  const shortOutage = (request: number, now: number): Behaviour => (now < 500 ? 'fail' : 'ok');

  it('bulkhead inside the breaker: a call waiting out a break holds no slot; the next calls wait too and succeed', () => {
    const scheduler = new VirtualTimeScheduler();
    const { stats, call$ } = upstream(scheduler, shortOutage);
    const calls = pipeline(waitingParts(scheduler));
    expect(run(scheduler, [0, 300, 600], () => call$.pipe(calls))).toEqual(['ok', 'ok', 'ok']);
    expect(stats.requests).toBe(5);
  });

  it('wrong: bulkhead outside the retry: the call waiting out the break holds the slot, the next gets BULKHEAD_FULL', () => {
    const scheduler = new VirtualTimeScheduler();
    const { call$ } = upstream(scheduler, shortOutage);
    const parts = waitingParts(scheduler);
    expect(run(scheduler, [0, 300, 600], () => call$.pipe(composed(parts, ['bulkhead', 'retry', 'breaker'])))).toEqual(['ok', 'BULKHEAD_FULL', 'BULKHEAD_FULL']);
  });

  it('rateLimit outside the retry spends one token per logical call', () => {
    const scheduler = new VirtualTimeScheduler();
    const { stats, call$ } = upstream(scheduler, (request) => (request % 3 === 2 ? 'ok' : 'fail')); // each call succeeds on its third attempt
    const parts = { rateLimit: tokenBucket({ capacity: 3, refill: { tokens: 1, every: 1_000_000 }, scheduler }), retry: retryBackoff({ maxAttempts: 3, backoff: constant(100), scheduler }) };
    expect(run(scheduler, [0, 1_000, 2_000], () => call$.pipe(pipeline(parts)))).toEqual(['ok', 'ok', 'ok']);
    expect(stats.requests).toBe(9);
  });

  it('wrong: rateLimit inside the retry spends a token per attempt: the second call is refused', () => {
    const scheduler = new VirtualTimeScheduler();
    const { call$ } = upstream(scheduler, (request) => (request % 3 === 2 ? 'ok' : 'fail'));
    const parts = { rateLimit: tokenBucket({ capacity: 3, refill: { tokens: 1, every: 1_000_000 }, scheduler }), retry: retryBackoff({ maxAttempts: 3, backoff: constant(100), scheduler }) };
    expect(run(scheduler, [0, 1_000, 2_000], () => call$.pipe(composed(parts, ['retry', 'rateLimit'])))).toEqual(['ok', 'RETRIES_EXHAUSTED max-delay (RATE_LIMITED)', 'RETRIES_EXHAUSTED max-delay (RATE_LIMITED)']);
  });

  it('bulkhead inside the hedge: hedged requests take slots too, so the upstream never sees more than maxConcurrent', () => {
    const scheduler = new VirtualTimeScheduler();
    const { stats, call$ } = upstream(scheduler, (request) => (request < 4 ? 'hang' : 'ok'));
    const parts = { hedge: hedge({ delay: 50, maxHedges: 1, scheduler }), bulkhead: bulkhead({ maxConcurrent: 4, maxQueued: 4, scheduler }), timeLimit: timeLimit({ duration: 1_000, scheduler }) };
    const outcomes = run(scheduler, [0, 0, 0, 0], () => call$.pipe(pipeline(parts)));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(stats.maxActive).toBe(4);
  });

  it('wrong: bulkhead outside the hedge bounds attempts, not requests: the upstream sees twice maxConcurrent', () => {
    const scheduler = new VirtualTimeScheduler();
    const { stats, call$ } = upstream(scheduler, (request) => (request < 4 ? 'hang' : 'ok'));
    const parts = { hedge: hedge({ delay: 50, maxHedges: 1, scheduler }), bulkhead: bulkhead({ maxConcurrent: 4, maxQueued: 4, scheduler }), timeLimit: timeLimit({ duration: 1_000, scheduler }) };
    const outcomes = run(scheduler, [0, 0, 0, 0], () => call$.pipe(composed(parts, ['bulkhead', 'hedge', 'timeLimit'])));
    expect(outcomes).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(stats.maxActive).toBe(8);
  });

  it('fallback outside the cache: a fallback value is not cached, the next call after recovery gets the real value', () => {
    const scheduler = new VirtualTimeScheduler();
    const { call$ } = upstream(scheduler, (request, now) => (now < 100 ? 'fail' : 'ok'));
    const parts = { fallback: fallback(of('fallback')), cache: cache({ ttl: 10_000, scheduler }) };
    expect(run(scheduler, [0, 200, 300], () => call$.pipe(pipeline(parts)))).toEqual(['fallback', 'ok', 'ok']);
  });

  it('wrong: cache outside the fallback stores the fallback value and serves it for ttl after recovery', () => {
    const scheduler = new VirtualTimeScheduler();
    const { stats, call$ } = upstream(scheduler, (request, now) => (now < 100 ? 'fail' : 'ok'));
    const parts = { fallback: fallback(of('fallback')), cache: cache({ ttl: 10_000, scheduler }) };
    expect(run(scheduler, [0, 200, 300], () => call$.pipe(composed(parts, ['cache', 'fallback'])))).toEqual(['fallback', 'fallback', 'fallback']);
    expect(stats.requests).toBe(1);
  });
});

