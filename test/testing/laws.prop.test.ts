/**
 * The kit proves itself: on real policies with random valid configs and random scenarios, every
 * law holds and nothing is left pending; on a deliberately broken policy (one mutation each), the
 * law catches it within fast-check's default number of runs.
 */
import fc from 'fast-check';
import { test } from '@fast-check/vitest';
import { defer, Observable, Subject, type Subscription } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { bulkhead, cache, circuitBreaker, fixedWindow, hedge, retryBackoff, slidingWindow, timeLimit, tokenBucket, type RetryBackoffConfig } from 'rx-resilience';
import { isIgnoredOutcome, runScenario, settingsOf, trackedScheduler, type CallCommand, type ScenarioTarget, type TrackedScheduler } from 'rx-resilience/testing';
import {
  breakerConfigArb,
  bulkheadConfigArb,
  cacheConfigArb,
  callCommandsArb,
  hedgeConfigArb,
  rateLimitConfigArb,
  retryConfigArb,
  timeLimitConfigArb,
  type RateLimitSpec,
} from 'rx-resilience/testing/arbitraries';

const DESCRIPTOR = Symbol.for('rx-resilience/descriptor');
const SETTINGS = Symbol.for('rx-resilience/settings');

/** A broken policy: `operator` in place of the real one's, with the real one's streams, controls and (restated) settings. */
function mutant(real: object, operator: ScenarioTarget, settings: object = settingsOf(real)): ScenarioTarget {
  const r = real as Record<string | symbol, unknown>;
  const fn = ((upstream, call) => operator(upstream, call)) as ScenarioTarget;
  const d = r[DESCRIPTOR] as { state: string[]; streams: string[]; controls: string[] };
  Object.defineProperty(fn, DESCRIPTOR, { value: d });
  Object.defineProperty(fn, SETTINGS, { value: settings });
  Object.defineProperty(fn, 'name', { value: r.name });
  for (const k of [...d.state, ...d.streams, ...d.controls]) Object.defineProperty(fn, k, { value: r[k] });
  return fn;
}

type Build = (scheduler: TrackedScheduler, config: never) => { target: ScenarioTarget; policies?: unknown };

/** The property: the laws find nothing and no work is left pending. */
const clean = (build: Build) => (config: unknown, commands: CallCommand[]) => {
  const scheduler = trackedScheduler();
  const { target, policies } = build(scheduler, config as never);
  const t = runScenario(target, commands, { scheduler, policies: policies ?? target, settle: 6_000 });
  return t.violations.length === 0 && t.pendingWork.length === 0;
};

const limiterOf = (spec: RateLimitSpec, scheduler: TrackedScheduler, bonus = 0) =>
  spec.kind === 'token-bucket'
    ? tokenBucket({ ...spec.config, capacity: spec.config.capacity + bonus, scheduler })
    : spec.kind === 'sliding-window'
      ? slidingWindow({ ...spec.config, limit: spec.config.limit + bonus, scheduler })
      : fixedWindow({ ...spec.config, limit: spec.config.limit + bonus, scheduler });

/** A retry that announces the backoff's wait and sleeps one millisecond less (or not at all). */
function hastyRetry(config: RetryBackoffConfig, scheduler: TrackedScheduler): ScenarioTarget {
  const real = retryBackoff({ ...config, scheduler });
  const events = new Subject<object>();
  const max = config.maxAttempts ?? 3;
  const operator: ScenarioTarget = (upstream) =>
    new Observable((subscriber) => {
      let attempt = 0;
      let inner: Subscription | undefined;
      const run = () => {
        attempt++;
        inner = upstream.subscribe({
          next: (v) => subscriber.next(v),
          complete: () => subscriber.complete(),
          error: (error: unknown) => {
            if (attempt >= max) return subscriber.error(error);
            const ra = (error as { retryAfter?: number }).retryAfter ?? 0;
            const delay = Math.max(config.backoff!(attempt), ra, 1);
            events.next({ type: 'retry', policy: real.name, at: scheduler.now(), attempt, delay, error });
            inner = scheduler.schedule(run, delay - 1);
          },
        });
      };
      run();
      return () => inner?.unsubscribe();
    });
  const fn = mutant(real, operator);
  Object.defineProperty(fn, 'events$', { value: events.asObservable() });
  return fn;
}

const commands = callCommandsArb({ maxLength: 40 });
const failing = fc.array(
  fc.oneof(
    fc.record({ type: fc.constant('call' as const), outcome: fc.constantFrom('failure' as const, 'success' as const), duration: fc.integer({ min: 0, max: 20 }) }),
    fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 50 }) }),
  ),
  { maxLength: 30 },
);

/** Bursts of mostly failing calls close together: a breaker trips, and calls arrive while it is open. */
const bursts = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ type: fc.constant('call' as const), outcome: fc.constantFrom('failure' as const, 'failure' as const, 'failure' as const, 'success' as const), duration: fc.integer({ min: 0, max: 10 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 20 }) }) },
  ),
  { minLength: 10, maxLength: 40 },
);

/** Quick calls, mostly successful, close together: a cache stores them and serves fresh hits. */
const repeats = fc.array(
  fc.oneof(
    { weight: 4, arbitrary: fc.record({ type: fc.constant('call' as const), outcome: fc.constantFrom('success' as const, 'success' as const, 'failure' as const), duration: fc.integer({ min: 0, max: 5 }) }) },
    { weight: 1, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 10 }) }) },
  ),
  { minLength: 10, maxLength: 40 },
);

/** Each law: the real policy passes, the mutant is caught within the default number of runs. */
const LAWS: { name: string; config: fc.Arbitrary<unknown>; commands: fc.Arbitrary<CallCommand[]>; real: Build; broken: Build }[] = [
  {
    name: 'breaker: no call while open',
    config: breakerConfigArb(),
    commands: fc.oneof(callCommandsArb({ maxLength: 40, controls: true }), bursts),
    real: (scheduler, c: object) => ({ target: circuitBreaker({ ...c, isFailure: (e) => !isIgnoredOutcome(e), scheduler }) }),
    broken: (scheduler, c: object) => {
      const b = circuitBreaker({ ...c, isFailure: (e) => !isIgnoredOutcome(e), scheduler });
      return { target: mutant(b, (u) => defer(() => (b.stats().state === 'open' ? u : u.pipe(b)))) };
    },
  },
  {
    name: 'bulkhead: never above the limit',
    config: bulkheadConfigArb(),
    commands,
    real: (scheduler, c: object) => ({ target: bulkhead({ maxConcurrent: 1, ...c, scheduler }) }),
    broken: (scheduler, c: { maxConcurrent: number }) => {
      const b = bulkhead({ ...c, maxConcurrent: c.maxConcurrent + 1, scheduler });
      return { target: mutant(b, (u) => u.pipe(b), { ...settingsOf(b), maxConcurrent: c.maxConcurrent }) };
    },
  },
  {
    name: 'rate limiter: never more than capacity + rate·t',
    config: rateLimitConfigArb(),
    commands,
    real: (scheduler, s: RateLimitSpec) => ({ target: limiterOf(s, scheduler) }),
    broken: (scheduler, s: RateLimitSpec) => {
      const honest = limiterOf(s, scheduler);
      const l = limiterOf(s, scheduler, 1);
      return { target: mutant(l, (u) => u.pipe(l), settingsOf(honest)) };
    },
  },
  {
    name: 'retry: waits at least the announced backoff',
    config: retryConfigArb().filter((c) => (c.maxAttempts ?? 3) > 1),
    commands: failing,
    real: (scheduler, c: object) => ({ target: retryBackoff({ ...c, scheduler }) }),
    broken: (scheduler, c: RetryBackoffConfig) => ({ target: hastyRetry(c, scheduler) }),
  },
  {
    name: 'time limit: nothing outlives its deadline',
    config: timeLimitConfigArb(),
    commands: callCommandsArb({ maxLength: 40, values: true }),
    real: (scheduler, c: object) => ({ target: timeLimit({ ...c, scheduler }) }),
    broken: (scheduler, c: object) => {
      // Every limit five milliseconds later than its settings say.
      const real = timeLimit({ ...c, scheduler });
      const later = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, (v as number) + 5]));
      const t = timeLimit({ ...later, scheduler });
      return { target: mutant(t, (u) => u.pipe(t), settingsOf(real)) };
    },
  },
  {
    name: 'hedge: attempts ≤ 1 + maxHedges',
    config: hedgeConfigArb(),
    commands,
    real: (scheduler, c: object) => ({ target: hedge({ ...c, scheduler }) }),
    broken: (scheduler, c: { delay: number; maxHedges: number }) => {
      const h = hedge({ ...c, maxHedges: c.maxHedges + 1, scheduler });
      return { target: mutant(h, (u) => u.pipe(h), { ...settingsOf(h), maxHedges: c.maxHedges }) };
    },
  },
  {
    name: 'cache: a fresh hit never subscribes upstream',
    config: cacheConfigArb(),
    commands: fc.oneof(commands, repeats),
    real: (scheduler, c: object) => ({ target: cache({ ttl: 1, ...c, scheduler }) }),
    broken: (scheduler, c: object) => {
      const k = cache({ ttl: 1, ...c, scheduler });
      // Subscribes upstream on every call, then serves it from the cache.
      return { target: mutant(k, (u) => defer(() => (u.subscribe({ error: () => undefined }).unsubscribe(), u.pipe(k)))) };
    },
  },
];

describe('laws on real policies and on mutants', () => {
  for (const law of LAWS) {
    test.prop([law.config, law.commands])(`${law.name}: holds for the real policy`, clean(law.real));
    it(`${law.name}: catches the mutant within the default runs`, () => {
      expect(() => fc.assert(fc.property(law.config, law.commands, clean(law.broken)))).toThrow(/Property failed/);
    });
  }

  it('noPendingWork: catches a policy that leaves a timer behind', () => {
    const leaky: Build = (scheduler) => ({ target: mutant(timeLimit({ duration: 5, scheduler }), (u) => (scheduler.schedule(() => undefined, 1e9), u)) });
    expect(() => fc.assert(fc.property(fc.constant(undefined), commands, clean(leaky)))).toThrow(/Property failed/);
  });
});
