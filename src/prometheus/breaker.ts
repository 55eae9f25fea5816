/**
 * Circuit breaker binder: outcomes, slow calls, durations, rejections and transitions pushed from
 * `events$`; state and window rates pulled from `stats()` on scrape.
 */
import type { CircuitBreaker, CircuitBreakerEvent, CircuitState } from '../index.js';
import { Binding, type Families } from './families.js';
import { BREAKER } from './names.js';

export const metricNames: readonly string[] = Object.values(BREAKER).map((m) => m.name);

const STATES: readonly CircuitState[] = ['closed', 'open', 'half-open', 'isolated', 'disabled'];
/** 0 closed, 1 open, 2 half-open as the seeds use; then the two manual states. */
const STATE_CODE: Readonly<Record<CircuitState, number>> = { closed: 0, open: 1, 'half-open': 2, isolated: 3, disabled: 4 };

export function bindBreaker(breaker: CircuitBreaker, families: Families): () => void {
  const b = new Binding(families, breaker.name);
  b.gauge(BREAKER.state, (set) => {
    const state = breaker.stats().state;
    for (const s of STATES) set(s === state ? 1 : 0, { state: s });
  });
  b.gauge(BREAKER.stateCode, (set) => set(STATE_CODE[breaker.stats().state]));
  b.gauge(BREAKER.failureRate, (set) => set(breaker.stats().failureRate));
  b.gauge(BREAKER.slowCallRate, (set) => set(breaker.stats().slowCallRate));
  b.latency(BREAKER.latency, () => breaker.stats().latency);

  const calls = { success: b.counter(BREAKER.calls, { outcome: 'success' }), failure: b.counter(BREAKER.calls, { outcome: 'failure' }), ignored: b.counter(BREAKER.calls, { outcome: 'ignored' }), cancelled: b.counter(BREAKER.calls, { outcome: 'cancelled' }) };
  const slow = { success: b.counter(BREAKER.slowCalls, { outcome: 'success' }), failure: b.counter(BREAKER.slowCalls, { outcome: 'failure' }) };
  const duration = { success: b.histogram(BREAKER.duration, { outcome: 'success' }), failure: b.histogram(BREAKER.duration, { outcome: 'failure' }) };
  families.counter(BREAKER.transitions); // the family exists from the start; its series appear with their first transition
  const rejections = { open: b.counter(BREAKER.rejections, { state: 'open' }), 'half-open': b.counter(BREAKER.rejections, { state: 'half-open' }), isolated: b.counter(BREAKER.rejections, { state: 'isolated' }) };

  b.hold(breaker.events$.subscribe((e: CircuitBreakerEvent) => {
    switch (e.type) {
      case 'success':
      case 'failure':
        calls[e.type].inc();
        if (e.slow) slow[e.type].inc();
        // The breaker reports NaN for calls it did not time (started before anyone listened).
        if (Number.isFinite(e.duration)) duration[e.type].observe(e.duration / 1_000);
        break;
      case 'ignored':
      case 'cancelled':
        calls[e.type].inc();
        break;
      case 'rejected':
        rejections[e.state].inc();
        break;
      case 'transition':
        b.counter(BREAKER.transitions, { from: e.from, to: e.to }).inc();
        break;
    }
  }));
  return () => b.release();
}
