/**
 * Framework-free `node:http` handlers: `/metrics`, `/health/live`, `/health/ready`,
 * `/health/detailed` (bearer token), `/events` (server-sent events) and, when asked, `/dashboard`.
 *
 * State scope: the returned handler. It subscribes the monitor's `health$` (and the mode's
 * `mode$`) when built, so checks run and answers come from the latest aggregate without waiting;
 * `/events` holds one subscription to its streams from its first client until `close()`, which
 * releases everything and ends every open event stream.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { distinctUntilChanged, map, merge, type Observable, type SchedulerLike, type Subscription } from 'rxjs';
import type { HealthMonitor } from '../health/healthMonitor.js';
import type { OperationMode } from '../health/operationMode.js';
import type { HealthStatus, SystemHealth } from '../health/types.js';
import { resolveScheduler } from '../internal/clock.js';
import { checker } from '../internal/validate.js';
import { bearerGuard } from './auth.js';
import { allowOrigin, parseCors, preflight, type CorsConfig } from './cors.js';
import { servePage } from './dashboard.js';
import { page } from './dashboardPage.js';
import { EventStreams, type SseMessage } from './eventStream.js';
import { detailed, live, ready } from './healthBodies.js';
import { metricsHandler, type MetricsSource } from './metrics.js';
import { parsePolicies, policyMessages } from './policyStats.js';
import { failRequest, readOnly, sendJson } from './respond.js';

export interface HealthEndpointsConfig {
  readonly monitor: HealthMonitor;
  /** Adds the mode to `/health/detailed` and mode changes to `/events`. */
  readonly mode?: OperationMode;
  /** Serves `/metrics` (e.g. the function from `rx-resilience/prometheus`); 404 without it. */
  readonly metrics?: MetricsSource;
  /** Adds `fleet` to `/health/detailed`: the states a fleet control imposes (e.g. `fleetControl()` from `rx-resilience/redis`). */
  readonly fleet?: { imposed(): unknown };
  /** Bearer token for `/health/detailed`; without it that route answers 404. Never logged. */
  readonly token?: string;
  /** Prefix of every route, e.g. `/ops`. Default ''. */
  readonly basePath?: string;
  /** Open `/events` streams allowed at once; more get 503. Default 16. */
  readonly maxStreams?: number;
  /** ms between heartbeat comments on an event stream. Default 15 000. */
  readonly heartbeat?: number;
  /** Unsent bytes an `/events` client may hold before it is disconnected. Default 1 MiB (1 048 576). */
  readonly maxBufferedBytes?: number;
  /** More named streams to send on `/events` (e.g. `{ payments: breaker.state$ }`): event name = key; the latest value of each is a state a new client gets. */
  readonly streams?: Readonly<Record<string, Observable<unknown>>>;
  /** Policies whose stats `/events` sends (`stats` events, throttled by `maxRate`) and, for breakers, every transition (`breaker` events). */
  readonly policies?: readonly unknown[];
  /** Most `stats` events per second per policy on `/events`. Default 4; from 0.01 to 1000. */
  readonly maxRate?: number;
  /** Events kept for clients that reconnect with `Last-Event-ID`. Default 256; 0 to 100 000. */
  readonly replay?: number;
  /** Origins allowed to call every route from a browser (with `OPTIONS` preflight). Default: none. */
  readonly cors?: CorsConfig;
  /** Serves the live dashboard page at `/dashboard` (it reads `/events`). Default false. */
  readonly dashboard?: boolean;
  /** Clock for heartbeats. */
  readonly scheduler?: SchedulerLike;
}

/** A request handler (`next` is called for paths it does not serve, else 404) with its resources attached. */
export interface HealthEndpoints {
  (req: IncomingMessage, res: ServerResponse, next?: () => void): void;
  /** Open event streams now; replays, emits on change. */
  readonly openStreams$: Observable<number>;
  /** Releases the subscriptions and ends the open event streams. */
  close(): void;
}

const KEYS = ['monitor', 'mode', 'fleet', 'metrics', 'token', 'basePath', 'maxStreams', 'heartbeat', 'maxBufferedBytes', 'streams', 'policies', 'maxRate', 'replay', 'cors', 'dashboard', 'scheduler'];
/** Largest `maxBufferedBytes`: 1 GiB. */
const MAX_BUFFERED_BYTES = 2 ** 30;

type Route = (req: IncomingMessage, res: ServerResponse) => void;

export interface ParsedHealthEndpointsConfig {
  readonly monitor: HealthMonitor;
  readonly mode: OperationMode | undefined;
  readonly fleet: HealthEndpointsConfig['fleet'];
  readonly metrics: MetricsSource | undefined;
  readonly token: string | undefined;
  readonly basePath: string;
  readonly maxStreams: number;
  readonly heartbeat: number;
  readonly maxBufferedBytes: number;
  readonly streams: Record<string, Observable<unknown>>;
  readonly policies: ReturnType<typeof parsePolicies>;
  readonly maxRate: number;
  readonly replay: number;
  readonly origins: ReturnType<typeof parseCors>;
  readonly dashboard: boolean;
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `healthEndpoints()`'s config: a health monitor (required), with the defaults of the options. */
export function parseHealthEndpointsConfig(config: unknown): ParsedHealthEndpointsConfig {
  const check = checker('health-endpoints');
  const c = check.object('', config, KEYS);
  const monitor = c.monitor as HealthMonitor;
  if (typeof monitor?.snapshot !== 'function' || typeof monitor.health$?.subscribe !== 'function') check.fail('monitor', monitor, 'a health monitor');
  const mode = c.mode as OperationMode | undefined;
  if (mode !== undefined && typeof mode?.mode$?.subscribe !== 'function') check.fail('mode', mode, 'an operation mode');
  const fleet = c.fleet as HealthEndpointsConfig['fleet'];
  if (fleet !== undefined && typeof fleet?.imposed !== 'function') check.fail('fleet', fleet, 'a fleet control (with imposed())');
  const metrics = check.fn<MetricsSource>('metrics', c.metrics);
  if (c.token !== undefined && (typeof c.token !== 'string' || c.token.length === 0)) check.fail('token', '[redacted]', 'a non-empty string');
  const basePath = c.basePath === undefined ? '' : (c.basePath as string);
  if (typeof basePath !== 'string' || (basePath !== '' && (!basePath.startsWith('/') || basePath.endsWith('/')))) check.fail('basePath', basePath, "'' or a path starting with / and not ending with /");
  const maxStreams = check.integer('maxStreams', c.maxStreams, 16, 0);
  const heartbeat = check.number('heartbeat', c.heartbeat, 15_000, 1, 2_147_483_647);
  const maxBufferedBytes = check.integer('maxBufferedBytes', c.maxBufferedBytes, 1_048_576, 1, MAX_BUFFERED_BYTES);
  const streams = (c.streams ?? {}) as Record<string, Observable<unknown>>;
  if (typeof streams !== 'object' || streams === null || Array.isArray(streams)) check.fail('streams', streams, 'an object of Observables');
  for (const [key, stream] of Object.entries(streams)) {
    if (typeof stream?.subscribe !== 'function') check.fail(`streams.${key}`, stream, 'an Observable');
    if (!/^[\w.-]+$/.test(key)) check.fail(`streams.${key}`, key, 'a name of letters, digits, _ . -');
  }
  const policies = parsePolicies(check, c.policies);
  const maxRate = check.number('maxRate', c.maxRate, 4, 0.01, 1_000);
  const replay = check.integer('replay', c.replay, 256, 0, 100_000);
  const origins = parseCors(check, c.cors);
  if (c.dashboard !== undefined && typeof c.dashboard !== 'boolean') check.fail('dashboard', c.dashboard, 'true or false');
  return {
    monitor, mode, fleet, metrics, token: c.token as string | undefined, basePath, maxStreams, heartbeat, maxBufferedBytes, streams, policies, maxRate, replay, origins,
    dashboard: c.dashboard === true,
    scheduler: check.scheduler('scheduler', c.scheduler),
  };
}

/**
 * Builds the health and observability endpoints.
 *
 * ```ts
 * import { createServer } from 'node:http';
 * import { healthEndpoints } from 'rx-resilience/http';
 * const endpoints = healthEndpoints({ monitor, mode, token: process.env.HEALTH_TOKEN, metrics: prometheus.exposition });
 * createServer(endpoints).listen(9464);
 * // GET /health/ready → 200 { ready: true, … } or 503; GET /events → text/event-stream
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function healthEndpoints(config: HealthEndpointsConfig): HealthEndpoints {
  const { monitor, mode, fleet, metrics, token, basePath, maxStreams, heartbeat, maxBufferedBytes, streams, policies, maxRate, replay, origins, dashboard, ...c } = parseHealthEndpointsConfig(config);
  const guard = token === undefined ? undefined : bearerGuard(token);
  const scheduler = resolveScheduler(c.scheduler);

  // An error of health$ or mode$ ends the event streams (each client's subscription sees it); the
  // routes keep answering from the last snapshot. It must not reach RxJS's unhandled-error path.
  const ignore = { error: () => undefined };
  const held: Subscription[] = [monitor.health$.subscribe(ignore)];
  if (mode !== undefined) held.push(mode.mode$.subscribe(ignore));
  const events = new EventStreams(() => merge(messages(monitor, mode, streams), policyMessages(policies, maxRate, scheduler)), { maxStreams, heartbeat, maxBufferedBytes, replay }, scheduler);
  const serveMetrics = metrics === undefined ? undefined : metricsHandler(metrics);

  // A Map: a path never reads an inherited key (`/__proto__`, `/constructor`).
  const routes = new Map<string, Route>([
    ['/health/live', (req, res) => live(req, res, monitor.snapshot())],
    ['/health/ready', (req, res) => ready(req, res, monitor.snapshot())],
    ['/events', (req, res) => events.handle(req, res)],
  ]);
  if (serveMetrics !== undefined) routes.set('/metrics', serveMetrics);
  if (dashboard) {
    const html = page('events');
    routes.set('/dashboard', (req, res) => servePage(req, res, html));
  }
  if (guard !== undefined) {
    routes.set('/health/detailed', (req, res) => {
      if (!guard(req)) return sendJson(req, res, 401, { error: 'unauthorized' }, { 'www-authenticate': 'Bearer realm="health"' });
      detailed(req, res, monitor.snapshot(), mode?.stats(), fleet?.imposed());
    });
  }

  const handler = (req: IncomingMessage, res: ServerResponse, next?: () => void): void => {
    try {
      const path = pathOf(req.url);
      const route = path !== undefined && path.startsWith(basePath) ? routes.get(path.slice(basePath.length)) : undefined;
      if (route === undefined) return next === undefined ? sendJson(req, res, 404, { error: 'not found' }) : next();
      res.setHeader('vary', 'Origin, Accept');
      const allowed = allowOrigin(req, res, origins);
      if (req.method === 'OPTIONS' && origins !== undefined) return preflight(req, res, allowed);
      if (readOnly(req, res)) route(req, res);
    } catch {
      // Nothing a request carries may end the process: an unexpected throw is a 500 (or, once the
      // head is out, a destroyed connection) and the server keeps serving.
      failRequest(res);
    }
  };
  return Object.assign(handler, {
    openStreams$: events.open$,
    close: () => {
      events.close();
      held.forEach((s) => s.unsubscribe());
    },
  });
}

/**
 * The path of a request target, matched as sent (no percent-decoding): origin-form (`/health/live?x`)
 * or absolute-form (`http://host/health/live`); anything else (`*`, garbage) has no path of ours.
 */
function pathOf(url: string | undefined): string | undefined {
  const target = url?.split('?', 1)[0];
  if (target === undefined || target.startsWith('/')) return target;
  if (!/^https?:\/\//i.test(target)) return undefined;
  const slash = target.indexOf('/', target.indexOf('//') + 2);
  return slash < 0 ? '/' : target.slice(slash);
}

const statuses = (health: SystemHealth): Record<string, HealthStatus> => Object.fromEntries(Object.values(health.components).map((r) => [r.name, r.status]));

/** `health` (overall and per-component statuses, on change), `transition`, `mode`, and the extra streams. */
function messages(monitor: HealthMonitor, mode: OperationMode | undefined, streams: Record<string, Observable<unknown>>): Observable<SseMessage> {
  const summary$ = monitor.health$.pipe(
    map((h) => ({ status: h.status, components: statuses(h), pending: h.pending })),
    distinctUntilChanged((a, b) => JSON.stringify(a) === JSON.stringify(b)),
    map((data): SseMessage => ({ event: 'health', state: 'health', data })),
  );
  const transitions$ = monitor.transitions$.pipe(map(({ type, component, from, to, at }): SseMessage => ({ event: 'transition', data: { type, component, from, to, at } })));
  const parts: Observable<SseMessage>[] = [summary$, transitions$];
  if (mode !== undefined) parts.push(mode.mode$.pipe(map((data): SseMessage => ({ event: 'mode', state: 'mode', data }))));
  for (const [event, stream] of Object.entries(streams)) parts.push(stream.pipe(map((data): SseMessage => ({ event, state: `stream:${event}`, data }))));
  return merge(...parts);
}
