/**
 * The root entry runs in a browser: the built ES module entry (dist/, made by `npm run build`, which
 * `npm test` runs first) bundles with esbuild for `platform: 'browser'` with every dependency, and
 * no input is a Node built-in. The Node-only parts are the `http` and `config` subpaths.
 */
import { existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const NODE = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

async function bundle(entry: string): Promise<{ errors: string[]; inputs: string[]; imports: string[] }> {
  try {
    const result = await build({ entryPoints: [`${root}${entry}`], bundle: true, platform: 'browser', format: 'esm', write: false, metafile: true, logLevel: 'silent' });
    const meta: Metafile = result.metafile;
    const imports = Object.values(meta.inputs).flatMap((input) => input.imports.map((i) => i.path));
    return { errors: [], inputs: Object.keys(meta.inputs), imports };
  } catch (e) {
    return { errors: (e as { errors?: { text: string }[] }).errors?.map((x) => x.text) ?? [String(e)], inputs: [], imports: [] };
  }
}

describe('browser bundle (built dist)', () => {
  it('has been built', () => {
    expect(existsSync(`${root}dist/esm/index.js`), 'run `npm run build` first (npm test does)').toBe(true);
  });

  it('bundles the root entry for the browser without any Node built-in', async () => {
    const { errors, inputs, imports } = await bundle('dist/esm/index.js');
    expect(errors).toEqual([]);
    expect(imports.filter((path) => NODE.has(path))).toEqual([]);
    expect(inputs.some((path) => path.includes('/http/') || path.includes('fromConfig'))).toBe(false);
    expect(inputs.some((path) => path.includes('node_modules/rxjs/'))).toBe(true);
  });

  it('fails on an entry that needs Node (the check can fail)', async () => {
    const { errors } = await bundle('dist/esm/http/index.js');
    expect(errors.join('\n')).toMatch(/node:crypto/);
  });
});
