/**
 * Runs every `*.bench.ts` in this folder (or those named on the command line) in one process.
 * Each exports `default async () => void` and prints its own table through the harness.
 * Benchmarks import the library from ../src through tsx (esbuild), as the build emits it.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

console.log(`node ${process.version}, ${process.arch}; medians of interleaved rounds`);
for (const file of files) {
  const mod = (await import(pathToFileURL(`${here}/${file}`).href)) as { default: () => Promise<void> };
  console.log(`\n=== ${file}`);
  await mod.default();
}
