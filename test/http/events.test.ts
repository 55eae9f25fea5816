/**
 * `/events` for browsers and flaky networks: numeric ids strictly increasing, replay after
 * `Last-Event-ID`, the latest state for a new client, policy stats throttled by `maxRate`, and
 * breaker transitions unthrottled.
 */
import { filter, firstValueFrom, of, Subject, throwError, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { bulkhead, circuitBreaker, ConfigError, healthMonitor, operationMode, retryBackoff } from 'rx-resilience';
import { healthEndpoints, type HealthEndpoints } from 'rx-resilience/http';
import { serveOn, sse, type Served } from './sse.js';

let endpoints: HealthEndpoints | undefined;
let served: Served | undefined;
afterEach(async () => {
  endpoints?.close();
  await served?.stop();
  endpoints = served = undefined;
});

const quiet = { error: () => undefined };

describe('event ids and replay', () => {
  it('a client reconnecting with Last-Event-ID gets exactly what an always-connected client saw after that id, then the live stream', async () => {
    const extra = new Subject<number>();
    const monitor = healthMonitor({ components: [] });
    endpoints = healthEndpoints({ monitor, mode: operationMode({ name: 'shop', health$: monitor.health$ }), streams: { extra }, scheduler: new VirtualTimeScheduler() });
    served = await serveOn(endpoints);
    const always = await sse(served.port);
    const flaky = await sse(served.port);
    await Promise.all([always.until((e) => e.length >= 2), flaky.until((e) => e.length >= 2)]);
    extra.next(1);
    await flaky.until((e) => e.some((x) => x.data === 1));
    const lastSeen = flaky.events.at(-1)!.id;
    flaky.close();
    await firstValueFrom(endpoints.openStreams$.pipe(filter((n) => n === 1)));
    for (let i = 2; i <= 5; i++) extra.next(i); // missed by the flaky client
    const back = await sse(served.port, { 'last-event-id': String(lastSeen) });
    // A page that had to open a new EventSource says it in the query instead.
    const byQuery = await sse(served.port, {}, `/events?lastEventId=${lastSeen}`);
    extra.next(6);
    await always.until((e) => e.some((x) => x.data === 6));
    await back.until((e) => e.some((x) => x.data === 6));
    await byQuery.until((e) => e.some((x) => x.data === 6));
    expect(back.events).toEqual(always.events.filter((e) => e.id > lastSeen));
    expect(byQuery.events).toEqual(back.events);
    expect(back.events.map((e) => e.data)).toEqual([2, 3, 4, 5, 6]);
    const ids = always.events.map((e) => e.id);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
  });

  it('a new client, or one whose id is too old or unknown, starts from the latest frame of each state (ids kept)', async () => {
    const extra = new Subject<string>();
    const monitor = healthMonitor({ components: [] });
    endpoints = healthEndpoints({ monitor, streams: { extra }, replay: 2, scheduler: new VirtualTimeScheduler() });
    served = await serveOn(endpoints);
    const first = await sse(served.port);
    await first.until((e) => e.length >= 1);
    for (const v of ['a', 'b', 'c', 'd']) extra.next(v);
    await first.until((e) => e.some((x) => x.data === 'd'));
    const [health, , , , d] = first.events;
    for (const headers of [{} as Record<string, string>, { 'last-event-id': '1' }, { 'last-event-id': '999' }, { 'last-event-id': 'x' }]) {
      const other = await sse(served.port, headers);
      await other.until((e) => e.length >= 2);
      expect(other.events, JSON.stringify(headers)).toEqual([health, d]);
      other.close();
    }
    // Within the two kept frames: exactly the one after it.
    const near = await sse(served.port, { 'last-event-id': String(d!.id - 1) });
    await near.until((e) => e.length >= 1);
    expect(near.events).toEqual([d]);
  });

  it('refuses a bad replay or maxRate naming the field', () => {
    const monitor = healthMonitor({ components: [] });
    for (const [field, value] of [['replay', -1], ['replay', 1.5], ['replay', 100_001], ['maxRate', 0], ['maxRate', 2_000], ['policies', {}], ['policies', [{}]]] as const) {
      let thrown: unknown;
      try {
        healthEndpoints({ monitor, [field]: value } as never);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, `${field} ${JSON.stringify(value)}`).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).field).toMatch(new RegExp(`^${field}`));
    }
  });
});

describe('policy stats on /events', () => {
  it('sends each policy stats at most maxRate per second (first at once, last of a burst at the end), every breaker transition, and retry counts', async () => {
    const scheduler = new VirtualTimeScheduler();
    const breaker = circuitBreaker({ name: 'payments', scheduler, strategy: { kind: 'consecutive', failures: 1 } });
    const pool = bulkhead({ name: 'pool', maxConcurrent: 2 });
    const retry = retryBackoff({ name: 'r', maxAttempts: 1 });
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), policies: [breaker, pool, retry], maxRate: 2, scheduler });
    served = await serveOn(endpoints);
    const client = await sse(served.port);
    await client.until((e) => e.filter((x) => x.event === 'stats').length >= 3);
    const stats = (policy: string) => client.events.filter((e) => e.event === 'stats' && (e.data as { policy: string }).policy === policy);
    expect(stats('payments')[0]!.data).toMatchObject({ policy: 'payments', kind: 'circuit-breaker', stats: { state: 'closed' } });
    expect(stats('pool')[0]!.data).toMatchObject({ kind: 'bulkhead', stats: { active: 0, limit: 2 } });
    expect(stats('r')[0]!.data).toEqual({ policy: 'r', kind: 'retry', stats: { name: 'r' } });

    // A burst inside one interval (500 ms at maxRate 2): closed -> open -> half-open -> closed, 100 calls.
    for (let i = 0; i < 100; i++) of(1).pipe(breaker).subscribe();
    throwError(() => new Error('down')).pipe(breaker).subscribe(quiet);
    breaker.endBreak();
    of(1).pipe(breaker).subscribe();
    throwError(() => new Error('x')).pipe(retry).subscribe(quiet);
    await client.until((e) => e.filter((x) => x.event === 'breaker').length >= 3);
    expect(client.events.filter((e) => e.event === 'breaker').map((e) => e.data)).toEqual([
      { policy: 'payments', from: 'closed', to: 'open', at: 0 },
      { policy: 'payments', from: 'open', to: 'half-open', at: 0 },
      { policy: 'payments', from: 'half-open', to: 'closed', at: 0 },
    ]);
    expect(stats('payments')).toHaveLength(1); // throttled: nothing more until the interval ends
    scheduler.maxFrames = 1_000; // the end of the throttle interval, before the first heartbeat
    scheduler.flush();
    await client.until(() => stats('payments').length >= 2 && stats('r').length >= 2);
    expect(stats('payments')).toHaveLength(2);
    expect(stats('payments')[1]!.data).toMatchObject({ stats: { state: 'closed', totals: { successes: 101, failures: 1 } } });
    expect(stats('r')[1]!.data).toEqual({ policy: 'r', kind: 'retry', stats: { name: 'r', 'give-up': 1, 'give-up:max-attempts': 1 } });
  });
});
