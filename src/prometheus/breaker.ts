/**
 * Circuit breaker binder: outcomes, slow calls, durations, rejections and transitions pushed from
 * `events$`; state and window rates pulled from `stats()` on scrape; seconds per state counted
 * from the transitions' times and, on scrape, the snapshot's time (the breaker's own clock).
 * Every series, each legal (from, to) transition included, exists at 0 once watching starts.
 */
import type { CircuitBreaker, CircuitBreakerEvent, CircuitState } from '../index.js';
import { Binding, type Families } from './families.js';
import { BREAKER } from './names.js';


const STATES: readonly CircuitState[] = ['closed', 'open', 'half-open', 'isolated', 'disabled'];
/** 0 closed, 1 open, 2 half-open as the seeds use; then the two manual states. */
const STATE_CODE: Readonly<Record<CircuitState, number>> = { closed: 0, open: 1, 'half-open': 2, isolated: 3, disabled: 4 };
/** Label values are snake_case. */
export const stateLabel = (state: CircuitState): string => state.replace('-', '_');
/** The edges a breaker can take: the manual controls reach closed, isolated and disabled from anywhere. */
const TRANSITIONS: readonly (readonly [CircuitState, CircuitState])[] = STATES.flatMap((from) =>
  STATES.filter((to) => to !== from && (to === 'closed' || to === 'isolated' || to === 'disabled' || (from === 'closed' && to === 'open') || (from === 'open' && to === 'half-open') || (from === 'half-open' && to === 'open'))).map((to) => [from, to] as const),
);

export function bindBreaker(breaker: CircuitBreaker, families: Families): () => void {
  const b = new Binding(families, breaker.name);
  b.gauge(BREAKER.state, (set) => {
    const state = breaker.stats().state;
    for (const s of STATES) set(s === state ? 1 : 0, { state: stateLabel(s) });
  });
  b.gauge(BREAKER.stateCode, (set) => set(STATE_CODE[breaker.stats().state]));
  b.gauge(BREAKER.failureRate, (set) => set(breaker.stats().failureRate));
  b.gauge(BREAKER.slowCallRate, (set) => set(breaker.stats().slowCallRate));
  b.latency(BREAKER.latency, () => breaker.stats().latency);

  const calls = { success: b.counter(BREAKER.calls, { outcome: 'success' }), failure: b.counter(BREAKER.calls, { outcome: 'failure' }), ignored: b.counter(BREAKER.calls, { outcome: 'ignored' }), cancelled: b.counter(BREAKER.calls, { outcome: 'cancelled' }) };
  const slow = { success: b.counter(BREAKER.slowCalls, { outcome: 'success' }), failure: b.counter(BREAKER.slowCalls, { outcome: 'failure' }) };
  const duration = { success: b.histogram(BREAKER.duration, { outcome: 'success' }), failure: b.histogram(BREAKER.duration, { outcome: 'failure' }) };
  const transitions = new Map(TRANSITIONS.map(([from, to]) => [`${from}>${to}`, b.counter(BREAKER.transitions, { from: stateLabel(from), to: stateLabel(to) })]));
  const rejections = { open: b.counter(BREAKER.rejections, { state: 'open' }), 'half-open': b.counter(BREAKER.rejections, { state: 'half_open' }), isolated: b.counter(BREAKER.rejections, { state: 'isolated' }) };
  const seconds = new Map(STATES.map((s) => [s, b.counter(BREAKER.stateSeconds, { state: stateLabel(s) })]));
  // Time in the current state since `mark`, added to its series at each transition and each scrape.
  let mark = breaker.stats().at;
  const spend = (state: CircuitState, at: number) => {
    if (at > mark) seconds.get(state)?.inc((at - mark) / 1_000);
    mark = Math.max(mark, at);
  };
  b.onScrape(families.counter(BREAKER.stateSeconds), () => {
    const { state, at } = breaker.stats();
    spend(state, at);
  });

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
        spend(e.from, e.at);
        transitions.get(`${e.from}>${e.to}`)?.inc();
        break;
    }
  }));
  return () => b.release();
}
