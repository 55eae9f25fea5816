/** CORS (off unless configured, preflight answered for listed origins) and `application/health+json`. */
import { Subject, VirtualTimeScheduler } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, healthMonitor, operationMode, type HealthComponent, type HealthKind, type HealthReport, type HealthStatus } from 'rx-resilience';
import { healthEndpoints, type HealthEndpoints } from 'rx-resilience/http';
import { fetchText, serveOn, sse, type Served } from './sse.js';

let endpoints: HealthEndpoints | undefined;
let served: Served | undefined;
afterEach(async () => {
  endpoints?.close();
  await served?.stop();
  endpoints = served = undefined;
});

const SITE = 'http://dashboard.example:8080';
const TOKEN = 'tok-123';

function fed(name: string, kind: HealthKind) {
  const subject = new Subject<HealthReport>();
  const component = Object.assign(subject.asObservable(), { name, kind, critical: true }) as HealthComponent;
  return { component, send: (status: HealthStatus, at = 1_700_000_000_000) => subject.next({ name, kind, critical: true, status, since: at, at, latency: 12, details: undefined, error: status === 'healthy' ? undefined : new Error('refused'), failures: 0, successes: 0 }) };
}

describe('cors', () => {
  it('allows nothing cross-origin unless configured: no header, OPTIONS is a 405', async () => {
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }) });
    served = await serveOn(endpoints);
    const answer = await fetchText(served.port, '/health/live', { origin: SITE });
    expect(answer.status).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    expect((await fetchText(served.port, '/health/live', { origin: SITE }, 'OPTIONS')).status).toBe(405);
  });

  it('allows the listed origins on every route, answers their preflight, and refuses the others', async () => {
    endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), token: TOKEN, cors: { origins: [SITE] }, scheduler: new VirtualTimeScheduler() });
    served = await serveOn(endpoints);
    for (const path of ['/health/live', '/health/ready']) {
      const answer = await fetchText(served.port, path, { origin: SITE });
      expect(answer.headers['access-control-allow-origin'], path).toBe(SITE);
      expect(answer.headers.vary).toContain('Origin');
    }
    const detailed = await fetchText(served.port, '/health/detailed', { origin: SITE, authorization: `Bearer ${TOKEN}` });
    expect([detailed.status, detailed.headers['access-control-allow-origin']]).toEqual([200, SITE]);
    const pre = await fetchText(served.port, '/health/detailed', { origin: SITE, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' }, 'OPTIONS');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe(SITE);
    expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
    expect(pre.headers['access-control-allow-headers']).toMatch(/Last-Event-ID/);
    expect(pre.headers['access-control-allow-methods']).toContain('GET');
    const events = await sse(served.port, { origin: SITE });
    expect(events.res.headers['access-control-allow-origin']).toBe(SITE);
    events.close();

    const other = await fetchText(served.port, '/health/live', { origin: 'http://evil.example' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    expect((await fetchText(served.port, '/health/live', { origin: 'http://evil.example' }, 'OPTIONS')).status).toBe(403);
    expect((await fetchText(served.port, '/nope', { origin: SITE }, 'OPTIONS')).status).toBe(404);
  });

  it('refuses origins that are not origins', () => {
    const monitor = healthMonitor({ components: [] });
    for (const cors of [{ origins: 'http://a.example' }, { origins: ['http://a.example/'] }, { origins: ['a.example'] }, { origins: ['*'] }, { allow: [] }]) {
      expect(() => healthEndpoints({ monitor, cors } as never), JSON.stringify(cors)).toThrow(ConfigError);
    }
  });
});

describe('application/health+json', () => {
  it('answers the IETF draft shape when Accept asks for it, and today\'s JSON otherwise', async () => {
    const db = fed('db', 'readiness');
    const breaker = fed('payments', 'deep');
    const monitor = healthMonitor({ components: [db.component, breaker.component] });
    endpoints = healthEndpoints({ monitor, mode: operationMode({ name: 'shop', health$: monitor.health$ }), token: TOKEN });
    served = await serveOn(endpoints);
    const accept = { accept: 'application/health+json' };

    const pending = await fetchText(served.port, '/health/ready', accept);
    expect(pending.status).toBe(503);
    expect(JSON.parse(pending.text)).toMatchObject({ status: 'fail', checks: { 'db:status': [{ componentId: 'db', status: 'fail', output: 'has not reported yet' }] } });

    db.send('healthy');
    breaker.send('unhealthy');
    const ready = await fetchText(served.port, '/health/ready', accept);
    expect(ready.status).toBe(200);
    expect(ready.headers['content-type']).toBe('application/health+json; charset=utf-8');
    const body = JSON.parse(ready.text) as { status: string; notes: string[]; checks: Record<string, unknown> };
    expect(body.status).toBe('pass');
    expect(body.notes[0]).toContain('fail');
    expect(body.checks).toEqual({
      'db:status': [{ componentId: 'db', componentType: 'readiness', status: 'pass', time: '2023-11-14T22:13:20.000Z' }],
      'db:responseTime': [{ componentId: 'db', observedValue: 12, observedUnit: 'ms', status: 'pass', time: '2023-11-14T22:13:20.000Z' }],
    });

    const plain = JSON.parse((await fetchText(served.port, '/health/ready')).text) as Record<string, unknown>;
    expect(plain).toEqual({ ready: true, status: 'healthy', overallStatus: 'unhealthy', checks: { db: 'healthy' }, deep: { payments: 'unhealthy' }, pending: [] });

    const detailed = JSON.parse((await fetchText(served.port, '/health/detailed', { ...accept, authorization: `Bearer ${TOKEN}` })).text) as { status: string; output: string; checks: Record<string, { status: string; output?: string }[]> };
    expect(detailed.status).toBe('fail');
    expect(detailed.output).toBe('operation mode: EMERGENCY') // a critical component is unhealthy;
    expect(detailed.checks['payments:status']![0]).toMatchObject({ status: 'fail', output: 'refused' });

    const live = await fetchText(served.port, '/health/live', accept);
    expect([live.status, JSON.parse(live.text)]).toEqual([200, { status: 'pass', checks: {} }]);
  });
});
