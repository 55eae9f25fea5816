/**
 * The soak benchmark's checks on a short run (the benchmark runs 10^6 calls): no leaked slot,
 * queue place, waiter or timer, and the experiment's report equal to the callers' own counts.
 */
import { describe, expect, it } from 'vitest';
import { checkSoak, soak } from '../../benchmarks/soak.bench.js';

describe('soak (short)', () => {
  it('leaks nothing, and the report agrees with the callers', async () => {
    const r = await soak(20_000);
    expect(() => checkSoak(r)).not.toThrow();
    expect(r.report.injections.total).toBeGreaterThan(200);
    expect(r.report.calls.errors).toBeGreaterThan(0);
    expect(r.report.breakers[0]!.transitions.length).toBeGreaterThan(0);
    expect(r.heapMb).toHaveLength(10);
  });
});
