/**
 * `healthFromStore(store)`: a health component that follows a Redis store's availability. While
 * Redis answers, healthy; while the insurance limiter answers, degraded (calls still get limited,
 * each process on its own share).
 */
import { distinctUntilChanged, map } from 'rxjs';
import { parse, reports, type PolicyHealthConfig } from '../health/fromPolicies.js';
import { asComponent, type HealthComponent, type HealthStatus } from '../health/types.js';
import type { RedisStore } from './store.js';

export function healthFromStore(store: RedisStore, config: PolicyHealthConfig = {}): HealthComponent {
  const { name, kind, critical, scheduler } = parse('health-from-store', store, config);
  const states$ = store.state$.pipe(
    distinctUntilChanged(),
    map((state) => ({ status: (state === 'available' ? 'healthy' : 'degraded') as HealthStatus, details: store.stats() })),
  );
  return asComponent(reports(states$, name, kind, critical, scheduler), name, kind, critical);
}
