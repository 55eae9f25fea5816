/**
 * docs/fp-ts.md's program (examples/fp-ts/quotes.ts, compiled with the project by tsc): the page
 * shows the file as it is, and running it prints what the page says it prints.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main, script, scriptedExchange } from '../../examples/fp-ts/quotes.js';

const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
const page = read('docs/fp-ts.md');
const blocks = (lang: string) => [...page.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);

describe('docs/fp-ts.md: the program in fp-ts style', () => {
  it('shows examples/fp-ts/quotes.ts as it is', () => {
    expect(blocks('ts')).toContain(read('examples/fp-ts/quotes.ts'));
  });

  it('prints what the page says', async () => {
    const lines: string[] = [];
    await main(scriptedExchange(script), (line) => lines.push(line));
    expect(lines.join('\n') + '\n').toBe(blocks('text')[0]);
  });
});
