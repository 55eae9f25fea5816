import { mergeMap, NEVER, of, Subject, timer, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  bulkhead, circuitBreaker, ConfigError, healthCheck, healthFromBreaker, healthFromBulkhead, healthMonitor,
  type HealthComponent, type HealthReport, type HealthStatus, type HealthTransition, type SystemHealth,
} from 'rx-resilience';
import { testScheduler } from 'rx-resilience/testing';

/** A hand-fed component. */
function fed(name: string, critical = true) {
  const subject = new Subject<HealthReport>();
  const component = Object.assign(subject.asObservable(), { name, kind: 'readiness' as const, critical }) as HealthComponent;
  const report = (status: HealthStatus, at = 0): HealthReport => ({ name, kind: 'readiness', critical, status, since: at, at, latency: 0, details: undefined, error: undefined, failures: 0, successes: 0 });
  return { subject, component, send: (status: HealthStatus) => subject.next(report(status)) };
}

describe('healthFromBreaker', () => {
  it('takes its name from the breaker, kind deep and not critical by default', () => {
    const statuses = healthFromBreaker(circuitBreaker({ name: 'pay' }));
    expect([statuses.name, statuses.kind, statuses.critical]).toEqual(['pay', 'deep', false]);
  });

  it('follows the breaker over time', () => {
    const seen: [HealthStatus, number, string][] = [];
    testScheduler().run(({ cold }) => {
      const breaker = circuitBreaker({ name: 'pay', strategy: { kind: 'consecutive', failures: 1 }, breakDuration: 10 });
      healthFromBreaker(breaker, { critical: true, name: 'payments' }).subscribe((r) => seen.push([r.status, r.since, (r.details as { state: string }).state]));
      cold('--#').pipe(breaker).subscribe({ error: () => undefined });
      timer(12).pipe(mergeMap(() => cold('-(a|)').pipe(breaker))).subscribe();
    });
    expect(seen).toEqual([['healthy', 0, 'closed'], ['unhealthy', 2, 'open'], ['degraded', 12, 'half-open'], ['healthy', 13, 'closed']]);
  });
});

describe('healthFromBulkhead', () => {
  it('is degraded while every slot is busy and a call waits', () => {
    const pool = bulkhead({ name: 'pool', maxConcurrent: 1, maxQueued: 2 });
    const seen: HealthStatus[] = [];
    const sub = healthFromBulkhead(pool).subscribe((r) => seen.push(r.status));
    const first = NEVER.pipe(pool).subscribe();
    expect(seen).toEqual(['healthy']);
    const waiting = NEVER.pipe(pool).subscribe();
    expect(seen).toEqual(['healthy', 'degraded']);
    waiting.unsubscribe();
    expect(seen).toEqual(['healthy', 'degraded', 'healthy']);
    first.unsubscribe();
    sub.unsubscribe();
  });

  it('without a queue, is degraded while every slot is busy', () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    const seen: HealthStatus[] = [];
    healthFromBulkhead(pool).subscribe((r) => seen.push(r.status));
    NEVER.pipe(pool).subscribe().unsubscribe();
    expect(seen).toEqual(['healthy', 'degraded', 'healthy']);
  });

  it('rejects bad config naming the field', () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    for (const [field, config] of [['kind', { kind: 'x' }], ['critical', { critical: 1 }], ['name', { name: '' }], ['extra', { extra: 1 }]] as const) {
      expect(() => healthFromBulkhead(pool, config as never)).toThrow(expect.objectContaining({ field }));
    }
    expect(() => healthFromBreaker({} as never)).toThrow(ConfigError);
  });
});

describe('healthMonitor', () => {
  it('aggregates: pending first, critical unhealthy → unhealthy, anything else not healthy → degraded', () => {
    const db = fed('db');
    const cache = fed('cache', false);
    const monitor = healthMonitor({ components: [db.component, cache.component] });
    const seen: SystemHealth[] = [];
    const sub = monitor.health$.subscribe((h) => seen.push(h));
    expect(seen.at(-1)).toMatchObject({ status: 'healthy', components: {}, pending: ['db', 'cache'] });
    db.send('healthy');
    expect(seen.at(-1)).toMatchObject({ status: 'healthy', pending: ['cache'] });
    cache.send('unhealthy');
    expect(seen.at(-1)).toMatchObject({ status: 'degraded', pending: [] });
    db.send('unhealthy');
    expect(seen.at(-1)!.status).toBe('unhealthy');
    expect(monitor.snapshot()).toBe(seen.at(-1));
    expect(Object.keys(seen.at(-1)!.components)).toEqual(['db', 'cache']);
    sub.unsubscribe();
  });

  it('shares one subscription to the components, replays the latest, and releases them with the last subscriber', () => {
    const db = fed('db');
    const monitor = healthMonitor({ components: [db.component] });
    const a = monitor.health$.subscribe();
    db.send('degraded');
    const late: SystemHealth[] = [];
    const b = monitor.health$.subscribe((h) => late.push(h));
    expect(late).toHaveLength(1);
    expect(late[0]!.status).toBe('degraded');
    expect(db.subject.observers).toHaveLength(1);
    a.unsubscribe();
    b.unsubscribe();
    expect(db.subject.observed).toBe(false);
  });

  it('emits transitions: became unhealthy, degraded, recovered; a healthy first report is none', () => {
    const db = fed('db');
    const api = fed('api');
    const monitor = healthMonitor({ components: [db.component, api.component] });
    const seen: HealthTransition[] = [];
    const sub = monitor.transitions$.subscribe((t) => seen.push(t));
    db.send('healthy');
    api.send('unhealthy');
    db.send('healthy');
    db.send('degraded');
    db.send('unhealthy');
    api.send('healthy');
    db.send('healthy');
    expect(seen.map((t) => [t.type, t.component, t.from, t.to])).toEqual([
      ['unhealthy', 'api', undefined, 'unhealthy'],
      ['degraded', 'db', 'healthy', 'degraded'],
      ['unhealthy', 'db', 'degraded', 'unhealthy'],
      ['recovered', 'api', 'unhealthy', 'healthy'],
      ['recovered', 'db', 'unhealthy', 'healthy'],
    ]);
    sub.unsubscribe();
    expect(db.subject.observed).toBe(false);
  });

  it('emits a transition after the aggregate holding it: a listener reading snapshot() sees the report', () => {
    const db = fed('db');
    const monitor = healthMonitor({ components: [db.component] });
    const seen: [string, HealthStatus | undefined, HealthStatus][] = [];
    const sub = monitor.transitions$.subscribe((t) => seen.push([t.type, monitor.snapshot().components.db?.status, monitor.snapshot().status]));
    db.send('unhealthy');
    db.send('healthy');
    sub.unsubscribe();
    expect(seen).toEqual([['unhealthy', 'unhealthy', 'unhealthy'], ['recovered', 'healthy', 'healthy']]);
  });

  it('runs real checks on the scheduler and leaves no action after the last unsubscribe', () => {
    const scheduler = new VirtualTimeScheduler(undefined, 50);
    const monitor = healthMonitor({
      components: [healthCheck('a', () => of(true), { interval: 10, scheduler }), healthCheck('b', () => NEVER, { interval: 10, timeLimit: 5, failureThreshold: 2, scheduler })],
      scheduler,
    });
    const statuses: string[] = [];
    const sub = monitor.health$.subscribe((h) => statuses.push(`${h.status}:${h.pending.length}`));
    scheduler.flush();
    sub.unsubscribe();
    expect(statuses.slice(0, 3)).toEqual(['healthy:2', 'healthy:1', 'unhealthy:0']);
    // The time limit's action is cancelled lazily: it ends by itself by the last probe's deadline (50 + 5).
    scheduler.maxFrames = 55;
    scheduler.flush();
    expect(scheduler.actions).toHaveLength(0);
  });

  it('rejects bad config naming the field', () => {
    const a = fed('a').component;
    for (const [field, config] of [
      ['components', {}], ['components', { components: 'x' }], ['components.1', { components: [a, of(1)] }],
      ['components.1.name', { components: [a, fed('a').component] }], ['scheduler', { components: [], scheduler: 1 }], ['other', { components: [], other: 1 }],
    ] as const) {
      expect(() => healthMonitor(config as never), field).toThrow(expect.objectContaining({ field }));
    }
  });
});
