/**
 * rx-resilience/redis: shared state for many processes on Redis (ioredis, an optional peer).
 * The only module that works with an ioredis client; the root entry never loads it, and this one
 * imports ioredis for its types only: the caller brings the client.
 */
export { healthFromStore } from './health.js';
export { sharedBreaker } from './sharedBreaker.js';
export type { FleetMessage, SharedBreaker, SharedBreakerEvent, SharedBreakerOptions } from './sharedBreaker.js';
export { fleetControl } from './fleetControl.js';
export type { FleetAction, FleetAuditEvent, FleetControl, FleetControlOptions, FleetEntry } from './fleetControl.js';
export { redisStore } from './store.js';
export type { RedisStore, RedisStoreEvent, RedisStoreOptions, RedisStoreStats, StoreAvailability } from './store.js';
export { redisStreamStore } from './streamStore.js';
export type { RedisStreamStore, RedisStreamStoreOptions } from './streamStore.js';
