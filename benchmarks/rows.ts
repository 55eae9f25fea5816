/**
 * The rows of the README's benchmark table, as the benchmarks measure them: each suite file adds
 * its rows here, `run.ts --json` writes them out with the machine they were measured on, and
 * `table.ts` renders one run as markdown and checks that several runs agree.
 */
import type { Result } from './harness.js';

export type Unit = 'x' | 'ns' | 'B' | 'B/call' | 'timers';

export interface Figure {
  readonly label: string;
  /** The headline number: a median over rounds, or a single measurement. */
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
  readonly unit: Unit;
  /** Shown after the number, e.g. the median ns behind a ratio. */
  readonly detail?: string;
}

export interface Row {
  /** Stable across runs: how `table.ts` matches rows of different runs. */
  readonly id: string;
  readonly section: 'hot paths' | 'scaling';
  readonly path: string;
  readonly ours: Figure;
  readonly peers: readonly Figure[];
  /** The target in words, e.g. `≤ 1.3×`. */
  readonly target: string;
  /** Undefined for a reference row, which has no target. */
  readonly met?: boolean;
  /** Why a missed row may still pass (e.g. within the smallest layer + 0.1×). */
  readonly note?: string;
}

export const rows: Row[] = [];

export function addRow(row: Row): void {
  rows.push(row);
}

/** A figure from a compared result: its median ratio to its baseline, with the spread. */
export function ratioOf(label: string, r: Result): Figure {
  return { label, value: r.ratio, min: r.ratios.min, max: r.ratios.max, unit: 'x', detail: nsText(r.nsPerOp) };
}

/** A figure from a compared result: its median ns per operation, with the spread. */
export function nsOf(label: string, r: Result): Figure {
  return { label, value: r.nsPerOp, min: r.ns.min, max: r.ns.max, unit: 'ns' };
}

/** The result named `name` in a group; throws when it is missing (a renamed candidate). */
export function pick(results: readonly Result[], name: string): Result {
  const found = results.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no result named ${name}`);
  return found;
}

export function nsText(ns: number): string {
  return ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`;
}
