import { BehaviorSubject, defer, NEVER, Observable, of, Subject, throwError, timer, VirtualTimeScheduler } from 'rxjs';
import { map } from 'rxjs/operators';
import { describe, expect, it } from 'vitest';
import {
  ConfigError, constant, durableQueue, isQueued, memoryQueueStore, queueOnFailure, timeLimit,
  type DrainOutcome, type DurableQueueEvent, type DurableQueueState, type Envelope, type QueueStore,
} from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

function setup(options: { maxAttempts?: number; delay?: number } = {}) {
  const scheduler = new VirtualTimeScheduler();
  const store = memoryQueueStore({ delay: options.delay ?? 0, scheduler });
  const queue = durableQueue<string>({ name: 'q', store, scheduler, maxAttempts: options.maxAttempts ?? 3, backoff: constant(10) });
  const events: DurableQueueEvent[] = [];
  queue.events$.subscribe((e) => events.push(e));
  const run = (until: number) => {
    scheduler.maxFrames = until;
    scheduler.flush();
  };
  return { scheduler, store, queue, events, run };
}

describe('durableQueue: enqueue', () => {
  it('completes once the store says the message is durable, also for late subscribers', () => {
    testScheduler().run(({ expectObservable }) => {
      const store = memoryQueueStore({ delay: 5 });
      const queue = durableQueue<string>({ store });
      const receipt = queue.enqueue('a', { key: 'k', id: 'id-1' });
      expectObservable(receipt).toBe('-----(r|)', { r: { id: 'id-1', key: 'k' } });
      expectObservable(receipt, '--------^').toBe('--------(r|)', { r: { id: 'id-1', key: 'k' } });
    });
  });

  it('writes eagerly: nobody subscribes and the message is stored anyway', () => {
    const { queue, store } = setup();
    queue.enqueue('a');
    queue.enqueue('b');
    expect(store.size).toBe(2);
    expect(queue.stats()).toEqual({ pending: 2, inFlight: 0, deadLetters: 0, oldestAge: 0 });
  });

  it('errors the enqueue when the store cannot write it', () => {
    const broken: QueueStore = { ...memoryQueueStore(), append: () => throwError(() => new Error('disk full')) };
    const queue = durableQueue({ store: broken });
    let error: unknown;
    queue.enqueue('a').subscribe({ error: (e: unknown) => (error = e) });
    expect((error as Error).message).toBe('disk full');
    expect(queue.stats().pending).toBe(0);
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    const { queue } = setup();
    expect(() => queue.enqueue('a', { key: '' })).toThrow(ConfigError);
    expect(() => queue.enqueue('a', { kye: 'x' } as never)).toThrow(/options\.kye/);
  });
});

describe('durableQueue: drain', () => {
  it('delivers in enqueue order per key, keys side by side, and acknowledges on completion', () => {
    const { queue, run, store, scheduler } = setup();
    const log: string[] = [];
    for (const [payload, key] of [['a1', 'a'], ['b1', 'b'], ['a2', 'a'], ['b2', 'b'], ['a3', 'a']] as const) queue.enqueue(payload, { key });
    const outcomes: DrainOutcome[] = [];
    queue.drain((m) => {
      log.push(`start ${m.payload}`);
      return timer(m.payload.startsWith('a') ? 10 : 3, scheduler).pipe(map(() => log.push(`end ${m.payload}`)));
    }, { concurrency: 2 }).subscribe((o) => outcomes.push(o));
    run(100);
    const starts = log.filter((l) => l.startsWith('start')).map((l) => l.slice(6));
    expect(starts.filter((p) => p.startsWith('a'))).toEqual(['a1', 'a2', 'a3']);
    expect(starts.filter((p) => p.startsWith('b'))).toEqual(['b1', 'b2']);
    expect(outcomes).toHaveLength(5);
    expect(outcomes.every((o) => o.type === 'delivered' && o.attempt === 1)).toBe(true);
    expect(store.size).toBe(0);
  });

  it('never runs two messages of one key at once, and at most `concurrency` in all', () => {
    const { queue, run, scheduler } = setup();
    for (let i = 0; i < 20; i++) queue.enqueue(`m${i}`, { key: `k${i % 3}` });
    const running = new Map<string, number>();
    let most = 0;
    queue.drain((m) => defer(() => {
      running.set(m.key!, (running.get(m.key!) ?? 0) + 1);
      expect(running.get(m.key!)).toBe(1);
      most = Math.max(most, [...running.values()].reduce((a, b) => a + b, 0));
      return timer(1 + (Number(m.payload.slice(1)) % 4), scheduler);
    }).pipe(map(() => running.set(m.key!, running.get(m.key!)! - 1))), { concurrency: 2 }).subscribe();
    run(500);
    expect(most).toBe(2);
    expect(queue.stats().pending).toBe(0);
  });

  it('redelivers a failed message after the backoff with the next attempt, then dead-letters it after maxAttempts', () => {
    const { queue, run, scheduler, events } = setup({ maxAttempts: 3 });
    queue.enqueue('poison', { key: 'k', id: 'p' });
    queue.enqueue('next', { key: 'k', id: 'n' });
    const seen: Array<[string, number, number]> = [];
    const outcomes: DrainOutcome[] = [];
    queue.drain((m: Envelope<string>) => {
      seen.push([m.payload, m.attempt, scheduler.now()]);
      return m.payload === 'poison' ? throwError(() => new Error('bad')) : of(1);
    }).subscribe((o) => outcomes.push(o));
    run(100);
    // The next message of the key waits until the poison one is dead-lettered.
    expect(seen).toEqual([['poison', 1, 0], ['poison', 2, 10], ['poison', 3, 20], ['next', 1, 20]]);
    expect(outcomes).toEqual([
      { type: 'dead-lettered', id: 'p', key: 'k', attempt: 3, error: 'Error: bad' },
      { type: 'delivered', id: 'n', key: 'k', attempt: 1 },
    ]);
    expect(events.filter((e) => e.type === 'failed').map((e) => (e as { retryIn: number }).retryIn)).toEqual([10, 10]);
    let letters: readonly { id: string; failures: number }[] = [];
    queue.deadLetters().subscribe((d) => (letters = d));
    expect(letters.map((l) => [l.id, l.failures])).toEqual([['p', 3]]);
    expect(queue.stats()).toMatchObject({ pending: 0, inFlight: 0, deadLetters: 1 });
  });

  it('requeue() moves dead letters back with a fresh attempt count, eagerly', () => {
    const { queue, run } = setup({ maxAttempts: 1 });
    let fail = true;
    queue.enqueue('x', { id: 'x' });
    const attempts: number[] = [];
    queue.drain((m) => (attempts.push(m.attempt), fail ? throwError(() => new Error('down')) : of(1))).subscribe();
    run(10);
    expect(queue.stats().deadLetters).toBe(1);
    fail = false;
    let moved = -1;
    const requeued = queue.requeue();
    run(20);
    requeued.subscribe((n) => (moved = n));
    expect(moved).toBe(1);
    expect(attempts).toEqual([1, 1]);
    expect(queue.stats()).toMatchObject({ pending: 0, deadLetters: 0 });
    let count = -1;
    queue.requeue('unknown').subscribe((n) => (count = n));
    expect(count).toBe(0);
  });

  it('redelivers a handler that hangs, once timeLimit gives up on it', () => {
    const { queue, run, scheduler } = setup();
    queue.enqueue('slow', { id: 's' });
    const attempts: Array<[number, number]> = [];
    queue.drain((m) => {
      attempts.push([m.attempt, scheduler.now()]);
      return (m.attempt === 1 ? NEVER : of(1)).pipe(timeLimit({ duration: 50, scheduler }));
    }).subscribe();
    run(200);
    expect(attempts).toEqual([[1, 0], [2, 60]]);
    expect(queue.stats()).toMatchObject({ pending: 0, inFlight: 0 });
  });

  it('pauses while `when` is false and until its first value; in-flight work finishes', () => {
    const { queue, run, scheduler } = setup();
    const when = new Subject<boolean>();
    const delivered: Array<[string, number]> = [];
    queue.drain((m) => timer(5, scheduler).pipe(map(() => delivered.push([m.payload, scheduler.now()]))), { when }).subscribe();
    queue.enqueue('a');
    run(10);
    expect(delivered).toEqual([]);
    scheduler.schedule(() => when.next(true), 10);
    scheduler.schedule(() => queue.enqueue('b'), 10);
    scheduler.schedule(() => when.next(false), 12);
    scheduler.schedule(() => when.next(true), 30);
    run(100);
    // a starts at 10 (ends 15), b would start at 15 but `when` is false from 12 to 30.
    expect(delivered).toEqual([['a', 15], ['b', 35]]);
  });

  it('unsubscribing cancels the handler in flight and keeps its message; a new queue on the store redelivers it', () => {
    const { queue, run, store, scheduler } = setup();
    queue.enqueue('a', { id: 'a' });
    let cancelled = 0;
    const sub = queue.drain(() => new Observable(() => () => cancelled++)).subscribe();
    run(5);
    expect(queue.stats()).toMatchObject({ pending: 0, inFlight: 1 });
    sub.unsubscribe();
    expect(cancelled).toBe(1);
    expect(queue.stats()).toMatchObject({ pending: 1, inFlight: 0 });
    const reopened = durableQueue<string>({ store, scheduler });
    const got: Array<[string, number]> = [];
    reopened.drain((m) => (got.push([m.id, m.attempt]), of(1))).subscribe();
    run(10);
    expect(got).toEqual([['a', 1]]);
  });

  it('close() completes the drain and cancels its handlers; the message stays in the store', () => {
    const { queue, store } = setup();
    queue.enqueue('a');
    let completed = false;
    queue.drain(() => NEVER).subscribe({ complete: () => (completed = true) });
    let closed = false;
    queue.close().subscribe({ complete: () => (closed = true) });
    expect([completed, closed, store.size]).toEqual([true, true, 1]);
  });

  it('allows one drain at a time', () => {
    const { queue } = setup();
    queue.drain(() => of(1)).subscribe();
    let error: unknown;
    queue.drain(() => of(1)).subscribe({ error: (e: unknown) => (error = e) });
    expect(error).toBeInstanceOf(ConfigError);
  });

  it('ends the drain with the store error when an acknowledgement cannot be written, and keeps the message', () => {
    const scheduler = new VirtualTimeScheduler();
    const store = memoryQueueStore();
    const broken: QueueStore = { ...store, ack: () => throwError(() => new Error('io')) };
    const queue = durableQueue({ store: broken, scheduler });
    queue.enqueue('a');
    let error: unknown;
    queue.drain(() => of(1)).subscribe({ error: (e: unknown) => (error = e) });
    expect((error as Error).message).toBe('io');
    expect(queue.stats()).toMatchObject({ pending: 1, inFlight: 0 });
  });

  it('state$ replays and follows pending, inFlight, deadLetters and oldestAge', () => {
    const { queue, run, scheduler } = setup({ maxAttempts: 1 });
    const states: DurableQueueState[] = [];
    queue.state$.subscribe((s) => states.push(s));
    scheduler.schedule(() => queue.enqueue('a'), 0);
    scheduler.schedule(() => queue.enqueue('b'), 4);
    run(4);
    queue.drain((m) => timer(3, scheduler).pipe(map(() => { if (m.payload === 'b') throw new Error('x'); }))).subscribe();
    run(20);
    expect(states).toEqual([
      { pending: 0, inFlight: 0, deadLetters: 0, oldestAge: 0 },
      { pending: 1, inFlight: 0, deadLetters: 0, oldestAge: 0 },
      { pending: 2, inFlight: 0, deadLetters: 0, oldestAge: 4 },
      { pending: 1, inFlight: 1, deadLetters: 0, oldestAge: 4 },
      { pending: 1, inFlight: 0, deadLetters: 0, oldestAge: 3 },
      { pending: 0, inFlight: 1, deadLetters: 0, oldestAge: 3 },
      { pending: 0, inFlight: 0, deadLetters: 1, oldestAge: 0 },
    ]);
  });

  it('rejects a bad config with a ConfigError naming the field', () => {
    const store = memoryQueueStore();
    expect(() => durableQueue({ store, maxAttempts: 0 })).toThrow(/maxAttempts must be an integer >= 1 and <= 2147483647, got 0/);
    expect(() => durableQueue({ store: {} as QueueStore })).toThrow(/store\.open must be a function/);
    expect(() => durableQueue({ store, retries: 2 } as never)).toThrow(/retries/);
    expect(() => durableQueue({ store }).drain(() => of(1), { concurrency: 0 })).toThrow(/concurrency/);
    expect(() => memoryQueueStore({ delay: -1 })).toThrow(/delay/);
  });
});

describe('queueOnFailure', () => {
  it('passes values through, and turns a failure into a durable message and a tagged result', () => {
    const { queue, store } = setup();
    const orQueue = queueOnFailure(queue, (input: { order: string }, error) => ({ payload: `${input.order}:${(error as Error).message}`, key: 'acct' }));
    const ok: unknown[] = [];
    of(1, 2).pipe(orQueue({ order: 'o1' })).subscribe((v) => ok.push(v));
    expect(ok).toEqual([1, 2]);
    const failed: unknown[] = [];
    let completed = false;
    throwError(() => new Error('down')).pipe(orQueue({ order: 'o2' })).subscribe({ next: (v) => failed.push(v), complete: () => (completed = true) });
    expect(completed).toBe(true);
    expect(failed).toHaveLength(1);
    expect(isQueued(failed[0])).toBe(true);
    expect(failed[0]).toMatchObject({ type: 'queued', queue: 'q', key: 'acct' });
    expect(store.size).toBe(1);
    let payload: unknown;
    queue.drain((m) => ((payload = m.payload), of(1))).subscribe();
    expect(payload).toBe('o2:down');
  });

  it('lets errors outside `when` through, and waits for durability before completing', () => {
    testScheduler().run(({ expectObservable, cold }) => {
      const queue = durableQueue<string>({ store: memoryQueueStore({ delay: 4 }) });
      const orQueue = queueOnFailure(queue, (input: string) => ({ payload: input }), { when: (e) => (e as Error).message !== 'fatal' });
      const queued = cold('--#', undefined, new Error('down')).pipe(orQueue('x'), map((r) => (isQueued(r) ? 'q' : r)));
      expectObservable(queued).toBe('------(q|)');
      expectObservable(cold('-#', undefined, new Error('fatal')).pipe(orQueue('y'))).toBe('-#', undefined, new Error('fatal'));
    });
  });

  it('rejects a missing queue or toMessage', () => {
    expect(() => queueOnFailure({} as never, () => ({ payload: 1 }))).toThrow(/queue/);
    expect(() => queueOnFailure(setup().queue, undefined as never)).toThrow(/toMessage/);
  });
});

describe('durableQueue: BehaviorSubject gate', () => {
  it('drains at once when `when` replays true', () => {
    const { queue, run } = setup();
    queue.enqueue('a');
    const got: string[] = [];
    queue.drain((m) => (got.push(m.payload), of(1)), { when: new BehaviorSubject(true) }).subscribe();
    run(1);
    expect(got).toEqual(['a']);
  });
});
