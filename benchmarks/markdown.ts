/**
 * One run of the suite as the README's markdown table, and the check that several runs agree.
 */
import type { Result } from './harness.js';
import { nsText, type Figure, type Row } from './rows.js';

export interface RunFile {
  readonly machine: {
    readonly date: string;
    readonly node: string;
    readonly arch: string;
    readonly cpu: string;
    readonly cores: number;
    readonly loadAtStart: number;
    readonly loadAtEnd: number;
    readonly seconds: number;
  };
  readonly settings: { readonly rounds: number; readonly roundMs: number; readonly clock: 'cpu' | 'wall'; readonly files: readonly string[] };
  readonly rows: readonly Row[];
  readonly groups: Readonly<Record<string, readonly Result[]>>;
}

export const START = '<!-- bench:start (written by benchmarks/table.ts from one run; edit the script, not this table) -->';
export const END = '<!-- bench:end -->';

function value(f: Figure): string {
  switch (f.unit) {
    case 'x':
      return `${f.value.toFixed(2)}×`;
    case 'ns':
      return nsText(f.value);
    case 'B':
      return `${f.value.toFixed(0)} B`;
    case 'B/call':
      return `${f.value.toFixed(2)} B/call`;
    case 'timers':
      return String(f.value);
  }
}

function range(f: Figure): string {
  if (f.min === undefined || f.max === undefined) return '';
  return f.unit === 'x' ? ` [${f.min.toFixed(2)}–${f.max.toFixed(2)}]` : ` [${nsText(f.min)}–${nsText(f.max)}]`;
}

function figure(f: Figure, bold: boolean): string {
  const v = bold ? `**${value(f)}**` : value(f);
  return `${v}${range(f)}${f.detail === undefined ? '' : ` (${f.detail})`}`;
}

function verdict(row: Row): string {
  if (row.met === undefined) return row.target;
  return `${row.target}: ${row.met ? 'met' : 'missed'}${row.note === undefined ? '' : ` (${row.note})`}`;
}

/** The table section between the markers: how it was measured, then one table per section. */
export function renderTable(run: RunFile, agreedWith = 0): string {
  const m = run.machine;
  const lines = [
    START,
    `Measured ${m.date.slice(0, 10)} with \`npm run bench\` (${run.settings.files.join(', ')}): node ${m.node} on ${m.cpu}, ${m.cores} cores,`,
    `load average ${m.loadAtStart.toFixed(1)} at the start and ${m.loadAtEnd.toFixed(1)} at the end (the machine is shared), ${m.seconds} s in all.`,
    `Each group ran ${run.settings.rounds} interleaved rounds (a scaling pair twice as many) of about ${run.settings.roundMs} ms per candidate, timed by ${run.settings.clock === 'cpu' ? "the process's CPU time" : 'the wall clock'}; a ratio is the median of the`,
    `per-round ratios [min–max], with the median time per call in parentheses.${agreedWith > 0 ? ` This run agreed with ${agreedWith} other run${agreedWith > 1 ? 's' : ''} (the rule above).` : ''}`,
    '',
  ];
  for (const section of ['hot paths', 'scaling'] as const) {
    const rows = run.rows.filter((r) => r.section === section);
    if (rows.length === 0) continue;
    lines.push(section === 'hot paths' ? '| path | rx-resilience | peers | target |' : '| scaling (large × small) | cost ratio [min–max] (large case per call) | target |');
    lines.push(section === 'hot paths' ? '| --- | --- | --- | --- |' : '| --- | --- | --- |');
    for (const row of rows) {
      const peers = row.peers.map((p) => `${p.label} ${figure(p, false)}`).join('; ') || '—';
      lines.push(section === 'hot paths' ? `| ${row.path} | ${figure(row.ours, true)} | ${peers} | ${verdict(row)} |` : `| ${row.path} | ${figure(row.ours, true)} | ${verdict(row)} |`);
    }
    lines.push('');
  }
  lines.push(END);
  return lines.join('\n');
}

/** How far apart two headline numbers may be, beyond 20 %, for runs to agree. */
const SLACK: Record<Figure['unit'], number> = { x: 0.1, ns: 50, B: 64, 'B/call': 1, timers: 5 };

/** True when every run's headline lies within the [min–max] of every other run (only figures with a spread). */
function withinSpreads(figures: readonly Figure[]): boolean {
  return figures.every((f) => f.min !== undefined && f.max !== undefined && figures.every((g) => g.value >= f.min! && g.value <= f.max!));
}

/**
 * Rows on which the runs disagree: a different verdict, or headline numbers more than 20 % (and
 * the slack) apart that do not lie within each other's spread over rounds either.
 */
export function disagreements(runs: readonly RunFile[]): string[] {
  const problems: string[] = [];
  for (const row of runs[0]!.rows) {
    const same = runs.map((run) => run.rows.find((r) => r.id === row.id));
    if (same.some((r) => r === undefined)) {
      problems.push(`${row.id}: missing from a run`);
      continue;
    }
    const figures = same.map((r) => r!.ours);
    const values = figures.map((f) => f.value);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const close = hi <= lo * 1.2 || hi - lo <= SLACK[row.ours.unit] || withinSpreads(figures);
    if (new Set(same.map((r) => r!.met)).size > 1) problems.push(`${row.id}: met in some runs only (${values.map((v) => v.toFixed(2)).join(', ')})`);
    else if (!close) problems.push(`${row.id}: ${values.map((v) => v.toFixed(2)).join(', ')} differ by more than 20 % and lie outside each other's spread`);
  }
  return problems;
}

/** `readme` with the section between the markers replaced by `table`. */
export function replaceSection(readme: string, table: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the README has no section between ${START} and ${END}`);
  return readme.slice(0, start) + table + readme.slice(end + END.length);
}
