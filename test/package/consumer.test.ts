/**
 * A consumer project outside the repository installs the packed package (`npm pack` of the built
 * dist) next to its dependencies but WITHOUT fast-check, and imports the testing kit from ES
 * modules and CommonJS: everything but the arbitraries loads; the arbitraries subpath names the
 * missing peer.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packedProject, REPO } from '../helpers/packed.js';

let project: string;

const node = (args: string[]) => execFileSync(process.execPath, args, { cwd: project, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

beforeAll(() => {
  // The package's dependencies and its rxjs peer, from this repository's install; fast-check is left out.
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  project = packedProject('rx-resilience-consumer-', [...Object.keys(manifest.dependencies), 'rxjs']);
}, 60_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

const use = `
  const scheduler = testing.testScheduler();
  const service = testing.scriptedService([{ ok: 7, after: 2 }], scheduler);
  const seen = [];
  scheduler.run(({ flush }) => { service.call().subscribe((v) => seen.push([v, scheduler.now()])); flush(); });
  const scenario = testing.runScenario((upstream) => upstream, [{ type: 'call', outcome: 'success', duration: 3 }], { settle: 5 });
  console.log(JSON.stringify({ seen, calls: service.calls.length, names: Object.keys(testing).sort(), scenario: scenario.calls.map((c) => [c.outcome, c.endedAt]) }));
`;

describe('consumer project without fast-check (packed package)', () => {
  it('has no fast-check to find', () => {
    expect(() => node(['-e', `require.resolve('fast-check')`])).toThrow();
  });

  it('imports scriptedService, testScheduler and runScenario from ES modules and from CommonJS', () => {
    const esm = JSON.parse(node(['--input-type=module', '-e', `import * as testing from 'rx-resilience/testing'; import * as rxjs from 'rxjs'; ${use}`])) as Record<string, unknown>;
    const cjs = JSON.parse(node(['-e', `const testing = require('rx-resilience/testing'); const rxjs = require('rxjs'); ${use}`])) as Record<string, unknown>;
    expect(esm).toEqual(cjs);
    expect(esm).toMatchObject({ seen: [[7, 2]], calls: 1, scenario: [['completed', 3]] });
    expect(esm.names).toContain('watchBreakerLaws');
  });

  it('loads the root entry and the config and http subpaths', () => {
    const out = node(['--input-type=module', '-e', `import { circuitBreaker, policyKind } from 'rx-resilience'; import { fromConfig } from 'rx-resilience/config'; import { healthEndpoints } from 'rx-resilience/http'; console.log(policyKind(circuitBreaker()), typeof fromConfig, typeof healthEndpoints)`]);
    expect(out).toBe('circuit-breaker function function');
  });

  it('needs fast-check for the arbitraries only', () => {
    expect(() => node(['--input-type=module', '-e', `import 'rx-resilience/testing/arbitraries'`])).toThrow(/fast-check/);
    expect(() => node(['-e', `require('rx-resilience/testing/arbitraries')`])).toThrow(/fast-check/);
  });
});
