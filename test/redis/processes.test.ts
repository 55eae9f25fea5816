/**
 * Several processes share one limiter on a real Redis. Every admission is logged with the time it
 * was sent and the time its answer came (one machine clock, Redis TIME included), so an admission
 * answered by `c` was decided by Redis in [first send, c]: the count answered by `c` is bounded by
 * what the limiter may admit from the start until `c`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis.js';

type Algorithm = 'token-bucket' | 'sliding-window' | 'fixed-window';
interface Done {
  type: 'done';
  start: number;
  admitted: [number, number][];
  rejected: number;
  failed: number;
  stats: { insured: number; remote: number };
  recoveredAt?: number;
}
type Line = { type: string; at?: number; admitted?: number; insured?: number } | Done;

const worker = fileURLToPath(new URL('./worker.ts', import.meta.url));
const children = new Set<ChildProcess>();
// Loading TypeScript in three fresh processes takes seconds on a busy machine.
const SLOW = 90_000;

/** A worker process; `lines` resolves `until(predicate)` on its output, `done` on its last line. */
function launch(setup: object) {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, JSON.stringify(setup)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
  const seen: Line[] = [];
  const waiting: { test: (l: Line) => boolean; resolve: () => void }[] = [];
  createInterface({ input: child.stdout }).on('line', (text) => {
    const line = JSON.parse(text) as Line;
    seen.push(line);
    for (const w of [...waiting]) {
      if (!w.test(line)) continue;
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    seen,
    until: (test: (l: Line) => boolean) => (seen.some(test) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ test, resolve }))),
    done: async () => {
      const code = await exit;
      expect(code, 'the worker exited cleanly').toBe(0);
      return seen.find((l): l is Done => l.type === 'done')!;
    },
  };
}

/** What the shared limiter may admit in [from, to] (the workers' limiter settings). */
function bound(algorithm: Algorithm, from: number, to: number): number {
  if (algorithm === 'token-bucket') return 20 + (100 / 1_000) * (to - from);
  if (algorithm === 'sliding-window') return 50 * (Math.floor((to - from) / 500) + 1);
  return 50 * (Math.floor(to / 500) - Math.floor(from / 500) + 1);
}

/** Admissions sent at or after `from`, answered by each answer time, against the bound; returns the largest ratio. */
function check(algorithm: Algorithm, runs: Done[], from: number): number {
  const answers = runs.flatMap((r) => r.admitted.filter(([sent]) => sent >= from).map(([, answered]) => answered)).sort((a, b) => a - b);
  let worst = 0;
  answers.forEach((answered, i) => {
    const allowed = bound(algorithm, from, answered + 1); // Date.now() floors: Redis may have decided up to 1 ms later
    expect(i + 1, `admitted by ${answered - from} ms`).toBeLessThanOrEqual(allowed);
    worst = Math.max(worst, (i + 1) / allowed);
  });
  return worst;
}

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await server.stop();
});

describe('one limiter shared by three processes on Redis', () => {
  it.each<Algorithm>(['token-bucket', 'sliding-window', 'fixed-window'])('%s: together they never admit more than the limit allows', async (algorithm) => {
    const workers = [0, 1, 2].map(() => launch({ port: server.port, prefix: `p-${algorithm}:`, limiter: algorithm, duration: 2_000, concurrency: 8, timeout: 5_000 }));
    const runs = await Promise.all(workers.map((w) => w.done()));
    for (const run of runs) expect(run).toMatchObject({ failed: 0, stats: { insured: 0 } });
    const start = Math.min(...runs.map((r) => r.start));
    const worst = check(algorithm, runs, start);
    // The test has teeth: at some instant the processes had admitted most of what the limit allows.
    expect(worst).toBeGreaterThan(0.6);
    expect(runs.every((r) => r.rejected > 0)).toBe(true);
  }, SLOW);

  it.each([['paused (SIGSTOP, SIGCONT)'], ['restarted']])('Redis %s mid-run: no crash, the insurance limiter answers, events tell, the limit holds again', async (how) => {
    const algorithm: Algorithm = 'token-bucket';
    const prefix = `outage-${how.length}:`;
    const workers = [0, 1, 2].map(() => launch({ port: server.port, prefix, limiter: algorithm, duration: 1_500, concurrency: 8, timeout: 300, after: true }));
    await Promise.all(workers.map((w) => w.until((l) => l.type === 'progress' && (l.admitted ?? 0) >= 25)));
    const insured = () => Promise.all(workers.map((w) => w.until((l) => l.type === 'progress' && (l.insured ?? 0) >= 50)));
    if (how === 'restarted') {
      await server.restart(async () => {
        await Promise.all(workers.map((w) => w.until((l) => l.type === 'store-unavailable')));
        await insured();
      });
    } else {
      server.pause();
      await Promise.all(workers.map((w) => w.until((l) => l.type === 'store-unavailable')));
      await insured();
      server.resume();
    }
    const runs = await Promise.all(workers.map((w) => w.done()));
    for (const [i, run] of runs.entries()) {
      expect(run.failed, 'no call failed with a store error').toBe(0);
      expect(run.recoveredAt).toBeGreaterThan(0);
      // Unavailable, then recovered; a busy machine may add a late answer or two (another pair).
      const events = workers[i]!.seen.filter((l) => l.type.startsWith('store-')).map((l) => l.type);
      expect(events.length % 2).toBe(0);
      events.forEach((e, j) => expect(e).toBe(j % 2 === 0 ? 'store-unavailable' : 'store-recovered'));
      expect(events.length).toBeGreaterThan(0);
    }
    // After every process is back on Redis for the last time, the shared bucket holds again.
    const back = Math.max(...runs.map((r) => r.recoveredAt!));
    expect(check(algorithm, runs, back)).toBeGreaterThan(0.5);
  }, SLOW);
});
