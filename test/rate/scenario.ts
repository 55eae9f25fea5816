/**
 * A random scenario of keyed calls against a limiter on a hand-driven VirtualTimeScheduler:
 * shared by the limiters' property tests.
 */
import fc from 'fast-check';
import { defer, timer, VirtualTimeScheduler } from 'rxjs';
import type { RateLimiter } from 'rx-resilience';
import { watchLimiterLaws, type LimiterBound } from 'rx-resilience/testing';

export interface ScenarioCall {
  readonly at: number;
  readonly key: 'a' | 'b';
  /** How long the call runs once admitted. */
  readonly hold: number;
  /** Unsubscribe this long after subscribing (null: never). */
  readonly cancelAfter: number | null;
}

export const scenarioArb = (maxAt = 200): fc.Arbitrary<ScenarioCall[]> =>
  fc.array(
    fc.record({
      at: fc.integer({ min: 0, max: maxAt }),
      key: fc.constantFrom('a' as const, 'b' as const),
      hold: fc.integer({ min: 0, max: 20 }),
      cancelAfter: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
    }),
    { maxLength: 40 },
  );

export interface ScenarioRun {
  /** Call index → admission time. */
  readonly admitted: Map<number, number>;
  /** Per key, call indexes in admission order. */
  readonly order: Record<'a' | 'b', number[]>;
  readonly rejected: Set<number>;
  /** Calls unsubscribed while they waited (never admitted). */
  readonly cancelledWaiting: Set<number>;
  readonly violations: string[];
  /** Actions still scheduled once the scenario ran out. */
  readonly leftover: number;
}

export function runScenario(
  calls: readonly ScenarioCall[],
  makeLimiter: (scheduler: VirtualTimeScheduler) => RateLimiter,
  bound: LimiterBound,
  skip: ReadonlySet<number> = new Set(),
): ScenarioRun {
  const scheduler = new VirtualTimeScheduler();
  const limiter = makeLimiter(scheduler);
  const watchers = { a: watchLimiterLaws(bound, scheduler), b: watchLimiterLaws(bound, scheduler) };
  const admitted = new Map<number, number>();
  const order: Record<'a' | 'b', number[]> = { a: [], b: [] };
  const rejected = new Set<number>();
  const cancelledWaiting = new Set<number>();
  calls.forEach((call, id) => {
    if (skip.has(id)) return;
    scheduler.schedule(() => {
      const source = defer(() => {
        admitted.set(id, scheduler.now());
        order[call.key].push(id);
        return timer(call.hold, scheduler);
      });
      const sub = source.pipe(watchers[call.key].probe, limiter.forKey(call.key)).subscribe({ error: () => rejected.add(id) });
      if (call.cancelAfter !== null) {
        scheduler.schedule(() => {
          if (!admitted.has(id) && !rejected.has(id)) cancelledWaiting.add(id);
          sub.unsubscribe();
        }, call.cancelAfter);
      }
    }, call.at);
  });
  scheduler.flush();
  return { admitted, order, rejected, cancelledWaiting, violations: [...watchers.a.violations, ...watchers.b.violations], leftover: scheduler.actions.length };
}

/** True when `ids` are in increasing order (arrival order: calls are sorted by time, then index). */
export function inArrivalOrder(calls: readonly ScenarioCall[], ids: readonly number[]): boolean {
  const rank = (id: number) => calls[id]!.at * 1_000 + id;
  return ids.every((id, i) => i === 0 || rank(ids[i - 1]!) < rank(id));
}
