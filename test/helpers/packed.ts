/**
 * The package as a user installs it: `npm pack` of the built dist (npm test builds first),
 * unpacked into `node_modules/rx-resilience` of a project outside the repository, offline, with
 * the named dependencies linked from this repository's install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** A fresh consumer project (its path) holding the packed package and links to `deps` (those installed here). */
export function packedProject(prefix: string, deps: readonly string[]): string {
  const project = mkdtempSync(join(tmpdir(), prefix));
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', project], { cwd: REPO, encoding: 'utf8' })) as { filename: string }[];
  const target = join(project, 'node_modules', 'rx-resilience');
  mkdirSync(target, { recursive: true });
  execFileSync('tar', ['-xzf', join(project, packed[0]!.filename), '-C', target, '--strip-components=1']);
  for (const dep of deps) {
    if (!existsSync(join(REPO, 'node_modules', dep))) continue;
    mkdirSync(join(project, 'node_modules', dep, '..'), { recursive: true });
    symlinkSync(join(REPO, 'node_modules', dep), join(project, 'node_modules', dep), 'dir');
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
  return project;
}
