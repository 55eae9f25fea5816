/**
 * Retry binders: a retry policy's calls, retries and give-ups pushed from `events$`; a retry
 * budget's available retries pulled on scrape, its granted and refused retries kept in step with
 * its own totals on scrape (a budget has no events).
 */
import type { RetryBackoff, RetryBackoffEvent, RetryBudget } from '../index.js';
import { Binding, type Families } from './families.js';
import { RETRY } from './names.js';


const REASONS = ['max-attempts', 'max-elapsed', 'max-delay', 'not-retryable', 'budget'] as const;

export function bindRetry(retry: RetryBackoff, families: Families): () => void {
  const b = new Binding(families, retry.name);
  const outcome = (o: string) => b.counter(RETRY.calls, { outcome: o });
  const calls = {
    successWithout: outcome('successful_without_retry'),
    successWith: outcome('successful_with_retry'),
    failedWithout: outcome('failed_without_retry'),
    failedWith: outcome('failed_with_retry'),
  };
  const retries = b.counter(RETRY.retries);
  b.latency(RETRY.latency, () => retry.stats().latency);
  // Label values are snake_case: `max_attempts` for the reason `max-attempts`.
  const giveUps = Object.fromEntries(REASONS.map((r) => [r, b.counter(RETRY.giveUps, { reason: r.replaceAll('-', '_') })]));
  b.hold(retry.events$.subscribe((e: RetryBackoffEvent) => {
    switch (e.type) {
      case 'retry':
        retries.inc();
        break;
      case 'success':
        (e.attempts > 1 ? calls.successWith : calls.successWithout).inc();
        break;
      case 'give-up':
        (e.attempts > 1 ? calls.failedWith : calls.failedWithout).inc();
        giveUps[e.reason]?.inc();
        break;
    }
  }));
  return () => b.release();
}

export function bindRetryBudget(budget: RetryBudget, families: Families): () => void {
  const b = new Binding(families, budget.name);
  b.gauge(RETRY.budgetAvailable, (set) => set(budget.stats().available));
  b.counterFrom(RETRY.budgetRetries, { result: 'granted' }, () => budget.stats().granted);
  b.counterFrom(RETRY.budgetRetries, { result: 'refused' }, () => budget.stats().refused);
  return () => b.release();
}
