/**
 * examples/testing is a consumer project: its own package.json depends on the built package
 * (`file:../..`), and its vitest suite property-tests a composed pipeline with the testing kit.
 * This test links its dependencies to this repository's install (what `npm install` of a `file:`
 * dependency does, without the network) and runs its suite. It needs `dist/` (`npm test` builds it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'examples', 'testing');

/** Links `name` in the example's node_modules to `target`, unless present. */
function link(name: string, target: string): void {
  const path = join(example, 'node_modules', name);
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(relative(dirname(path), target), path, 'dir');
}

describe('examples/testing', () => {
  it('runs its own suite against the built package', () => {
    expect(existsSync(join(root, 'dist', 'esm', 'testing', 'index.js')), 'build the package first (npm run build)').toBe(true);
    link('rx-resilience', root);
    for (const dep of ['rxjs', 'vitest', 'fast-check', '@fast-check/vitest']) link(dep, join(root, 'node_modules', dep));
    const out = execFileSync(process.execPath, [join(example, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=dot'], {
      cwd: example,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toMatch(/Tests\s+3 passed/);
  }, 180_000);
});
