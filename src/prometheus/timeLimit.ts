/** Time limit binder: calls timed out, by the limit that ran out, pushed from `events$`. */
import type { TimeLimit } from '../index.js';
import { Binding, type Families } from './families.js';
import { TIME_LIMIT } from './names.js';


export function bindTimeLimit(limit: TimeLimit, families: Families): () => void {
  const b = new Binding(families, limit.name);
  const timeouts = { duration: b.counter(TIME_LIMIT.timeouts, { limit: 'duration' }), first: b.counter(TIME_LIMIT.timeouts, { limit: 'first' }), each: b.counter(TIME_LIMIT.timeouts, { limit: 'each' }) };
  b.hold(limit.events$.subscribe((e) => timeouts[e.limit].inc()));
  b.latency(TIME_LIMIT.latency, () => limit.stats().latency);
  return () => b.release();
}
