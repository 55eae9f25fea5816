/**
 * The bodies of `/health/live`, `/health/ready` and `/health/detailed`: today's JSON by default, or
 * the IETF health-check draft's `application/health+json` when the request's `Accept` asks for it
 * (`status` pass / warn / fail, `checks` keyed `component:measurement`, RFC 3339 times).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HealthReport, HealthStatus, SystemHealth } from '../health/types.js';
import { worse } from '../health/types.js';
import { sendJson } from './respond.js';

export const HEALTH_JSON = 'application/health+json';
const IETF: Readonly<Record<HealthStatus, 'pass' | 'warn' | 'fail'>> = { healthy: 'pass', degraded: 'warn', unhealthy: 'fail' };

const statuses = (reports: readonly HealthReport[]): Record<string, HealthStatus> => Object.fromEntries(reports.map((r) => [r.name, r.status]));
const gatesLive = (r: HealthReport) => r.kind === 'liveness';
const gatesReady = (r: HealthReport) => r.kind !== 'deep';

/** True when the client asked for `application/health+json`. */
export function wantsHealthJson(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && accept.toLowerCase().includes(HEALTH_JSON);
}

/** 503 when a liveness component is unhealthy; 200 otherwise. */
export function live(req: IncomingMessage, res: ServerResponse, health: SystemHealth): void {
  const used = Object.values(health.components).filter(gatesLive);
  const down = used.some((r) => r.status === 'unhealthy');
  if (wantsHealthJson(req)) return sendHealthJson(req, res, down ? 503 : 200, { status: down ? 'fail' : IETF[worst(used)], checks: checks(used, []) });
  sendJson(req, res, down ? 503 : 200, { status: down ? 'unhealthy' : 'alive', checks: statuses(used) });
}

/**
 * 200 when every component has reported and no liveness or readiness component is unhealthy; else
 * 503. `status` is the readiness status (of the components that gate it); `overallStatus` the
 * monitor's, deep components included; `deep` lists the components that do not gate readiness.
 */
export function ready(req: IncomingMessage, res: ServerResponse, health: SystemHealth): void {
  const all = Object.values(health.components);
  const used = all.filter(gatesReady);
  const isReady = health.pending.length === 0 && !used.some((r) => r.status === 'unhealthy');
  const status = worst(used);
  if (wantsHealthJson(req)) {
    const notes = [`overall status (deep components included, they do not gate readiness): ${IETF[health.status]}`];
    return sendHealthJson(req, res, isReady ? 200 : 503, { status: isReady ? IETF[status] : 'fail', notes, checks: checks(used, health.pending) });
  }
  sendJson(req, res, isReady ? 200 : 503, { ready: isReady, status, overallStatus: health.status, checks: statuses(used), deep: statuses(all.filter((r) => !gatesReady(r))), pending: health.pending });
}

/** Every component, the monitor's status, the mode when there is one, and the states a fleet imposes. */
export function detailed(req: IncomingMessage, res: ServerResponse, health: SystemHealth, mode: unknown, fleet?: unknown): void {
  if (wantsHealthJson(req)) {
    const body = { status: IETF[health.status], checks: checks(Object.values(health.components), health.pending), ...(mode === undefined ? {} : { output: `operation mode: ${(mode as { mode: string }).mode}` }) };
    return sendHealthJson(req, res, 200, body);
  }
  sendJson(req, res, 200, { ...health, ...(mode === undefined ? {} : { mode }), ...(fleet === undefined ? {} : { fleet }) });
}

function worst(reports: readonly HealthReport[]): HealthStatus {
  return reports.reduce<HealthStatus>((s, r) => worse(s, r.status), 'healthy');
}

/** `name:status` for every component (and `name:responseTime` when it measured one); pending ones fail with a note. */
function checks(reports: readonly HealthReport[], pending: readonly string[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const r of reports) {
    const error = r.error instanceof Error ? r.error.message : r.error === undefined ? undefined : String(r.error);
    out[`${r.name}:status`] = [{ componentId: r.name, componentType: r.kind, status: IETF[r.status], time: rfc3339(r.at), ...(error === undefined ? {} : { output: error }) }];
    if (typeof r.latency === 'number' && Number.isFinite(r.latency)) {
      out[`${r.name}:responseTime`] = [{ componentId: r.name, observedValue: r.latency, observedUnit: 'ms', status: IETF[r.status], time: rfc3339(r.at) }];
    }
  }
  for (const name of pending) out[`${name}:status`] = [{ componentId: name, status: 'fail', output: 'has not reported yet' }];
  return out;
}

/** Scheduler time (ms since the epoch on the default clock) as RFC 3339; a virtual clock gives 1970 times. */
function rfc3339(at: number): string | undefined {
  return Number.isFinite(at) && Math.abs(at) <= 8.64e15 ? new Date(at).toISOString() : undefined;
}

function sendHealthJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  sendJson(req, res, status, body, { 'content-type': `${HEALTH_JSON}; charset=utf-8` });
}
