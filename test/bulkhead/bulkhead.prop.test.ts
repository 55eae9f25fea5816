import { fc, test } from '@fast-check/vitest';
import { Observable, type Subscription } from 'rxjs';
import { describe, expect } from 'vitest';
import { bulkhead, isResilienceError } from 'rx-resilience';
import { runScenario, testScheduler, trackedScheduler, watchBulkheadLaws } from 'rx-resilience/testing';
import { bulkheadConfigArb, callCommandsArb } from 'rx-resilience/testing/arbitraries';

type Command =
  | { readonly type: 'call'; readonly priority: number; readonly duration: number; readonly end: 'complete' | 'error' | 'hang'; readonly valueFirst: boolean }
  | { readonly type: 'cancel'; readonly pick: number }
  | { readonly type: 'advance'; readonly ms: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ type: fc.constant('call' as const), priority: fc.integer({ min: -1, max: 2 }), duration: fc.integer({ min: 0, max: 30 }), end: fc.constantFrom('complete' as const, 'error' as const, 'hang' as const), valueFirst: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ type: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 40 }) }) },
);

const configArb = fc.record({
  maxConcurrent: fc.integer({ min: 1, max: 4 }),
  maxQueued: fc.oneof(fc.integer({ min: 0, max: 4 }), fc.constant(Infinity)),
  queueTimeout: fc.option(fc.integer({ min: 1, max: 30 }), { nil: undefined }),
});

interface Call {
  readonly id: number;
  readonly priority: number;
  readonly subscribedAt: number;
  state: 'waiting' | 'running' | 'ended';
  values: number;
  sub: Subscription | undefined;
}

describe('bulkhead properties', () => {
  test.prop([configArb, fc.array(commandArb, { maxLength: 80 })], { numRuns: 300 })(
    'never leaks a slot, never exceeds its bounds, serves by priority then FIFO, and ends idle',
    (config, commands) => {
      const scheduler = testScheduler();
      scheduler.maxFrames = Infinity;
      const pool = bulkhead({ ...config, scheduler });
      const laws = watchBulkheadLaws(pool);
      const calls: Call[] = [];
      const problems: string[] = [];
      const totals = { admitted: 0, rejected: 0, timedOut: 0, cancelled: 0 };
      const live = () => calls.filter((c) => c.state !== 'ended');

      const upstream = (call: Call, c: Extract<Command, { type: 'call' }>) =>
        new Observable<number>((subscriber) => {
          if (call.state === 'waiting') {
            // Started from the queue: nobody waiting may be ahead of it.
            const ahead = calls.find((o) => o.state === 'waiting' && o !== call && (o.priority > call.priority || (o.priority === call.priority && o.id < call.id)));
            if (ahead !== undefined) problems.push(`call ${call.id} started before call ${ahead.id}`);
          }
          call.state = 'running';
          totals.admitted++;
          if (c.end === 'hang') return undefined;
          const timer = scheduler.schedule(() => {
            if (c.valueFirst) subscriber.next(1);
            if (c.end === 'error') subscriber.error(new Error('boom'));
            else subscriber.complete();
          }, c.duration);
          return () => timer.unsubscribe();
        });

      const check = () => {
        const s = pool.stats();
        const running = calls.filter((c) => c.state === 'running').length;
        const waiting = calls.filter((c) => c.state === 'waiting').length;
        if (s.active !== running || s.queued !== waiting) problems.push(`stats say ${s.active}/${s.queued}, calls say ${running}/${waiting}`);
        if (s.active > config.maxConcurrent) problems.push(`${s.active} active > ${config.maxConcurrent}`);
        if (s.queued > config.maxQueued) problems.push(`${s.queued} queued > ${config.maxQueued}`);
        const { admitted, rejected, timedOut, cancelled } = s;
        if (JSON.stringify({ admitted, rejected, timedOut, cancelled }) !== JSON.stringify(totals)) problems.push(`totals ${JSON.stringify(s)} vs ${JSON.stringify(totals)}`);
      };

      for (const command of commands) {
        if (command.type === 'call') {
          const call: Call = { id: calls.length, priority: command.priority, subscribedAt: scheduler.now(), state: 'waiting', values: 0, sub: undefined };
          calls.push(call);
          const end = () => {
            if (call.state === 'ended') problems.push(`call ${call.id} ended twice`);
            call.state = 'ended';
          };
          const target = command.priority === 0 ? pool : pool.withPriority(command.priority);
          call.sub = upstream(call, command).pipe(laws.probe, target).subscribe({
            next: () => call.values++,
            complete: end,
            error: (error: unknown) => {
              if (isResilienceError(error, 'BULKHEAD_FULL')) {
                if (call.state !== 'waiting' || scheduler.now() !== call.subscribedAt) problems.push(`call ${call.id} rejected late`);
                totals.rejected++;
              } else if (isResilienceError(error, 'QUEUE_TIMEOUT')) {
                if (scheduler.now() - call.subscribedAt !== config.queueTimeout) problems.push(`call ${call.id} timed out after ${scheduler.now() - call.subscribedAt}`);
                totals.timedOut++;
              }
              end();
            },
          });
        } else if (command.type === 'cancel') {
          const open = live();
          const call = open[command.pick % Math.max(1, open.length)];
          if (call !== undefined) {
            if (call.state === 'waiting' || call.values === 0) totals.cancelled++;
            call.state = 'ended';
            call.sub?.unsubscribe();
          }
        } else {
          scheduler.schedule(() => undefined, command.ms);
          scheduler.flush();
        }
        check();
      }

      // Unsubscribe whatever is left, let every timer run out: nothing held, nothing scheduled.
      for (const call of live()) {
        if (call.state === 'waiting' || call.values === 0) totals.cancelled++;
        call.state = 'ended';
        call.sub?.unsubscribe();
      }
      scheduler.flush();
      check();
      laws.stop();
      expect(problems).toEqual([]);
      expect(laws.violations).toEqual([]);
      expect(pool.stats()).toMatchObject({ active: 0, queued: 0 });
      expect(scheduler.actions).toHaveLength(0);
    },
  );

  // The same laws as the consumer's kit states them: priorities come from each call's key.
  test.prop([bulkheadConfigArb(), callCommandsArb({ keys: ['-1', '0', '1', '2'] })])('keeps the kit\'s laws with priorities, and leaves nothing pending', (config, commands) => {
    const scheduler = trackedScheduler();
    const pool = bulkhead({ ...config, scheduler });
    const timeline = runScenario((upstream, call) => upstream.pipe(pool.withPriority(Number(call.key))), commands, { scheduler, policies: pool, settle: 1_000 });
    expect(timeline.violations).toEqual([]);
    expect(timeline.pendingWork).toEqual([]);
    expect(pool.stats()).toMatchObject({ active: 0, queued: 0 });
  });
});
