/**
 * A small, honest benchmark harness: candidates run in interleaved rounds in one process (so drift
 * hits all of them alike, and the order rotates each round), each round long enough to dwarf timer
 * resolution. Each candidate is compared with its baseline round by round: the ratio of the two
 * within one round, whose min / median / max over the rounds is what gets reported, beside the
 * median ns per operation.
 * Benchmarks measure the wall clock on purpose; nothing here is used by the library or its tests.
 */
import { performance } from 'node:perf_hooks';

export interface Candidate {
  readonly name: string;
  /** One operation. Return a promise for async operations; it is awaited before the next. */
  readonly run: () => unknown;
  /** The candidate this one is compared with; the group's baseline by default. */
  readonly vs?: string;
}

export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export interface Result {
  readonly name: string;
  /** Median ns per operation over the rounds. */
  readonly nsPerOp: number;
  readonly ns: Spread;
  /** The candidate it is compared with. */
  readonly vs: string;
  /** Median of the per-round ratios to `vs`. */
  readonly ratio: number;
  readonly ratios: Spread;
}

export const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 15));
export const ROUND_MS = Math.max(1, Number(process.env.BENCH_ROUND_MS ?? 30));

/** Every group measured in this process, by title. */
export const measured = new Map<string, Result[]>();

export type Clock = 'cpu' | 'wall';

/**
 * `cpu` times a batch by the CPU time the process spent on it (user + system, all threads, so
 * garbage collection on helper threads counts): on a shared machine a round that the OS
 * descheduled does not look slower. `wall` times it by the clock on the wall, which is what a quiet
 * machine gives too, and the only honest clock for anything that waits (a timer, an fsync, Redis).
 */
let clock: Clock = 'wall';

export function useClock(chosen: Clock): void {
  clock = chosen;
}

export function currentClock(): Clock {
  return clock;
}

/** Now in ns, on the chosen clock. */
function clockNs(): number {
  if (clock === 'wall') return performance.now() * 1e6;
  const { user, system } = process.cpuUsage();
  return (user + system) * 1e3;
}

async function timeBatch(run: () => unknown, n: number): Promise<number> {
  const first = run();
  const isAsync = first instanceof Promise;
  if (isAsync) await first;
  const start = clockNs();
  if (isAsync) for (let i = 0; i < n; i++) await run();
  else for (let i = 0; i < n; i++) run();
  return (clockNs() - start) / n;
}

/** Ops per round so that one round takes about ROUND_MS. */
async function calibrate(run: () => unknown): Promise<number> {
  for (let n = 100; ; n *= 4) {
    const ns = await timeBatch(run, n);
    if (ns * n >= (ROUND_MS * 1e6) / 4 || n >= 1 << 22) return Math.max(100, Math.round((ROUND_MS * 1e6) / ns));
  }
}

/**
 * Times every candidate in `rounds` interleaved rounds and compares each with its baseline (`vs`,
 * else `baseline`, else the first candidate) round by round. Prints the group and returns it.
 */
export async function compare(title: string, candidates: readonly Candidate[], baseline = candidates[0]!.name, rounds = ROUNDS): Promise<Result[]> {
  const sizes = new Map<string, number>();
  for (const c of candidates) sizes.set(c.name, await calibrate(c.run));
  const samples = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[(i + r) % candidates.length]!;
      samples.get(c.name)!.push(await timeBatch(c.run, sizes.get(c.name)!));
    }
  }
  const results = candidates.map((c): Result => {
    const vs = c.vs ?? baseline;
    const own = samples.get(c.name)!;
    const base = samples.get(vs);
    if (base === undefined) throw new Error(`${title}: no candidate named ${vs}`);
    const ratios = spread(own.map((ns, r) => ns / base[r]!));
    return { name: c.name, nsPerOp: spread(own).median, ns: spread(own), vs, ratio: ratios.median, ratios };
  });
  measured.set(title, results);
  print(title, results, rounds);
  return results;
}

/** Retained heap bytes per object for `count` objects built by `build` (needs --expose-gc). */
export function heapPerObject(build: () => unknown, count: number): number {
  const keep: unknown[] = new Array(count);
  const before = settledHeap();
  for (let i = 0; i < count; i++) keep[i] = build();
  const after = settledHeap();
  if (keep.length !== count) throw new Error('unreachable');
  return (after - before) / count;
}

/** Heap growth in bytes after running `op` `count` times (awaiting promises), after GC. */
export async function heapGrowth(op: () => unknown, count: number): Promise<number> {
  for (let i = 0; i < 10_000; i++) await op();
  const before = settledHeap();
  for (let i = 0; i < count; i++) {
    const r = op();
    if (r instanceof Promise) await r;
  }
  return settledHeap() - before;
}

export function settledHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage().heapUsed;
}

export function spread(values: readonly number[]): Spread {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { min: s[0]!, median: s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2, max: s.at(-1)! };
}

function print(title: string, results: readonly Result[], rounds: number): void {
  console.log(`\n${title}  (median ns/op; ratio to the named baseline: median [min–max] of ${rounds} rounds, ${clock} time)`);
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) {
    const ratio = r.vs === r.name ? '' : `${r.ratio.toFixed(2).padStart(6)}x [${r.ratios.min.toFixed(2)}–${r.ratios.max.toFixed(2)}] vs ${r.vs}`;
    console.log(`  ${r.name.padEnd(width)}  ${fmt(r.nsPerOp).padStart(10)}  ${ratio}`);
  }
}

export function fmt(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}
