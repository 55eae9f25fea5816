/**
 * Random configs against the factories the root fuzz does not reach: the queue and recovery
 * factories of the root entry and every factory of the subpath entries (http, config, prometheus,
 * file-store, redis). Each refuses with a ConfigError naming a field of the input, or builds
 * something that works and leaves nothing scheduled. A last test lists every function each entry
 * exports: it is fuzzed here or in configs.prop.test.ts, or named as not a factory.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from '@fast-check/vitest';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { of, throwError } from 'rxjs';
import { afterAll, expect } from 'vitest';
import * as root from 'rx-resilience';
import { circuitBreaker, durableQueue, exponential, healthMonitor, memoryQueueStore, queueOnFailure, recoverWhen, resilienceRegistry } from 'rx-resilience';
import * as configEntry from 'rx-resilience/config';
import * as fileStoreEntry from 'rx-resilience/file-store';
import * as http from 'rx-resilience/http';
import * as prometheus from 'rx-resilience/prometheus';
import * as redis from 'rx-resilience/redis';
import { buildOnly, casesOf, check, component, drain, type Factory, type Run, runs } from './fuzz.js';
import { FROM_CONFIG_FUZZ } from './fromConfig.js';
import { FACTORIES as ROOT_FACTORIES } from './rootFactories.js';

/** Never connected: port 1 on loopback refuses at once, and nothing retries. */
const client = new Redis({ host: '127.0.0.1', port: 1, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
client.on('error', () => undefined);
const stopping: Promise<unknown>[] = [];
afterAll(async () => {
  await Promise.allSettled(stopping);
  client.disconnect();
});

/** A GET of `url` on a request handler, without a socket: the response is assembled in memory. */
function get(handler: (req: IncomingMessage, res: ServerResponse, next?: () => void) => void, url: string): ServerResponse {
  const req = new IncomingMessage(new Socket());
  req.method = 'GET';
  req.url = url;
  const res = new ServerResponse(req);
  handler(req, res, () => res.writeHead(404).end());
  return res;
}

const queueRun: Run = (built, scheduler) => {
  const queue = built as ReturnType<typeof durableQueue>;
  let ended = false;
  queue.enqueue('m').subscribe({ error: () => (ended = true), complete: () => (ended = true) });
  drain(scheduler);
  expect(ended).toBe(true);
  queue.close().subscribe({ error: () => undefined });
  drain(scheduler);
  expect(scheduler.actions).toHaveLength(0);
};

const FACTORIES: readonly Factory[] = [
  { name: 'memoryQueueStore', base: (scheduler) => ({ delay: 2, scheduler }), build: (c) => memoryQueueStore(c as never), run: (b, scheduler) => queueRun(durableQueue({ store: b as never, scheduler }), scheduler) },
  { name: 'durableQueue', base: (scheduler) => ({ name: 'q', store: memoryQueueStore({ delay: 1, scheduler }), maxAttempts: 3, backoff: exponential({ initial: 10, max: 100 }), pollInterval: 50, scheduler }), build: (c) => durableQueue(c as never), run: queueRun, known: ['store'] },
  { name: 'queueOnFailure', nested: 'options', base: (scheduler) => ({ queue: durableQueue({ store: memoryQueueStore({ scheduler }), scheduler }), toMessage: (input: unknown) => ({ payload: input }), options: { when: () => true } }), build: (c) => {
    const a = args(c);
    return queueOnFailure(a.queue as never, a.toMessage as never, a.options as never);
  }, run: (b, scheduler) => {
    let ended = false;
    throwError(() => new Error('down')).pipe((b as ReturnType<typeof queueOnFailure>)('in')).subscribe({ error: () => (ended = true), complete: () => (ended = true) });
    drain(scheduler);
    expect(ended).toBe(true);
  } },
  { name: 'recoverWhen', base: (scheduler) => ({ breaker: circuitBreaker({ scheduler }), signal$: of(true, false) }), build: (c) => {
    const a = args(c);
    return recoverWhen(a.breaker as never, a.signal$ as never);
  }, run: (b, scheduler) => {
    (b as { unsubscribe(): void }).unsubscribe();
    expect(scheduler.actions).toHaveLength(0);
  } },
  { name: 'healthEndpoints', base: (scheduler) => ({ monitor: healthMonitor({ components: [], scheduler }), token: 't', basePath: '/ops', maxStreams: 2, heartbeat: 1_000, maxBufferedBytes: 4_096, maxRate: 10, replay: 5, cors: { origins: ['https://a.example'] }, dashboard: true, scheduler }), build: (c) => http.healthEndpoints(c as never), run: (b, scheduler) => {
    const endpoints = b as ReturnType<typeof http.healthEndpoints>;
    for (const url of ['/ops/health/live', '/ops__proto__', '/constructor', '/health/ready']) get(endpoints, url);
    drain(scheduler);
    endpoints.close();
    expect(scheduler.actions).toHaveLength(0);
  } },
  { name: 'metricsHandler', base: () => ({ source: () => ({ contentType: 'text/plain', body: 'x 1\n' }) }), build: (c) => http.metricsHandler(args(c).source as never), run: (b) => {
    get(b as ReturnType<typeof http.metricsHandler>, '/metrics');
  } },
  { name: 'dashboard', base: () => ({ path: '/dash', events: '/ops/events' }), build: (c) => http.dashboard(c as never), run: (b) => {
    // The page where the config put it, or the default's; a 404 (when the path was changed) is an answer too.
    for (const url of ['/dash', '/dashboard']) expect(get(b as ReturnType<typeof http.dashboard>, url).writableEnded).toBe(true);
  } },
  { name: 'prometheusMetrics', base: () => ({ registry: new Registry(), prefix: 'rx_', buckets: [0.01, 0.1, 1] }), build: (c) => prometheus.prometheusMetrics(c as never), run: (b, scheduler) => {
    const exporter = b as ReturnType<typeof prometheus.prometheusMetrics>;
    const breaker = circuitBreaker({ name: 'fuzzed', scheduler });
    const unwatch = exporter.watch(breaker);
    of(1).pipe(breaker).subscribe();
    unwatch();
    expect(scheduler.actions).toHaveLength(0);
  } },
  { name: 'fileStore', base: () => ({ dir: join(tmpdir(), 'rxr-fuzz-never-opened'), fsync: 'batch', segmentBytes: 65_536 }), build: (c) => fileStoreEntry.fileStore(c as never), run: buildOnly },
  { name: 'redisStore', base: (scheduler) => ({ client, name: 'rs', prefix: 'fz:', clock: 'client', timeout: 100, insurance: { share: 0.5, processes: 2 }, scheduler }), build: (c) => redis.redisStore(c as never), run: buildOnly, known: ['client'] },
  { name: 'redisStreamStore', base: () => ({ client, stream: 'fz:stream', group: 'g', consumer: 'c', claimAfter: 1_000 }), build: (c) => redis.redisStreamStore(c as never), run: buildOnly, known: ['client', 'stream'] },
  { name: 'healthFromStore', nested: 'config', base: (scheduler) => ({ store: redis.redisStore({ client, scheduler }), config: { name: 'store', kind: 'deep', critical: false, scheduler } }), build: (c) => {
    const a = args(c);
    return redis.healthFromStore(a.store as never, a.config as never);
  }, run: component, known: ['policy'] },
];

/** Built with a client: each connects a subscriber (refused on port 1) and is stopped after. */
const CONNECTING: readonly Factory[] = [
  { name: 'sharedBreaker', nested: 'options', base: (scheduler) => ({ breaker: circuitBreaker({ name: 'shared', scheduler }), options: { client, channel: 'fz:b', quorum: 2, window: 1_000, ttl: 5_000, instance: 'i1', scheduler } }), build: (c) => {
    const a = args(c);
    return redis.sharedBreaker(a.breaker as never, a.options as never);
  }, run: (b) => void stopping.push((b as ReturnType<typeof redis.sharedBreaker>).stop().catch(() => undefined)), known: ['client'] },
  { name: 'fleetControl', base: (scheduler) => ({ client, registry: resilienceRegistry({ scheduler }), channel: 'fz:fleet', instance: 'i1', scheduler }), build: (c) => redis.fleetControl(c as never), run: (b) => void stopping.push((b as ReturnType<typeof redis.fleetControl>).stop().catch(() => undefined)), known: ['client', 'registry'] },
];

function args(config: unknown): Record<string, unknown> {
  return typeof config === 'object' && config !== null ? (config as Record<string, unknown>) : {};
}

test.prop([casesOf(FACTORIES)], { numRuns: runs(3_000) })('subpath and queue factories: a ConfigError naming a field, or something that works', ({ index, mutations }) => {
  check(FACTORIES[index]!, mutations);
});

test.prop([casesOf(CONNECTING)], { numRuns: runs(200) })('redis factories that subscribe: a ConfigError naming a field, or one that starts and stops', ({ index, mutations }) => {
  check(CONNECTING[index]!, mutations);
});

for (const { name, arbitrary, property } of FROM_CONFIG_FUZZ) {
  test.prop([arbitrary], { numRuns: runs(1_000) })(`fromConfig with ${name}: a ConfigError naming a YAML path or env variable, or a registry that works`, property);
}

test('every function of every entry is fuzzed or named as not a factory', () => {
  // The faults and seededRandom take one argument, not a config object: their bad input is tested in test/chaos/chaos.test.ts.
  const NOT_FACTORIES = new Set(['isQueued', 'policyKind', 'resilienceKind', 'isLocalRejection', 'isResilienceError', 'findResilienceError', 'fromAbortable', 'seriesNames', 'latencyFault', 'errorFault', 'resultFault', 'behaviorFault', 'seededRandom']);
  const fuzzed = new Set([...ROOT_FACTORIES, ...FACTORIES, ...CONNECTING].map((f) => f.name.replace(/\(.*\)$/, '')).concat('fromConfig'));
  const entries = { root, http, config: configEntry, prometheus, fileStore: fileStoreEntry, redis };
  const missing = Object.entries(entries).flatMap(([entry, exports]) =>
    Object.entries(exports)
      .filter(([name, value]) => typeof value === 'function' && !/Error$/.test(name) && !NOT_FACTORIES.has(name) && !fuzzed.has(name))
      .map(([name]) => `${entry}.${name}`),
  );
  expect(missing).toEqual([]);
});
