/**
 * Policy stats for `/events`: one `stats` event per policy when it starts and after its events,
 * at most `maxRate` per second per policy (the first at once, the last of a burst at the end of
 * the interval), so a busy policy cannot flood a browser; and, unthrottled, every breaker
 * transition as a `breaker` event, so a timeline never misses a brief half-open.
 */
import { defer, filter, map, merge, startWith, throttleTime, type Observable, type SchedulerLike } from 'rxjs';
import { policyKind } from '../registry/kind.js';
import type { Check } from '../internal/validate.js';
import type { SseMessage } from './eventStream.js';

/** What `/events` reads of a policy: its name, its events and, when it has one, `stats()`. */
export interface StreamedPolicy {
  readonly name: string;
  readonly events$: Observable<{ readonly type: string }>;
  stats?(): unknown;
}

/** Checks `policies` (an array of policies with `name` and `events$`; a pipeline stands for its parts). */
export function parsePolicies(check: Check, value: unknown): readonly StreamedPolicy[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) return check.fail('policies', value, 'an array of policies');
  value.forEach((p: Partial<StreamedPolicy> | null, i) => {
    if (policyKind(p) === 'pipeline') return;
    if (typeof p?.name !== 'string' || typeof p.events$?.subscribe !== 'function') check.fail(`policies.${i}`, p, 'a policy with a name and events$ (or a pipeline)');
  });
  return (value as StreamedPolicy[]).flatMap((p) => (policyKind(p) === 'pipeline' ? Object.values((p as unknown as { parts: Record<string, StreamedPolicy> }).parts) : [p]));
}

export function policyMessages(policies: readonly StreamedPolicy[], maxRate: number, scheduler: SchedulerLike): Observable<SseMessage> {
  return merge(...policies.map((policy) => defer(() => one(policy, maxRate, scheduler))));
}

function one(policy: StreamedPolicy, maxRate: number, scheduler: SchedulerLike): Observable<SseMessage> {
  const kind = policyKind(policy) ?? 'policy';
  // Retry and time limit keep no totals in stats() (only their name, and latency when kept): they
  // are shown with what their events counted since, as is a policy without stats().
  const counts: Record<string, number> = {};
  const own = typeof policy.stats === 'function' ? () => policy.stats!() : undefined;
  const counted = own === undefined || kind === 'retry' || kind === 'time-limit';
  const snapshot = counted ? () => ({ ...(own?.() as object | undefined), ...counts }) : own!;
  const events$ = policy.events$;
  const stats$ = events$.pipe(
    map((e) => {
      counts[e.type] = (counts[e.type] ?? 0) + 1;
      if ('reason' in e && typeof e.reason === 'string') counts[`${e.type}:${e.reason}`] = (counts[`${e.type}:${e.reason}`] ?? 0) + 1;
      return undefined;
    }),
    startWith(undefined),
    throttleTime(1_000 / maxRate, scheduler, { leading: true, trailing: true }),
    map((): SseMessage => ({ event: 'stats', state: `stats:${policy.name}`, data: { policy: policy.name, kind, stats: snapshot() } })),
  );
  if (kind !== 'circuit-breaker') return stats$;
  const transitions$ = events$.pipe(
    filter((e): e is { type: 'transition'; from: string; to: string; at: number } => e.type === 'transition'),
    map(({ from, to, at }): SseMessage => ({ event: 'breaker', data: { policy: policy.name, from, to, at } })),
  );
  return merge(transitions$, stats$);
}
