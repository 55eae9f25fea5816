/**
 * HTTP-shaped outcomes (part of `rx-resilience/testing/arbitraries`): status codes as real
 * services return them, `Retry-After` on 429 and 503, latencies with a heavy tail, and
 * connection resets; and scenarios made of them.
 */
import fc from 'fast-check';
import type { CallCommand } from './commands.js';
import { httpCall, type HttpOutcome } from './http.js';

/** Latency: mostly fast, sometimes slow, rarely very slow (a heavy tail). */
const latencyArb = fc.oneof(
  { weight: 85, arbitrary: fc.integer({ min: 1, max: 50 }) },
  { weight: 12, arbitrary: fc.integer({ min: 51, max: 500 }) },
  { weight: 3, arbitrary: fc.integer({ min: 501, max: 5_000 }) },
);

/** One response (or reset) of an HTTP dependency. */
export function httpOutcomeArb(): fc.Arbitrary<HttpOutcome> {
  const retryAfter = fc.integer({ min: 0, max: 5 });
  return fc.oneof(
    { weight: 70, arbitrary: fc.record({ status: fc.constantFrom(200, 200, 201, 204), latency: latencyArb }) },
    { weight: 5, arbitrary: fc.record({ status: fc.constantFrom(400, 404, 409), latency: latencyArb }) },
    { weight: 6, arbitrary: fc.record({ status: fc.constant(429), latency: latencyArb, retryAfter }) },
    { weight: 8, arbitrary: fc.record({ status: fc.constantFrom(500, 502, 504), latency: latencyArb }) },
    { weight: 6, arbitrary: fc.record({ status: fc.constant(503), latency: latencyArb, retryAfter }, { requiredKeys: ['status', 'latency'] }) },
    { weight: 5, arbitrary: fc.record({ status: fc.constant(0), latency: latencyArb, reset: fc.constant(true) }) },
  );
}

/** Scenarios of HTTP calls (each attempt of a call answered as drawn) with clock advances between them. */
export function httpCommandsArb(options: { maxLength?: number; keys?: readonly string[] } = {}): fc.Arbitrary<CallCommand[]> {
  const key = options.keys === undefined || options.keys.length === 0 ? fc.constant(undefined) : fc.constantFrom(...options.keys);
  const call = fc.tuple(httpOutcomeArb(), key).map(([o, k]) => httpCall(o, k) as CallCommand);
  const advance = fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 200 }) });
  return fc.array(fc.oneof({ weight: 3, arbitrary: call }, { weight: 2, arbitrary: advance }), { maxLength: options.maxLength ?? 40 });
}
