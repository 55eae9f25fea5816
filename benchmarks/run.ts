/**
 * `npm run bench` runs the suite behind the README table (hotPaths.bench.ts, scaling.bench.ts) in
 * one process; `npm run bench -- breaker waiters` runs the named `*.bench.ts` files instead, and
 * `npm run bench -- all` every one of them (Redis and the durable queue included). Each file
 * exports `default async () => void` and prints its own groups through the harness.
 *
 *   --json <file>   also write the run (machine, settings, every group, every table row) as JSON
 *   --markdown      print the table rows as markdown at the end
 *
 * `BENCH_ROUNDS` (default 15) and `BENCH_ROUND_MS` (default 30) set the interleaved rounds.
 * `BENCH_CLOCK=cpu|wall` picks the clock (see harness.ts): the suite, which never waits, is timed
 * by the process's CPU time by default; the named files, some of which wait on timers, fsync or
 * Redis, by the wall clock.
 * Benchmarks import the library from ../src through tsx (esbuild), as the build emits it.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { currentClock, measured, ROUND_MS, ROUNDS, useClock } from './harness.js';
import { renderTable, type RunFile } from './markdown.js';
import { rows } from './rows.js';

const SUITE = ['hotPaths.bench.ts', 'scaling.bench.ts'];

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonFile = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
if (jsonAt >= 0 && jsonFile === undefined) throw new Error('--json needs a file name');
const markdown = args.includes('--markdown');
const names = args.filter((a, i) => !a.startsWith('--') && !(jsonAt >= 0 && i === jsonAt + 1));
const every = readdirSync(here).filter((f) => f.endsWith('.bench.ts')).sort();
const files = names.length === 0 ? SUITE : names.includes('all') ? every : every.filter((f) => names.some((n) => f.startsWith(n)));
useClock(process.env.BENCH_CLOCK === 'cpu' || process.env.BENCH_CLOCK === 'wall' ? process.env.BENCH_CLOCK : files === SUITE ? 'cpu' : 'wall');
if (files.length === 0) throw new Error(`no benchmark file starts with ${names.join(', ')}; there are ${every.join(', ')}`);

const machine = {
  date: new Date().toISOString(),
  node: process.version,
  arch: process.arch,
  cpu: cpus()[0]?.model.trim() ?? 'unknown',
  cores: cpus().length,
  loadAtStart: loadavg()[0]!,
};
console.log(`node ${machine.node}, ${machine.arch}, ${machine.cpu} × ${machine.cores}, load ${machine.loadAtStart.toFixed(2)}; ${ROUNDS} interleaved rounds of ~${ROUND_MS} ms, ${currentClock()} time`);
const started = performance.now();
for (const file of files) {
  const mod = (await import(pathToFileURL(`${here}/${file}`).href)) as { default: () => Promise<void> };
  console.log(`\n=== ${file}`);
  await mod.default();
}
const run: RunFile = {
  machine: { ...machine, loadAtEnd: loadavg()[0]!, seconds: Math.round((performance.now() - started) / 1000) },
  settings: { rounds: ROUNDS, roundMs: ROUND_MS, clock: currentClock(), files },
  rows,
  groups: Object.fromEntries(measured),
};
console.log(`\n${files.length} file(s) in ${run.machine.seconds} s`);
if (jsonFile !== undefined) {
  // Relative to where `npm run bench` was typed (npm runs this script inside benchmarks/).
  const path = resolve(process.env.INIT_CWD ?? process.cwd(), jsonFile);
  writeFileSync(path, `${JSON.stringify(run, null, 2)}\n`);
  console.log(`wrote ${path}`);
}
if (markdown) console.log(`\n${renderTable(run)}`);
// A policy may keep one action scheduled until its last deadline: do not wait for it.
process.exit(0);
