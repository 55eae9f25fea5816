/**
 * The publish shape: the built package (dist/, made by `npm run build`, which `npm test` runs
 * first) is imported through its `exports` map from ES modules and from CommonJS, in child
 * processes, exactly as users would.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { exports: Record<string, Record<string, Record<string, string>> | string> };

const run = (args: string[]) => execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' }).trim();

const script = `
  const breaker = api.circuitBreaker({ name: 'smoke', strategy: { kind: 'consecutive', failures: 1 } });
  const errors = [];
  rxjs.throwError(() => new Error('x')).pipe(breaker).subscribe({ error: () => {} });
  rxjs.of(1).pipe(breaker).subscribe({ error: (e) => errors.push(e) });
  breaker.reset();
  const out = {
    state: breaker.stats().state,
    error: errors[0].name, code: errors[0].code, guard: api.isResilienceError(errors[0], 'CIRCUIT_OPEN'),
    testing: typeof testing.testScheduler, scripted: typeof testing.scriptedService,
    names: Object.keys(api).sort(),
  };
  console.log(JSON.stringify(out));
`;

describe('package exports (built dist)', () => {
  it('has been built', () => {
    expect(existsSync(`${root}dist/esm/index.js`), 'run `npm run build` first (npm test does)').toBe(true);
  });

  it('points every export condition at a file that exists, with types', () => {
    for (const [subpath, target] of Object.entries(pkg.exports)) {
      if (typeof target === 'string') continue;
      for (const condition of ['import', 'require'] as const) {
        const entry = target[condition]!;
        expect(existsSync(`${root}${entry.default}`), `${subpath} ${condition}`).toBe(true);
        expect(existsSync(`${root}${entry.types}`), `${subpath} ${condition} types`).toBe(true);
      }
    }
  });

  it('imports rx-resilience and rx-resilience/testing from ESM and from CommonJS alike', () => {
    const esm = run(['--input-type=module', '-e', `import * as api from 'rx-resilience'; import * as testing from 'rx-resilience/testing'; import * as rxjs from 'rxjs'; ${script}`]);
    const cjs = run(['-e', `const api = require('rx-resilience'); const testing = require('rx-resilience/testing'); const rxjs = require('rxjs'); ${script}`]);
    const expected = { state: 'closed', error: 'CircuitOpenError', code: 'CIRCUIT_OPEN', guard: true, testing: 'function', scripted: 'function' };
    expect(JSON.parse(esm)).toMatchObject(expected);
    expect(JSON.parse(cjs)).toMatchObject(expected);
    expect(JSON.parse(esm).names).toEqual(JSON.parse(cjs).names);
  });

  it('recognises an error from the CommonJS copy with the ESM guard (brand, not instanceof)', () => {
    const out = run(['--input-type=module', '-e', `
      import { createRequire } from 'node:module';
      import * as esm from 'rx-resilience';
      const cjs = createRequire(process.cwd() + '/')('rx-resilience');
      const e = new cjs.CircuitOpenError('p', 'open', 5);
      console.log(JSON.stringify([e instanceof esm.CircuitOpenError, esm.isResilienceError(e, 'CIRCUIT_OPEN'), esm.isLocalRejection(e)]));
    `]);
    expect(JSON.parse(out)).toEqual([false, true, true]);
  });

  it('imports rx-resilience/prometheus from ESM and CommonJS, and the root entry never loads prom-client', () => {
    const esm = run(['--input-type=module', '-e', `import { prometheusMetrics } from 'rx-resilience/prometheus'; import { Registry } from 'prom-client'; const m = prometheusMetrics({ registry: new Registry() }); console.log(typeof m.watch)`]);
    const cjs = run(['-e', `const { prometheusMetrics } = require('rx-resilience/prometheus'); const { Registry } = require('prom-client'); console.log(typeof prometheusMetrics({ registry: new Registry() }).watch)`]);
    expect([esm, cjs]).toEqual(['function', 'function']);
    const loaded = run(['-e', `require('rx-resilience'); console.log(Object.keys(require.cache).some((f) => f.includes('prom-client')))`]);
    expect(loaded).toBe('false');
  });

  it('imports rx-resilience/redis from ESM and CommonJS, and the root entry never loads ioredis', () => {
    const names = 'JSON.stringify([typeof m.redisStore, typeof m.sharedBreaker, typeof m.fleetControl, typeof m.healthFromStore])';
    const esm = run(['--input-type=module', '-e', `import * as m from 'rx-resilience/redis'; console.log(${names})`]);
    const cjs = run(['-e', `const m = require('rx-resilience/redis'); console.log(${names})`]);
    expect(JSON.parse(esm)).toEqual(['function', 'function', 'function', 'function']);
    expect(JSON.parse(cjs)).toEqual(JSON.parse(esm));
    const loaded = run(['-e', `require('rx-resilience'); console.log(Object.keys(require.cache).some((f) => f.includes('ioredis')))`]);
    expect(loaded).toBe('false');
  });

  it('keeps the testing kit out of the main entry', () => {
    const out = run(['--input-type=module', '-e', `import * as api from 'rx-resilience'; console.log(JSON.stringify(Object.keys(api)))`]);
    expect(JSON.parse(out)).not.toContain('testScheduler');
  });
});
