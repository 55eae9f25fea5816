/**
 * The policies take shorter paths when nobody listens (no clock reading, no event payload, no
 * state object). Property: the same random scenario, run with no listener, with listeners on
 * every stream from the start, and with listeners attached half-way, gives the same outcomes to
 * every caller, the same upstream subscriptions and teardowns, and the same `stats()` after every
 * step; and the half-way listeners hear what the others heard from that step on (durations
 * aside: a call admitted unwatched is not timed).
 */
import { fc, test } from '@fast-check/vitest';
import { Observable, take, VirtualTimeScheduler, type Subscription } from 'rxjs';
import { describe, expect } from 'vitest';
import { bulkhead, circuitBreaker, tokenBucket } from 'rx-resilience';
import { breakerConfigArb } from 'rx-resilience/testing/arbitraries';

type Operator = <T>(source: Observable<T>) => Observable<T>;

/** A policy under test: the ways to pipe into it, its streams, its stats and its controls. */
interface Subject {
  readonly operators: readonly Operator[];
  readonly streams: readonly Observable<unknown>[];
  stats(): unknown;
  control?(action: 'isolate' | 'reset' | 'disable'): void;
}

type Command =
  /** `duration` 0: the source answers synchronously, inside subscribe. */
  | { readonly type: 'call'; readonly via: number; readonly outcome: 'success' | 'failure' | 'ignored' | 'hang'; readonly duration: number; readonly takeOne: boolean }
  | { readonly type: 'cancel'; readonly pick: number }
  | { readonly type: 'advance'; readonly ms: number }
  | { readonly type: 'control'; readonly action: 'isolate' | 'reset' | 'disable' };

const commandsArb = (controls: boolean): fc.Arbitrary<Command[]> =>
  fc.array(
    fc.oneof(
      { weight: 6, arbitrary: fc.record({ type: fc.constant('call' as const), via: fc.nat(2), outcome: fc.constantFrom('success' as const, 'failure' as const, 'ignored' as const, 'hang' as const), duration: fc.integer({ min: 0, max: 40 }), takeOne: fc.boolean() }) },
      { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel' as const), pick: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 60 }) }) },
      { weight: controls ? 1 : 0, arbitrary: fc.record({ type: fc.constant('control' as const), action: fc.constantFrom('isolate' as const, 'reset' as const, 'disable' as const) }) },
    ),
    { maxLength: 60 },
  );

const boom = new Error('boom');
const benign = new Error('benign');

interface Trace {
  /** What happened, in order: caller notifications, upstream subscriptions and teardowns, stats. */
  readonly log: unknown[];
  /** Per stream: [step, value] pairs heard, the value replayed on subscribe left out. */
  readonly heard: [number, unknown][][];
}

/** Runs `commands` on a fresh policy; listeners subscribe before step `listenFrom` (never past the end). */
function run(make: (scheduler: VirtualTimeScheduler) => Subject, commands: readonly Command[], listenFrom: number): Trace {
  const scheduler = new VirtualTimeScheduler(undefined, Number.POSITIVE_INFINITY);
  const policy = make(scheduler);
  const log: unknown[] = [];
  const heard: [number, unknown][][] = policy.streams.map(() => []);
  const listeners: Subscription[] = [];
  const running: Subscription[] = [];
  let step = 0;
  const advanceTo = (t: number): void => {
    while (scheduler.actions.length > 0 && scheduler.actions[0]!.delay <= t) {
      scheduler.maxFrames = scheduler.actions[0]!.delay;
      scheduler.flush();
    }
    scheduler.frame = t;
  };
  const call = (id: number, c: Extract<Command, { type: 'call' }>): void => {
    const upstream = new Observable<number>((subscriber) => {
      log.push(['subscribed', id, scheduler.now()]);
      const end = (): void => {
        if (c.outcome === 'success') {
          subscriber.next(1);
          subscriber.next(2);
          subscriber.complete();
        } else subscriber.error(c.outcome === 'failure' ? boom : benign);
      };
      if (c.outcome === 'hang') return undefined; // no teardown: only the link hears a cancel
      if (c.duration === 0) end();
      const action = c.duration === 0 ? undefined : scheduler.schedule(end, c.duration);
      return () => {
        log.push(['torn down', id, scheduler.now()]);
        action?.unsubscribe();
      };
    });
    const guarded = upstream.pipe(policy.operators[c.via % policy.operators.length]!);
    const sub = (c.takeOne ? guarded.pipe(take(1)) : guarded).subscribe({
      next: (v) => log.push(['next', id, v, scheduler.now()]),
      error: (e: Error) => log.push(['error', id, e.name, e.message, scheduler.now()]),
      complete: () => log.push(['complete', id, scheduler.now()]),
    });
    running.push(sub);
  };
  const listen = (): void => {
    policy.streams.forEach((stream, i) => {
      let replay = true;
      listeners.push(stream.subscribe((value) => (replay ? undefined : heard[i]!.push([step, value]))));
      replay = false;
    });
  };
  let now = 0;
  for (; step < commands.length; step++) {
    if (step === listenFrom) listen();
    const c = commands[step]!;
    if (c.type === 'call') call(step, c);
    else if (c.type === 'cancel') running.splice(c.pick % Math.max(1, running.length), 1)[0]?.unsubscribe();
    else if (c.type === 'advance') advanceTo((now += c.ms));
    else policy.control?.(c.action);
    log.push(['stats', step, policy.stats()]);
  }
  if (step === listenFrom) listen();
  for (const sub of running) sub.unsubscribe();
  log.push(['stats', step, policy.stats()]);
  for (const l of listeners) l.unsubscribe();
  return { log, heard };
}

/** Events without their durations (a call admitted while nobody listened is not timed). */
function untimed(heard: [number, unknown][][], from: number): unknown[] {
  return heard.map((stream) =>
    stream
      .filter(([step]) => step >= from)
      .map(([step, value]) => {
        if (typeof value !== 'object' || value === null || !('duration' in value)) return [step, value];
        const { duration: _, ...rest } = value as Record<string, unknown>;
        return [step, rest];
      }),
  );
}

function agree(make: (scheduler: VirtualTimeScheduler) => Subject, commands: readonly Command[], half: number): void {
  const quiet = run(make, commands, Number.POSITIVE_INFINITY);
  const watched = run(make, commands, 0);
  const later = Math.min(half, commands.length);
  const joined = run(make, commands, later);
  expect(quiet.log).toEqual(watched.log);
  expect(joined.log).toEqual(watched.log);
  expect(untimed(joined.heard, later)).toEqual(untimed(watched.heard, later));
}

describe('fast paths agree with the general path', () => {
  test.prop([breakerConfigArb(), commandsArb(true), fc.nat(60)], { numRuns: 150 })('circuitBreaker', (config, commands, half) => {
    agree(
      (scheduler) => {
        const breaker = circuitBreaker({ ...config, name: 'b', isFailure: (e) => e !== benign, scheduler });
        return { operators: [breaker], streams: [breaker.events$, breaker.state$, breaker.metrics$], stats: () => breaker.stats(), control: (a) => breaker[a]() };
      },
      commands,
      half,
    );
  });

  const bulkheadArb = fc.record({
    maxConcurrent: fc.integer({ min: 1, max: 3 }),
    maxQueued: fc.integer({ min: 0, max: 3 }),
    queueTimeout: fc.option(fc.integer({ min: 1, max: 50 }), { nil: undefined }),
  });
  test.prop([bulkheadArb, commandsArb(false), fc.nat(60)], { numRuns: 150 })('bulkhead', (config, commands, half) => {
    agree(
      (scheduler) => {
        const pool = bulkhead({ ...config, name: 'p', scheduler });
        return { operators: [pool, pool.withPriority(1), pool.withPriority(-1)], streams: [pool.events$, pool.state$], stats: () => pool.stats() };
      },
      commands,
      half,
    );
  });

  const bucketArb = fc.record({
    capacity: fc.integer({ min: 1, max: 4 }),
    refill: fc.record({ tokens: fc.integer({ min: 1, max: 3 }), every: fc.integer({ min: 5, max: 60 }) }),
    wait: fc.option(fc.integer({ min: 0, max: 80 }), { nil: undefined }),
  }).map(({ wait, ...c }) => (wait === undefined ? c : { ...c, mode: 'wait' as const, maxWait: wait }));
  test.prop([bucketArb, commandsArb(false), fc.nat(60)], { numRuns: 150 })('tokenBucket', (config, commands, half) => {
    agree(
      (scheduler) => {
        const limiter = tokenBucket({ ...config, name: 't', scheduler });
        return { operators: [limiter, limiter.forKey('a'), limiter.forKey('b')], streams: [limiter.events$, limiter.state$], stats: () => limiter.stats() };
      },
      commands,
      half,
    );
  });
});
