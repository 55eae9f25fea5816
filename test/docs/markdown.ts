/**
 * The pages of the documentation (README.md and every docs/**.md) and what the tests read from
 * them: relative links, and TypeScript blocks with their prelude (see "Docs examples" in
 * docs/contributing.md for the convention).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** README.md and every Markdown file under docs/, as paths relative to the repository. */
export function pages(): string[] {
  const under = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? under(path) : name.endsWith('.md') ? [relative(ROOT, path)] : [];
      });
  return ['README.md', ...under(join(ROOT, 'docs'))];
}

export interface Link {
  readonly page: string;
  readonly line: number;
  readonly target: string;
}

interface Fence {
  /** Index of the opening line. */
  readonly open: number;
  /** Index of the closing line. */
  readonly close: number;
  /** The info string: language and flags. */
  readonly info: string;
}

/** The fenced code blocks of a page (indented or not; a fence of N backticks closes with at least N). */
function fences(lines: readonly string[]): Fence[] {
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const marker = open[1]!;
    let close = i + 1;
    while (close < lines.length && !new RegExp(`^\\s*${marker[0]}{${marker.length},}\\s*$`).test(lines[close]!)) close++;
    out.push({ open: i, close, info: open[2]!.trim() });
    i = close;
  }
  return out;
}

/** Every relative link target of a page (outside code), anchors included. */
export function links(page: string): Link[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const code = new Set(fences(lines).flatMap((f) => Array.from({ length: f.close - f.open + 1 }, (_, k) => f.open + k)));
  const out: Link[] = [];
  lines.forEach((text, i) => {
    if (code.has(i)) return;
    for (const m of text.replace(/`[^`]*`(?!\])/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1]!;
      if (!/^[a-z]+:/i.test(target)) out.push({ page, line: i + 1, target });
    }
  });
  return out;
}

export interface Block {
  readonly page: string;
  /** Line of the opening fence. */
  readonly line: number;
  /** The `<!-- prelude … -->` just above the fence: code the reader does not see. */
  readonly prelude: string;
  readonly code: string;
  /** Marked ```ts run: also executed. */
  readonly run: boolean;
}

/** The TypeScript blocks of a page (```ts or ```typescript, optionally followed by `run`). */
export function blocks(page: string): Block[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  return fences(lines).flatMap((f) => {
    const [lang, ...flags] = f.info.split(/\s+/);
    if (lang !== 'ts' && lang !== 'typescript') return [];
    const unknown = flags.filter((flag) => flag !== 'run');
    if (unknown.length > 0) throw new Error(`${page}:${f.open + 1}: unknown flag ${unknown.join(' ')} (only "run" is known)`);
    const indent = /^\s*/.exec(lines[f.open]!)![0].length;
    const code = lines.slice(f.open + 1, f.close).map((l) => l.slice(Math.min(indent, /^\s*/.exec(l)![0].length))).join('\n');
    return [{ page, line: f.open + 1, prelude: preludeAbove(lines, f.open), code, run: flags.includes('run') }];
  });
}

/** The `<!-- prelude` … `-->` comment ending on the line just above `fence`, or ''. */
function preludeAbove(lines: readonly string[], fence: number): string {
  if (lines[fence - 1]?.trim() !== '-->') return '';
  for (let j = fence - 2; j >= 0; j--) {
    if (lines[j]!.trim() === '<!-- prelude') return lines.slice(j + 1, fence - 1).join('\n');
    if (lines[j]!.includes('<!--')) break;
  }
  return '';
}
