/**
 * Writes the README's benchmark table from one run of the suite:
 *
 *   npm run bench -- --json /tmp/run1.json        (three times: run1, run2, run3)
 *   npx tsx benchmarks/table.ts /tmp/run1.json /tmp/run2.json /tmp/run3.json
 *
 * The table comes from the first file. With more files, the runs must agree row by row (the same
 * verdict; headline numbers within 20 % or within each other's spread over rounds) or nothing is
 * written and the rows that differ are listed;
 * `--force` writes anyway. `--print` prints the section instead of writing README.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { disagreements, renderTable, replaceSection, type RunFile } from './markdown.js';

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  console.error('usage: tsx benchmarks/table.ts [--print] [--force] run.json [more runs.json ...]');
  process.exit(2);
}
const runs = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as RunFile);
const problems = runs.length > 1 ? disagreements(runs) : [];
for (const p of problems) console.error(`runs disagree: ${p}`);
if (problems.length > 0 && !args.includes('--force')) {
  console.error('nothing written: rerun until the runs agree (or pass --force)');
  process.exit(1);
}
const table = renderTable(runs[0]!, problems.length === 0 ? runs.length - 1 : 0);
if (args.includes('--print')) {
  console.log(table);
} else {
  const readme = join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
  writeFileSync(readme, replaceSection(readFileSync(readme, 'utf8'), table));
  console.log(`README.md: table written from ${files[0]}${runs.length > 1 ? `, ${runs.length} runs agree` : ' (one run: not checked against others)'}`);
}
