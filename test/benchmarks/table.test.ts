import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { disagreements, END, renderTable, replaceSection, START, type RunFile } from '../../benchmarks/markdown.js';
import type { Row } from '../../benchmarks/rows.js';

const row = (id: string, value: number, met: boolean | undefined, section: Row['section'] = 'hot paths'): Row => ({
  id,
  section,
  path: `path ${id}`,
  ours: { label: 'rx-resilience', value, min: value * 0.9, max: value * 1.1, unit: 'x', detail: '300 ns' },
  peers: [{ label: 'peer', value: 2, unit: 'x' }],
  target: '≤ 1.3×',
  ...(met === undefined ? {} : { met }),
});

const run = (rows: Row[]): RunFile => ({
  machine: { date: '2026-01-02T03:04:05Z', node: 'v20.0.0', arch: 'x64', cpu: 'CPU', cores: 2, loadAtStart: 1, loadAtEnd: 2, seconds: 90 },
  settings: { rounds: 15, roundMs: 30, clock: 'cpu', files: ['hotPaths.bench.ts'] },
  rows,
  groups: {},
});

describe('the benchmark table', () => {
  it('renders one row per measure between the markers, with the spread, the verdict and the settings', () => {
    const table = renderTable(run([row('a', 1.2, true), row('b', 1.5, false), row('c', 0.9, undefined), row('s', 1.1, true, 'scaling')]), 2);
    expect(table.startsWith(START)).toBe(true);
    expect(table.endsWith(END)).toBe(true);
    expect(table).toContain('| path a | **1.20×** [1.08–1.32] (300 ns) | peer 2.00× | ≤ 1.3×: met |');
    expect(table).toContain('| path b | **1.50×** [1.35–1.65] (300 ns) | peer 2.00× | ≤ 1.3×: missed |');
    expect(table).toContain('| path s | **1.10×** [0.99–1.21] (300 ns) | ≤ 1.3×: met |');
    expect(table).toContain('15 interleaved rounds');
    expect(table).toContain("the process's CPU time");
    expect(table).toContain('This run agreed with 2 other runs');
  });

  it('runs agree when verdicts match and headline numbers are within 20 % (or the slack)', () => {
    expect(disagreements([run([row('a', 1.2, true)]), run([row('a', 1.25, true)]), run([row('a', 1.15, true)])])).toEqual([]);
    expect(disagreements([run([row('a', 0.2, true)]), run([row('a', 0.28, true)])])).toEqual([]); // 40 % apart, but within 0.1×
    // 25 % apart, but each inside the other's spread over rounds.
    const wide = (value: number): Row => ({ ...row('a', value, false), ours: { label: 'rx-resilience', value, min: 1, max: 4, unit: 'x' } });
    expect(disagreements([run([wide(2)]), run([wide(2.5)])])).toEqual([]);
  });

  it('runs disagree on a different verdict, a number more than 20 % away, or a missing row', () => {
    expect(disagreements([run([row('a', 1.25, true)]), run([row('a', 1.35, false)])])).toEqual([expect.stringContaining('a: met in some runs only')]);
    const narrow = (value: number): Row => ({ ...row('a', value, false), ours: { label: 'rx-resilience', value, min: value * 0.95, max: value * 1.05, unit: 'x' } });
    expect(disagreements([run([narrow(2)]), run([narrow(2.6)])])).toEqual([expect.stringContaining('differ by more than 20 %')]);
    expect(disagreements([run([row('a', 2, false)]), run([])])).toEqual(['a: missing from a run']);
  });

  it('replaces only the section between the markers, and needs them', () => {
    const readme = `# title\n\nbefore\n${START}\nold table\n${END}\nafter\n`;
    expect(replaceSection(readme, `${START}\nnew\n${END}`)).toBe(`# title\n\nbefore\n${START}\nnew\n${END}\nafter\n`);
    expect(() => replaceSection('# no markers', 'x')).toThrow(/no section between/);
  });

  it('the README has the markers once each, in order', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme.split(START)).toHaveLength(2);
    expect(readme.split(END)).toHaveLength(2);
    expect(readme.indexOf(START)).toBeLessThan(readme.indexOf(END));
  });
});
