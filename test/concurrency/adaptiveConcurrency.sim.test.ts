/**
 * Simulation on virtual time: a dependency whose latency is flat (100 ms) up to a knee of K
 * concurrent calls and grows linearly beyond it (100 · n / K ms for n > K, like K workers shared by
 * n calls), driven by closed-loop clients (each sends its next call when the last ends, or 10 ms
 * after a rejection). The limit must settle near K under overload and recover when load or latency
 * goes back to normal.
 */
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { adaptiveConcurrency, type AdaptiveConcurrencyConfig } from 'rx-resilience';
import { scriptedService, watchBulkheadLaws, type ScriptedService, type ScriptStep } from 'rx-resilience/testing';

const BASE = 100;

interface Phase {
  /** Phase end, ms of virtual time. */
  readonly until: number;
  readonly clients: number;
  readonly knee: number;
}

interface PhaseReport {
  /** The limit every 500 ms over the second half of the phase. */
  readonly limits: number[];
  /** Rejections, and the slowest successful call, over the second half. */
  readonly rejected: number;
  readonly maxRtt: number;
}

function simulate(config: AdaptiveConcurrencyConfig, phases: readonly Phase[]): PhaseReport[] {
  const scheduler = new VirtualTimeScheduler();
  const policy = adaptiveConcurrency({ maxLimit: 200, ...config, scheduler });
  const laws = watchBulkheadLaws(policy);
  let phase = phases[0]!;
  const service: ScriptedService<number> = scriptedService<number>((i): ScriptStep<number> => ({ ok: i, after: Math.round(BASE * Math.max(1, service.active / phase.knee)) }), scheduler);
  let started = 0;
  const startClients = (n: number) => {
    for (; started < n; started++) {
      const id = started;
      const loop = (): void => {
        if (id >= phase.clients) {
          if (started > id) started = id; // this client leaves; it may be started again later
          return;
        }
        service.call().pipe(laws.probe, policy).subscribe({ complete: loop, error: () => void scheduler.schedule(loop, 10) });
      };
      scheduler.schedule(loop, (id % 60) * 100); // ramp up: a new client every 100 ms
    }
  };
  let secondHalf = false;
  let rejected = 0;
  let maxRtt = 0;
  policy.events$.subscribe((e) => {
    if (!secondHalf) return;
    if (e.type === 'rejected') rejected++;
    if (e.type === 'released' && e.outcome === 'success') maxRtt = Math.max(maxRtt, e.duration ?? Infinity);
  });
  const reports: PhaseReport[] = [];
  let from = 0;
  for (phase of phases) {
    startClients(phase.clients);
    const limits: number[] = [];
    const half = from + (phase.until - from) / 2;
    rejected = 0;
    maxRtt = 0;
    for (let t = from + 500; t <= phase.until; t += 500) {
      secondHalf = t > half;
      scheduler.maxFrames = t;
      scheduler.flush();
      if (secondHalf) limits.push(policy.stats().limit);
    }
    reports.push({ limits, rejected, maxRtt });
    from = phase.until;
  }
  laws.stop();
  expect(laws.violations).toEqual([]);
  return reports;
}

const K = 20;
const overload = (until: number, knee = K): Phase => ({ until, clients: 3 * K, knee });
const light = (until: number): Phase => ({ until, clients: 8, knee: K });
/** AIMD sees latency only through its timeout: 2% above the flat latency finds the knee. */
const aimd = { kind: 'aimd', timeout: 102 } as const;

describe('adaptiveConcurrency simulation', () => {
  // Tolerances: Vegas settles where its queue estimate n − K lies in [alpha, beta] = [3, 6];
  // Gradient2 where gradient · L + queueSize = L, i.e. L = K + 4; AIMD saw-tooths between
  // ~0.9·(K+1) and K+1.
  const cases = [
    { algorithm: 'vegas' as const, band: [K, K + 8] },
    { algorithm: 'gradient2' as const, band: [K, K + 8] },
    { algorithm: aimd, band: [K - 4, K + 2] },
  ];

  it.each(cases)('$algorithm converges near the knee from below, then serves a light load without rejections', ({ algorithm, band }) => {
    const [loaded, relieved] = simulate({ algorithm, initialLimit: 5 }, [overload(60_000), light(90_000)]);
    expect(Math.min(...loaded!.limits)).toBeGreaterThanOrEqual(band[0]!);
    expect(Math.max(...loaded!.limits)).toBeLessThanOrEqual(band[1]!);
    expect(loaded!.rejected).toBeGreaterThan(0); // the limit did bind
    expect(relieved!.rejected).toBe(0);
    expect(relieved!.maxRtt).toBe(BASE); // latency flat again
    expect(Math.min(...relieved!.limits)).toBeGreaterThanOrEqual(8);
  });

  it.each(cases.filter((c) => c.algorithm !== 'gradient2'))('$algorithm comes down to the knee from a limit far above it', ({ algorithm, band }) => {
    // Vegas comes down by log10(limit) = 1 per window (about a second): give it 90 s.
    const [loaded] = simulate({ algorithm, initialLimit: 60 }, [overload(90_000)]);
    expect(Math.min(...loaded!.limits)).toBeGreaterThanOrEqual(band[0]!);
    expect(Math.max(...loaded!.limits)).toBeLessThanOrEqual(band[1]!);
  });

  it.each(cases)('$algorithm follows the knee down when the dependency slows, and recovers when it is fast again', ({ algorithm, band }) => {
    const slow = K / 2;
    const [before, slowed, recovered] = simulate({ algorithm, initialLimit: 5 }, [overload(60_000), overload(120_000, slow), overload(180_000)]);
    expect(Math.max(...before!.limits)).toBeLessThanOrEqual(band[1]!);
    expect(Math.min(...slowed!.limits)).toBeGreaterThanOrEqual(band[0]! - K + slow);
    expect(Math.max(...slowed!.limits)).toBeLessThanOrEqual(band[1]! - K + slow);
    expect(Math.min(...recovered!.limits)).toBeGreaterThanOrEqual(band[0]!);
    expect(Math.max(...recovered!.limits)).toBeLessThanOrEqual(band[1]!);
  });
});
