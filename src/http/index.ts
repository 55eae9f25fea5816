/**
 * rx-resilience/http: the operations endpoints for Node's `http` server (health, readiness,
 * operation mode, events over server-sent events, bearer-token guard) and a `/metrics` handler.
 * A subpath of its own because it needs Node built-ins (`node:crypto`, `node:http` types); the
 * root entry runs in a browser.
 */
export { healthEndpoints } from './endpoints.js';
export type { HealthEndpoints, HealthEndpointsConfig } from './endpoints.js';
export { metricsHandler } from './metrics.js';
export type { MetricsExposition, MetricsHandler, MetricsSource } from './metrics.js';
export { dashboard } from './dashboard.js';
export type { DashboardConfig, Dashboard } from './dashboard.js';
