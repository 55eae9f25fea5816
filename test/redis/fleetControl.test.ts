import { once } from 'node:events';
import { createServer, get as httpGet } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { filter, firstValueFrom } from 'rxjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { circuitBreaker, ConfigError, healthMonitor, resilienceRegistry, type ResilienceRegistry } from 'rx-resilience';
import { healthEndpoints } from 'rx-resilience/http';
import { prometheusMetrics } from 'rx-resilience/prometheus';
import { fleetControl, type FleetAuditEvent, type FleetControl } from 'rx-resilience/redis';
import { startRedis, type RedisServer } from '../helpers/redis.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => server.stop());

const started: FleetControl[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((f) => f.stop()));
});

let channels = 0;
/** One "instance": a registry with breakers db and cache, and its fleet control. */
async function instance(channel: string, instanceId: string) {
  const registry = resilienceRegistry();
  registry.register('db', circuitBreaker({ name: 'db' }));
  registry.register('cache', circuitBreaker({ name: 'cache' }));
  const fleet = fleetControl({ client: server.client(), registry, channel, instance: instanceId });
  started.push(fleet);
  const audit: FleetAuditEvent[] = [];
  fleet.events$.subscribe((e) => audit.push(e));
  await fleet.ready;
  return { registry, fleet, audit };
}
const states = (registry: ResilienceRegistry) => ({ db: registry.snapshot().db!.stats, cache: registry.snapshot().cache!.stats }) as Record<string, { state: string }>;
const stateOf = (registry: ResilienceRegistry) => Object.fromEntries(Object.entries(states(registry)).map(([k, v]) => [k, v.state]));
const heard = (fleet: FleetControl) => firstValueFrom(fleet.events$.pipe(filter((e) => e.origin !== fleet.instance)));

describe('fleetControl', () => {
  it('isolate, reset, disable and isolateAll act on every instance, with an audit event naming who asked', async () => {
    const channel = `fleet${++channels}`;
    const a = await instance(channel, 'a');
    const b = await instance(channel, 'b');

    let arrived = heard(b.fleet);
    await a.fleet.isolate('db', { by: 'alice' });
    expect(stateOf(a.registry)).toEqual({ db: 'isolated', cache: 'closed' });
    const event = await arrived;
    expect(event).toMatchObject({ type: 'fleet-action', action: 'isolate', target: 'db', by: 'alice', origin: 'a', applied: ['db'] });
    expect(a.audit[0]).toMatchObject({ action: 'isolate', target: 'db', by: 'alice', origin: 'a', applied: ['db'] });
    expect(stateOf(b.registry)).toEqual({ db: 'isolated', cache: 'closed' });
    expect(b.fleet.imposed()).toEqual({ db: { action: 'isolate', by: 'alice', at: a.audit[0]!.at } });

    arrived = heard(b.fleet);
    await a.fleet.isolateAll({ by: 'bob' });
    expect(await arrived).toMatchObject({ target: '*', applied: ['cache'] });
    expect(stateOf(b.registry)).toEqual({ db: 'isolated', cache: 'isolated' });

    arrived = heard(a.fleet);
    await b.fleet.reset('db');
    expect((await arrived).by).toBe('b'); // no `by`: the instance that asked
    expect(stateOf(a.registry)).toEqual({ db: 'closed', cache: 'isolated' });
    expect(Object.keys(a.fleet.imposed())).toEqual(['cache']);

    arrived = heard(b.fleet);
    await a.fleet.disable('cache');
    await arrived;
    expect(stateOf(b.registry)).toEqual({ db: 'closed', cache: 'disabled' });
  });

  it('persists the state: an instance that starts later, or a breaker registered later, gets it; resetAll clears it', async () => {
    const channel = `fleet${++channels}`;
    const a = await instance(channel, 'a');
    await a.fleet.isolateAll({ by: 'ops' });
    await a.fleet.reset('db');
    const late = await instance(channel, 'late');
    expect(stateOf(late.registry)).toEqual({ db: 'closed', cache: 'isolated' });
    expect(late.audit).toEqual([]); // applying the persisted state is not a new action
    late.registry.register('queue', circuitBreaker({ name: 'queue' }));
    expect(late.registry.snapshot().queue!.stats).toMatchObject({ state: 'isolated' });
    expect(Object.keys(late.fleet.imposed()).sort()).toEqual(['cache', 'queue']);

    const arrived = heard(late.fleet);
    await a.fleet.resetAll();
    await arrived;
    expect(stateOf(late.registry)).toEqual({ db: 'closed', cache: 'closed' });
    expect(late.fleet.imposed()).toEqual({});
    expect(await server.client().exists(`${channel}:state`)).toBe(0);
  });

  it('/health/detailed and the Prometheus exporter show fleet-imposed states as such', async () => {
    const channel = `fleet${++channels}`;
    const a = await instance(channel, 'a');
    await a.fleet.disable('cache', { by: 'carol' });
    const exporter = prometheusMetrics({ registry: new Registry() });
    const unwatch = exporter.watch(a.fleet);
    expect(await exporter.metrics()).toContain('resilience_circuit_breaker_fleet_imposed{name="cache",action="disable"} 1');
    await a.fleet.reset('cache');
    expect(await exporter.metrics()).toContain('resilience_circuit_breaker_fleet_imposed{name="cache",action="disable"} 0');
    unwatch();
    await a.fleet.isolate('db', { by: 'dave' });

    const endpoints = healthEndpoints({ monitor: healthMonitor({ components: [] }), token: 't', fleet: a.fleet });
    const http = createServer(endpoints).listen(0, '127.0.0.1');
    await once(http, 'listening');
    try {
      const body = await new Promise<string>((resolve, reject) => {
        httpGet({ host: '127.0.0.1', port: (http.address() as AddressInfo).port, path: '/health/detailed', headers: { authorization: 'Bearer t' } }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(JSON.parse(body).fleet).toEqual({ db: { action: 'isolate', by: 'dave', at: expect.any(Number) as number } });
    } finally {
      endpoints.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    }
    expect(() => healthEndpoints({ monitor: healthMonitor({ components: [] }), fleet: {} as never })).toThrowError(ConfigError);
  });

  it('refuses bad options and names with a ConfigError', async () => {
    const registry = resilienceRegistry();
    expect(() => fleetControl({ client: {} as never, registry })).toThrowError(/client/);
    expect(() => fleetControl({ client: server.client(), registry: {} as never })).toThrowError(/registry/);
    const fleet = fleetControl({ client: server.client(), registry, channel: `fleet${++channels}` });
    started.push(fleet);
    await expect(fleet.isolate('')).rejects.toBeInstanceOf(ConfigError);
  });
});
