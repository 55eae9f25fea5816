/**
 * A small, honest benchmark harness: candidates run in interleaved rounds in one process (so drift
 * hits all of them alike), each round long enough to dwarf timer resolution; the result is the
 * median ns per operation over rounds, reported as a ratio to a named baseline.
 * Benchmarks measure the wall clock on purpose; nothing here is used by the library or its tests.
 */
import { performance } from 'node:perf_hooks';

export interface Candidate {
  readonly name: string;
  /** One operation. Return a promise for async operations; it is awaited before the next. */
  readonly run: () => unknown;
}

export interface Result {
  readonly name: string;
  readonly nsPerOp: number;
  readonly ratio: number;
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 40);

async function timeBatch(run: () => unknown, n: number): Promise<number> {
  const first = run();
  const isAsync = first instanceof Promise;
  if (isAsync) await first;
  const start = performance.now();
  if (isAsync) for (let i = 0; i < n; i++) await run();
  else for (let i = 0; i < n; i++) run();
  return ((performance.now() - start) * 1e6) / n;
}

/** Median ns/op of each candidate, and its ratio to `baseline` (the first candidate by default). */
export async function compare(title: string, candidates: readonly Candidate[], baseline = candidates[0]!.name): Promise<Result[]> {
  // Calibrate: ops per round so that one round takes about ROUND_MS.
  const sizes = new Map<string, number>();
  for (const c of candidates) {
    let n = 100;
    for (;;) {
      const ns = await timeBatch(c.run, n);
      if (ns * n >= ROUND_MS * 1e6 / 4 || n >= 1 << 22) {
        sizes.set(c.name, Math.max(100, Math.round((ROUND_MS * 1e6) / ns)));
        break;
      }
      n *= 4;
    }
  }
  const samples = new Map<string, number[]>(candidates.map((c) => [c.name, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const c of candidates) samples.get(c.name)!.push(await timeBatch(c.run, sizes.get(c.name)!));
  }
  const medians = new Map([...samples].map(([name, s]) => [name, median(s)]));
  const base = medians.get(baseline)!;
  const results = candidates.map((c) => ({ name: c.name, nsPerOp: medians.get(c.name)!, ratio: medians.get(c.name)! / base }));
  print(title, results, baseline);
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

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function print(title: string, results: readonly Result[], baseline: string): void {
  console.log(`\n${title}  (ratio to ${baseline})`);
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) console.log(`  ${r.name.padEnd(width)}  ${fmt(r.nsPerOp).padStart(10)}  ${r.ratio.toFixed(2).padStart(6)}x`);
}

export function fmt(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}
