/**
 * The queue against its contract, on virtual time, with crashes: random enqueues, time passing,
 * handlers that fail their first n attempts, and crashes (the drain and the queue dropped, a new
 * queue opened on the same store, writes not yet durable lost). Laws:
 * - every message whose enqueue completed is finally delivered or dead-lettered, as its failure
 *   plan says (delivered iff it fails fewer than maxAttempts times);
 * - no message is handed to a handler after its acknowledgement was recorded;
 * - a message starts only when every earlier message of its key is finished (order per key).
 */
import { fc, test } from '@fast-check/vitest';
import { defer, throwError, timer, VirtualTimeScheduler, type Subscription } from 'rxjs';
import { mergeMap } from 'rxjs/operators';
import { expect } from 'vitest';
import { constant, durableQueue, memoryQueueStore, type DurableQueue } from 'rx-resilience';

const MAX_ATTEMPTS = 3;

type Command =
  | { kind: 'enqueue'; key: string; fails: number; duration: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'crash' };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('enqueue' as const), key: fc.constantFrom('a', 'b', 'c'), fails: fc.integer({ min: 0, max: MAX_ATTEMPTS + 1 }), duration: fc.integer({ min: 1, max: 6 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

test.prop([fc.array(commandArb, { maxLength: 60 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 3 })], { numRuns: 150 })(
  'every durable message is delivered or dead-lettered, never after its ack, in order per key',
  (commands, writeDelay, concurrency) => {
    const scheduler = new VirtualTimeScheduler();
    const store = memoryQueueStore({ delay: writeDelay, scheduler });
    const plans = new Map<string, { key: string; index: number; fails: number; duration: number }>();
    const byKey = new Map<string, string[]>();
    const durable = new Set<string>();
    const acked = new Set<string>();
    const dead = new Set<string>();
    const violations: string[] = [];
    let queue: DurableQueue<string>;
    let drain: Subscription;

    const open = () => {
      queue = durableQueue<string>({ store, scheduler, maxAttempts: MAX_ATTEMPTS, backoff: constant(10) });
      drain = queue.drain((m) => {
        const plan = plans.get(m.id)!;
        if (acked.has(m.id)) violations.push(`${m.id} delivered after its ack`);
        for (const earlier of byKey.get(plan.key)!.slice(0, plan.index)) {
          if (!acked.has(earlier) && !dead.has(earlier) && durable.has(earlier)) violations.push(`${m.id} started before ${earlier}`);
        }
        return timer(plan.duration, scheduler).pipe(mergeMap(() => (m.attempt <= plan.fails ? throwError(() => new Error('fail')) : defer(() => []))));
      }, { concurrency }).subscribe((outcome) => (outcome.type === 'delivered' ? acked : dead).add(outcome.id));
    };
    const advance = (ms: number) => {
      scheduler.maxFrames = scheduler.now() + ms;
      scheduler.flush();
      // VirtualTimeScheduler stops at the last action run; pin the clock to the end of the step.
      scheduler.frame = scheduler.maxFrames;
    };

    open();
    let n = 0;
    for (const command of commands) {
      if (command.kind === 'enqueue') {
        const id = `m${n++}`;
        const list = byKey.get(command.key) ?? [];
        byKey.set(command.key, list);
        plans.set(id, { key: command.key, index: list.length, fails: command.fails, duration: command.duration });
        list.push(id);
        queue!.enqueue(id, { key: command.key, id }).subscribe({ complete: () => durable.add(id) });
      } else if (command.kind === 'advance') {
        advance(command.ms);
      } else {
        drain!.unsubscribe();
        open();
      }
    }
    scheduler.maxFrames = Number.POSITIVE_INFINITY;
    scheduler.flush();

    expect(violations).toEqual([]);
    for (const id of durable) {
      const expected = plans.get(id)!.fails < MAX_ATTEMPTS ? 'delivered' : 'dead';
      expect([id, acked.has(id) ? 'delivered' : dead.has(id) ? 'dead' : 'lost']).toEqual([id, expected]);
    }
    expect(queue!.stats()).toMatchObject({ pending: 0, inFlight: 0 });
    expect(scheduler.actions).toHaveLength(0);
  },
);
