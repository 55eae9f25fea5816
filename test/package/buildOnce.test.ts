/**
 * Every example builds its policies once: a policy factory called inside `.pipe(…)` runs per call
 * and protects nothing (a fresh breaker has no history, a fresh bulkhead fresh slots). Scans the
 * TypeScript blocks of README.md and docs/*.md, and examples/*.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);
const FACTORIES = [
  'circuitBreaker', 'retryBackoff', 'retryBudget', 'timeLimit', 'bulkhead', 'adaptiveConcurrency', 'tokenBucket', 'slidingWindow',
  'fixedWindow', 'adaptiveRateLimit', 'adaptiveThrottle', 'cache', 'fallback', 'fallbackLadder', 'hedge', 'pipeline',
];
const FACTORY_CALL = new RegExp(`(?<![\\w.])(${FACTORIES.join('|')})\\(`);

/** The argument text of every `.pipe(…)` call in `code` (parentheses balanced), with its line. */
function pipeArguments(code: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  for (const match of code.matchAll(/\.pipe\(/g)) {
    let depth = 1;
    let i = match.index + match[0].length;
    for (; i < code.length && depth > 0; i++) depth += code[i] === '(' ? 1 : code[i] === ')' ? -1 : 0;
    out.push({ line: code.slice(0, match.index).split('\n').length, text: code.slice(match.index + match[0].length, i - 1) });
  }
  return out;
}

/** `file:line: text` for every factory called inside a `.pipe(…)`. */
function builtPerCall(file: string, code: string): string[] {
  return pipeArguments(code)
    .filter(({ text }) => FACTORY_CALL.test(text))
    .map(({ line, text }) => `${file}:${line}: .pipe(${text.replace(/\s+/g, ' ').slice(0, 100)})`);
}

function typeScriptBlocks(markdown: string): string {
  // keep line numbers: blank out everything outside ```ts blocks
  let inside = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^```/.test(line)) {
        inside = !inside && /^```(ts|typescript)\b/.test(line);
        return '';
      }
      return inside ? line : '';
    })
    .join('\n');
}

const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');

describe('examples build their policies once', () => {
  it('the scan finds a factory called inside pipe (the old README demo line)', () => {
    const old = "attempt().pipe(timeLimit({ duration: 400 }), breaker, retryBackoff({ maxAttempts: 3 }), bulkhead({ maxConcurrent: 8 }))";
    expect(builtPerCall('x', old)).toHaveLength(1);
    expect(builtPerCall('x', 'source.pipe(breaker, map((x) => x), upstream.forKey(key))')).toEqual([]);
    expect(builtPerCall('x', 'source.pipe(pool.withPriority(1), limiter.forKey(cache(1)))')).toHaveLength(1);
  });

  it('README.md and every page of docs/ build policies outside pipe', () => {
    const pages = ['README.md', ...readdirSync(new URL('docs/', ROOT)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    expect(pages.length).toBeGreaterThan(10);
    expect(pages.flatMap((page) => builtPerCall(page, typeScriptBlocks(read(page))))).toEqual([]);
  });

  it('every example builds policies outside pipe', () => {
    const examples = readdirSync(new URL('examples/', ROOT)).filter((f) => f.endsWith('.ts')).map((f) => `examples/${f}`);
    expect(examples).toContain('examples/demo.ts');
    expect(examples.flatMap((file) => builtPerCall(file, read(file)))).toEqual([]);
  });
});
