/**
 * The layout rule (README, "Layout"): one folder per area; imports between areas go one way,
 * along the edges listed here; the kernel (`internal/`) imports nothing but itself and
 * `errors.ts`; the testing kit, the Prometheus exporter use only the public entry.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Which areas each area may import (besides itself). `index` is the root entry, `errors` src/errors.ts. */
const POLICY = ['internal', 'errors'];
const ALLOWED: Record<string, readonly string[]> = {
  internal: ['errors'],
  backoff: POLICY,
  breaker: POLICY,
  bulkhead: POLICY,
  cache: POLICY,
  hedge: POLICY,
  rate: POLICY,
  time: POLICY,
  chaos: POLICY,
  retry: [...POLICY, 'backoff'],
  // Adaptive concurrency is a bulkhead whose limit moves: it runs on the bulkhead's slot pool.
  concurrency: [...POLICY, 'bulkhead'],
  // The fallback ladder reads a cache through the cache's `CacheStore` port.
  fallback: [...POLICY, 'cache'],
  queue: [...POLICY, 'backoff'],
  // A pipeline composes built policies: it names their types, and reads their kinds from descriptors.
  pipeline: [...POLICY, 'breaker', 'bulkhead', 'cache', 'concurrency', 'fallback', 'hedge', 'rate', 'retry', 'time'],
  health: [...POLICY, 'breaker', 'bulkhead', 'time'],
  // The registry builds the config file's policies, and types `get(name, kind)` by every policy's type.
  registry: [...POLICY, 'backoff', 'breaker', 'bulkhead', 'cache', 'chaos', 'concurrency', 'fallback', 'hedge', 'pipeline', 'rate', 'retry', 'time'],
  config: ['registry'],
  http: [...POLICY, 'health', 'registry'],
  'file-store': ['queue'],
  redis: ['internal', 'health', 'index'],
  // The exporter reaches policies through the public entry; its config is checked by the kernel's checker.
  prometheus: ['index', 'internal'],
  testing: ['index'],
  // The fp-ts adapters reach policies through the public entry, like any user.
  'fp-ts': ['index'],
  // The root entry re-exports the kernel's `FailureJudge` type, shared by every judging policy.
  index: ['errors', 'internal', 'backoff', 'breaker', 'bulkhead', 'cache', 'chaos', 'concurrency', 'fallback', 'health', 'hedge', 'pipeline', 'queue', 'rate', 'registry', 'retry', 'time'],
  errors: [],
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

/** The area of a file under src/: its first folder, or the file name for a file at the root. */
function areaOf(file: string): string {
  const parts = relative(SRC, file).split(sep);
  return parts.length > 1 ? parts[0]! : parts[0]!.replace(/\.ts$/, '');
}

interface Edge {
  readonly from: string;
  readonly to: string;
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => normalize(join(dirname(file), (m[1] ?? m[2])!.replace(/\.js$/, '.ts'))));
}

const files = filesUnder(SRC);
const edges: Edge[] = files.flatMap((file) => importsOf(file).map((to) => ({ from: file, to })));

function cycles(graph: Map<string, Set<string>>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...path.slice(path.indexOf(next)), next]);
      else if (state.get(next) === undefined) visit(next);
    }
    path.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return found;
}

describe('source layout', () => {
  it('finds the imports it checks', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(300);
    for (const { to } of edges) expect(files, `${to} exists`).toContain(to);
  });

  it('every folder under src/ is a known area', () => {
    expect([...new Set(files.map(areaOf))].filter((area) => ALLOWED[area] === undefined)).toEqual([]);
  });

  it('areas import other areas only along the allowed edges', () => {
    const wrong = edges
      .filter(({ from, to }) => areaOf(from) !== areaOf(to) && !ALLOWED[areaOf(from)]!.includes(areaOf(to)))
      .map(({ from, to }) => `${relative(SRC, from)} -> ${relative(SRC, to)}`);
    expect(wrong).toEqual([]);
  });

  it('the kernel imports nothing outside internal/ but errors.ts', () => {
    const wrong = edges.filter(({ from, to }) => areaOf(from) === 'internal' && !['internal', 'errors'].includes(areaOf(to)));
    expect(wrong).toEqual([]);
  });

  it('the testing kit imports only the public entry', () => {
    const wrong = edges.filter(({ from, to }) => areaOf(from) === 'testing' && areaOf(to) !== 'testing' && relative(SRC, to) !== 'index.ts');
    expect(wrong).toEqual([]);
  });

  it('has no import cycle between areas', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges) {
      if (areaOf(from) === areaOf(to)) continue;
      const out = graph.get(areaOf(from)) ?? new Set<string>();
      graph.set(areaOf(from), out.add(areaOf(to)));
    }
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const graph = new Map<string, Set<string>>();
    for (const { from, to } of edges) graph.set(relative(SRC, from), (graph.get(relative(SRC, from)) ?? new Set<string>()).add(relative(SRC, to)));
    expect(cycles(graph)).toEqual([]);
  });

  it('the cycle check finds a cycle', () => {
    const graph = new Map([['a', new Set(['b'])], ['b', new Set(['c'])], ['c', new Set(['a'])]]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });
});
