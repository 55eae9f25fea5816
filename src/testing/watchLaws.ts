/**
 * `watchLaws(pipeline)`: checks the laws of every policy of a composed pipeline from the outside.
 * Each policy is watched through its public streams (`events$`, `state$`, `stats()`) and judged
 * against its own resolved settings, which the library stamps on it; the calls that reach the
 * dependency are watched through the scripted service's `activity$`. Nothing is piped into the
 * pipeline: production code needs no probe.
 *
 * A law that depends on where the policy sits (a breaker's "no call while open" does not hold at
 * the dependency when a retry or a queue sits inside the breaker) reads the order of the parts:
 * an array lists them as `pipe()` does, innermost first. Such a law is skipped, with the reason
 * in `skipped`, when a part inside the policy makes it unobservable from the dependency.
 */
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { cacheLaw, hedgeLaw, limiterLaw, poolLaw } from './capacityLaws.js';
import { policiesOf, type WatchedPolicy } from './policies.js';
import { breakerLaw, retryLaw, timeLimitLaw } from './policyLaws.js';
import type { Law, LawFactory } from './lawTypes.js';
import type { ScriptedService } from './scriptedService.js';

const LAWS: Readonly<Record<string, LawFactory>> = {
  'circuit-breaker': breakerLaw,
  retry: retryLaw,
  'time-limit': timeLimitLaw,
  bulkhead: poolLaw,
  'adaptive-concurrency': poolLaw,
  'rate-limiter': limiterLaw,
  hedge: hedgeLaw,
  cache: cacheLaw,
};

export interface WatchLawsOptions {
  /** The dependency the pipeline calls: its calls are checked against the laws. */
  readonly service?: Pick<ScriptedService<unknown>, 'activity$' | 'calls'>;
  /** The clock of the policies (default: `asyncScheduler`, which a `TestScheduler.run` drives). */
  readonly scheduler?: SchedulerLike;
}

export interface PipelineLawWatcher {
  /** Every violation so far, as `name: sentence`. */
  readonly violations: readonly string[];
  /** The laws not checked, as `name: law (reason)`. */
  readonly skipped: readonly string[];
  /** The policies watched, innermost first when the order is known. */
  readonly policies: readonly WatchedPolicy[];
  /** Runs `subscribe` as the start of scenario call `tag` (what `runScenario` does for each call). */
  subscribing<R>(tag: unknown, subscribe: () => R): R;
  /** Runs the end-of-scenario checks (once) and stops watching. */
  stop(): void;
}

/**
 * Watches every policy of `target`: a policy, an array of policies in `pipe()` order (innermost
 * first), or anything exposing its `parts`. Policies of kinds without laws are watched for nothing.
 */
export function watchLaws(target: unknown, options: WatchLawsOptions = {}): PipelineLawWatcher {
  const scheduler = options.scheduler ?? asyncScheduler;
  const policies = policiesOf(target);
  const violations: string[] = [];
  const skipped: string[] = [];
  let current: unknown;
  const laws = policies.map((policy, i) => {
    const law = LAWS[policy.kind];
    if (law === undefined) return undefined;
    return law(policy, {
      now: () => scheduler.now(),
      report: (message) => violations.push(`${policy.name}: ${message}`),
      skip: (name, reason) => skipped.push(`${policy.name}: ${name} (${reason})`),
      inner: policies.slice(0, i),
      calls: () => options.service?.calls ?? [],
      subscribing: () => current,
    });
  }).filter((law): law is Law => law !== undefined);
  const upstream = options.service?.activity$.subscribe((a) => {
    for (const law of laws) law[a.type]?.(a.call);
  });
  let stopped = false;
  return {
    violations,
    skipped,
    policies,
    subscribing(tag, subscribe) {
      const previous = current;
      current = tag;
      try {
        return subscribe();
      } finally {
        current = previous;
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      for (const law of laws) law.finish?.();
      upstream?.unsubscribe();
      for (const law of laws) for (const s of law.subscriptions) s.unsubscribe();
    },
  };
}
