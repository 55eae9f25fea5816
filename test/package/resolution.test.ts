/**
 * The packed package (`npm pack` of the built dist) as a TypeScript user compiles against it:
 * installed from the tarball into a project outside the repository, it type-checks under every
 * `moduleResolution` a user may have (node10, node16, nodenext, bundler), from CommonJS and ES
 * module files, for the root entry and every subpath of `exports`. Each subpath is imported and
 * used with a type that must be real (a misuse must be an error, so an untyped `any` fails).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packedProject, REPO as root } from '../helpers/packed.js';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  typesVersions: Record<string, Record<string, string[]>>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
};
const subpaths = Object.keys(pkg.exports).filter((key) => key !== '.' && key !== './package.json').map((key) => key.slice(2));

/** One use per entry: an import, and a misuse the types must refuse. */
const USE: Readonly<Record<string, string>> = {
  '': `import { circuitBreaker, type CircuitBreaker } from 'rx-resilience';
export const breaker: CircuitBreaker = circuitBreaker({ name: 'b' });
// @ts-expect-error misspelt option
circuitBreaker({ breakDurration: 1 });`,
  redis: `import { sharedBreaker } from 'rx-resilience/redis';
import type { Redis } from 'ioredis';
export const shared = (client: Redis) => sharedBreaker(breaker, { client });
// @ts-expect-error a client is required
sharedBreaker(breaker, {});`,
};

/** Imports every entry the package exports, with one typed use each. */
function consumer(): string {
  const generic = subpaths
    .filter((sub) => !(sub in USE))
    .map((sub, i) => `import * as m${i} from 'rx-resilience/${sub}';\nexport const names${i}: string[] = Object.keys(m${i});\n// @ts-expect-error not a member\nm${i}.notAMember;`);
  return [USE['']!, ...subpaths.filter((sub) => sub in USE).map((sub) => USE[sub]!), ...generic].join('\n') + '\n';
}

const CONFIGS: Readonly<Record<string, Record<string, unknown>>> = {
  node10: { module: 'commonjs', moduleResolution: 'node10' },
  node16: { module: 'node16', moduleResolution: 'node16' },
  nodenext: { module: 'nodenext', moduleResolution: 'nodenext' },
  bundler: { module: 'esnext', moduleResolution: 'bundler' },
};

let project: string;

beforeAll(() => {
  // The package's dependencies and peers, and Node's types, from this repository's install (offline).
  project = packedProject('rx-resilience-types-', [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), '@types/node']);
  for (const [name, options] of Object.entries(CONFIGS)) {
    const dir = join(project, name);
    mkdirSync(dir);
    // node16 and nodenext read the format from the extension: one CommonJS file and one ES module.
    writeFileSync(join(dir, 'use.cts'), consumer());
    writeFileSync(join(dir, 'use.mts'), consumer());
    if (name === 'node10' || name === 'bundler') writeFileSync(join(dir, 'use.ts'), consumer());
    const files = name === 'node10' ? ['use.ts'] : name === 'bundler' ? ['use.ts', 'use.mts'] : ['use.cts', 'use.mts'];
    const compilerOptions = { ...options, target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: ['node'], ignoreDeprecations: '5.0' };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files }));
  }
}, 120_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

const tsc = promisify(execFile);

describe('the packed package type-checks in a consumer project', () => {
  it('maps every subpath in typesVersions to the same declarations as exports (for node10)', () => {
    const versions = pkg.typesVersions['*']!;
    expect(Object.keys(versions).sort()).toEqual([...subpaths].sort());
    for (const sub of subpaths) expect(versions[sub], sub).toEqual([(pkg.exports[`./${sub}`] as { require: { types: string } }).require.types]);
  });

  it.concurrent.each(Object.keys(CONFIGS))('under moduleResolution %s, for the root and every subpath', async (name) => {
    const run = await tsc(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(project, name)], { cwd: project, encoding: 'utf8' }).then(
      () => '',
      (e: { stdout: string }) => e.stdout,
    );
    expect(run).toBe('');
  }, 300_000);
});
