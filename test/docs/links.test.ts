/**
 * The package is whole: every relative link of README.md and docs/**.md points at a file that
 * `npm pack` ships (so the links work in node_modules/rx-resilience after an install), and every
 * `#anchor` names a heading of the page it points at.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';
import { links, pages, ROOT } from './markdown.js';

const shipped = (JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' })) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
const anchors = (page: string) => new Set(readFileSync(join(ROOT, page), 'utf8').split('\n').filter((l) => /^#{1,6}\s/.test(l)).map((l) => slug(l.replace(/^#+/, '').replace(/`/g, ''))));

describe('documentation links (packed package)', () => {
  it('ships README.md, docs/ and examples/', () => {
    expect(shipped).toContain('README.md');
    expect(shipped).toContain('docs/decisions.md');
    expect(shipped).toContain('examples/config/resilience.yaml');
    expect(shipped).toContain('examples/observability/grafana-dashboard.json');
  });

  it.each(pages())('%s: every relative link resolves to a shipped file', (page) => {
    const broken: string[] = [];
    for (const link of links(page)) {
      const [path, anchor] = link.target.split('#') as [string, string | undefined];
      const file = path === '' ? page : normalize(join(dirname(page), path)).replace(/\\/g, '/').replace(/\/$/, '');
      const found = shipped.includes(file) || shipped.some((f) => f.startsWith(`${file}/`));
      if (!found) broken.push(`${page}:${link.line}: ${link.target} (not in the package)`);
      else if (anchor !== undefined && file.endsWith('.md') && !anchors(file).has(anchor)) broken.push(`${page}:${link.line}: ${link.target} (no such heading)`);
    }
    expect(broken).toEqual([]);
  });
});
