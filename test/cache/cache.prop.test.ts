/**
 * Property tests of the cache over random sequences of keyed calls (with upstream outcomes and
 * latencies), caller cancellations and clock advances, on a VirtualTimeScheduler driven by hand.
 */
import { fc, test } from '@fast-check/vitest';
import { defer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect } from 'vitest';
import { cache, type Cache } from 'rx-resilience';
import { scriptedService, type ScriptedService, type ScriptStep } from 'rx-resilience/testing';

interface Command {
  readonly key: number;
  /** Gap before this call, in ms. */
  readonly gap: number;
  readonly ok: boolean;
  readonly latency: number;
  /** The caller unsubscribes this long after subscribing, if given. */
  readonly cancelAfter: number | undefined;
}

const commandArb = (keys: number): fc.Arbitrary<Command> =>
  fc.record({
    key: fc.integer({ min: 0, max: keys - 1 }),
    gap: fc.integer({ min: 0, max: 8 }),
    ok: fc.boolean(),
    latency: fc.integer({ min: 0, max: 6 }),
    cancelAfter: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
  });

interface Run {
  readonly services: ScriptedService<string>[];
  readonly results: { key: number; values: string[]; end: 'complete' | 'error' | 'open' }[];
  readonly sizes: number[];
}

/** Plays the commands against `cached`; one scripted upstream per key; checks size after each step. */
function play(cached: Cache, scheduler: VirtualTimeScheduler, keys: number, commands: readonly Command[]): Run {
  let next: ScriptStep<string> = { hang: true };
  const services = Array.from({ length: keys }, (_, k) =>
    scriptedService<string>((i) => ('ok' in next ? { ok: `${k}:${i}`, after: next.after } : next), scheduler),
  );
  const results: Run['results'] = [];
  const sizes: number[] = [];
  let at = 0;
  for (const c of commands) {
    at += c.gap;
    scheduler.schedule(() => {
      const result: Run['results'][number] = { key: c.key, values: [], end: 'open' };
      results.push(result);
      next = c.ok ? { ok: '', after: c.latency } : { fail: 'down', after: c.latency };
      const sub = defer(() => services[c.key]!.call())
        .pipe(cached.forKey(String(c.key)))
        .subscribe({ next: (v) => result.values.push(v), complete: () => (result.end = 'complete'), error: () => (result.end = 'error') });
      if (c.cancelAfter !== undefined) scheduler.schedule(() => sub.unsubscribe(), c.cancelAfter);
      sizes.push(cached.stats().size);
    }, at);
  }
  scheduler.flush();
  return { services, results, sizes };
}

describe('cache properties', () => {
  test.prop([fc.integer({ min: 1, max: 10 }), fc.array(commandArb(3), { minLength: 1, maxLength: 30 })])(
    'never calls upstream while a fresh entry exists, and never runs two upstream calls for one key',
    (ttl, commands) => {
      const scheduler = new VirtualTimeScheduler();
      const cached = cache({ ttl, maxEntries: 3, scheduler });
      const { services, results } = play(cached, scheduler, 3, commands);
      for (const service of services) {
        expect(service.maxActive).toBeLessThanOrEqual(1);
        const stored = service.calls.filter((c) => c.end === 'completed');
        for (const call of service.calls) {
          const fresh = stored.find((s) => s !== call && s.endedAt! <= call.startedAt && call.startedAt < s.endedAt! + ttl);
          expect(fresh).toBeUndefined();
        }
      }
      // Every caller that completed got the result of one upstream call for its own key.
      for (const r of results) {
        if (r.end === 'complete') {
          expect(r.values).toHaveLength(1);
          expect(r.values[0]!.startsWith(`${r.key}:`)).toBe(true);
        }
      }
      const { hits, misses, coalesced, inFlight } = cached.stats();
      expect(hits + misses + coalesced).toBe(commands.length);
      expect(misses).toBe(services.reduce((n, s) => n + s.calls.length, 0));
      expect(inFlight).toBe(0);
      expect(scheduler.actions).toHaveLength(0);
    },
  );

  test.prop([fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 40 }), fc.array(commandArb(6), { minLength: 1, maxLength: 40 })])(
    'never holds more than maxEntries entries',
    (maxEntries, ttl, commands) => {
      const scheduler = new VirtualTimeScheduler();
      const cached = cache({ ttl, staleTtl: 50, maxEntries, scheduler });
      const { sizes } = play(cached, scheduler, 6, commands);
      expect(Math.max(...sizes, cached.stats().size)).toBeLessThanOrEqual(maxEntries);
      const { stored, evicted, size, expired } = cached.stats();
      expect(stored - evicted - expired).toBeGreaterThanOrEqual(size);
    },
  );
});
