/**
 * Every TypeScript block of README.md and docs/**.md compiles, and the ones marked ```ts run
 * also run, so an example can never rot. The convention (preludes, `run`) is in
 * docs/contributing.md. All blocks are checked by ONE TypeScript program, each block a module of
 * its own, against the built declarations (dist/, what users compile against; `npm test` builds
 * first). A runnable block is emitted by that program and run by Node against the built package.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blocks, pages, ROOT, type Block } from './markdown.js';

const all = pages().flatMap(blocks);
/** Virtual files of the program live beside the repository's tests, so `rx-resilience` and rxjs resolve as in a user's project. */
const DIR = join(ROOT, 'test', 'docs', '.examples');
const RUN_DIR = join(ROOT, '.docs-run');
const fileOf = (b: Block) => join(DIR, `${b.page.replace(/[/.]/g, '_')}_${b.line}.ts`);
/** The prelude, then the block; `export {}` makes every block a module of its own. */
const sourceOf = (b: Block) => `${b.prelude}\n${b.code}\nexport {};\n`;

const diagnostics = new Map<string, string[]>();
const emitted = new Map<string, string>();

beforeAll(() => {
  const config = ts.getParsedCommandLineOfConfigFile(join(ROOT, 'tsconfig.typecheck.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const options: ts.CompilerOptions = { ...config.options, noEmit: false, declaration: false, sourceMap: false, outDir: RUN_DIR, rootDir: DIR, incremental: false, tsBuildInfoFile: undefined };
  const files = new Map(all.map((b) => [fileOf(b), sourceOf(b)]));
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) => (files.has(name) ? ts.createSourceFile(name, files.get(name)!, version) : getSourceFile(name, version, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => files.has(name) || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => files.get(name) ?? readFile(name);
  const program = ts.createProgram([...files.keys()], options, host);

  for (const b of all) {
    const file = program.getSourceFile(fileOf(b))!;
    const preludeLines = b.prelude.split('\n').length;
    diagnostics.set(
      fileOf(b),
      ts.getPreEmitDiagnostics(program, file).map((d) => {
        const line = d.file === undefined || d.start === undefined ? 0 : d.file.getLineAndCharacterOfPosition(d.start).line;
        const where = line < preludeLines ? `prelude line ${line + 1}` : `${b.page}:${b.line + line - preludeLines + 1}`;
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      }),
    );
    if (b.run) program.emit(file, (name, text) => emitted.set(fileOf(b), text.replace(/\n\/\/# sourceMappingURL=.*$/, '')));
  }
}, 300_000);

afterAll(() => rmSync(RUN_DIR, { recursive: true, force: true }));

describe('TypeScript blocks of the docs', () => {
  it('finds the blocks of every page, runnable ones among them', () => {
    expect(all.length).toBeGreaterThan(20);
    expect(all.some((b) => b.run)).toBe(true);
  });

  it.each(all.map((b) => [`${b.page}:${b.line}${b.run ? ' (run)' : ''}`, b] as const))('%s compiles', (_, b) => {
    expect(diagnostics.get(fileOf(b))).toEqual([]);
  });
});

const node = promisify(execFile);

describe('runnable blocks (```ts run) run to completion against the built package', () => {
  it.concurrent.each(all.filter((b) => b.run).map((b) => [`${b.page}:${b.line}`, b] as const))('%s', async (_, b) => {
    expect(diagnostics.get(fileOf(b))).toEqual([]);
    // Inside the repository, `import 'rx-resilience'` resolves to the package itself (its exports map).
    mkdirSync(RUN_DIR, { recursive: true });
    const file = join(RUN_DIR, `${b.page.replace(/[/.]/g, '_')}_${b.line}.mjs`);
    writeFileSync(file, emitted.get(fileOf(b))!);
    const result = await node(process.execPath, [file], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 }).catch((e: { stderr: string; code: unknown }) => ({ stderr: `exit ${String(e.code)}: ${e.stderr}` }));
    expect(result.stderr).toBe('');
  }, 90_000);
});
