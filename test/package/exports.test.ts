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

  it('recognises an error from the CommonJS copy with the ESM guards and instanceof (brand and code)', () => {
    const out = run(['--input-type=module', '-e', `
      import { createRequire } from 'node:module';
      import * as esm from 'rx-resilience';
      const cjs = createRequire(process.cwd() + '/')('rx-resilience');
      const e = new cjs.CircuitOpenError('p', 'open', 5);
      console.log(JSON.stringify([e instanceof esm.CircuitOpenError, esm.isResilienceError(e, 'CIRCUIT_OPEN'), esm.isLocalRejection(e)]));
    `]);
    expect(JSON.parse(out)).toEqual([true, true, true]);
  });

  it('imports rx-resilience/prometheus from ESM and CommonJS, and the root entry never loads prom-client', () => {
    const esm = run(['--input-type=module', '-e', `import { prometheusMetrics } from 'rx-resilience/prometheus'; import { Registry } from 'prom-client'; const m = prometheusMetrics({ registry: new Registry() }); console.log(typeof m.watch)`]);
    const cjs = run(['-e', `const { prometheusMetrics } = require('rx-resilience/prometheus'); const { Registry } = require('prom-client'); console.log(typeof prometheusMetrics({ registry: new Registry() }).watch)`]);
    expect([esm, cjs]).toEqual(['function', 'function']);
    const loaded = run(['-e', `require('rx-resilience'); console.log(Object.keys(require.cache).some((f) => f.includes('prom-client')))`]);
    expect(loaded).toBe('false');
  });

  it('reads the kind of a policy built by the CommonJS copy with the ESM policyKind (Symbol.for descriptor)', () => {
    const out = run(['--input-type=module', '-e', `
      import { createRequire } from 'node:module';
      import * as esm from 'rx-resilience';
      const cjs = createRequire(process.cwd() + '/')('rx-resilience');
      console.log(JSON.stringify([esm.policyKind(cjs.retryBackoff()), esm.policyKind(cjs.timeLimit({ duration: 1 })), esm.resilienceKind(cjs.resilienceRegistry())]));
    `]);
    expect(JSON.parse(out)).toEqual(['retry', 'time-limit', 'registry']);
  });

  it('imports rx-resilience/http and rx-resilience/config from ESM and CommonJS, and the root entry loads neither', () => {
    const esm = run(['--input-type=module', '-e', `import { healthEndpoints, metricsHandler } from 'rx-resilience/http'; import { fromConfig } from 'rx-resilience/config'; console.log([typeof healthEndpoints, typeof metricsHandler, typeof fromConfig].join())`]);
    const cjs = run(['-e', `const { healthEndpoints, metricsHandler } = require('rx-resilience/http'); const { fromConfig } = require('rx-resilience/config'); console.log([typeof healthEndpoints, typeof metricsHandler, typeof fromConfig].join())`]);
    expect([esm, cjs]).toEqual(['function,function,function', 'function,function,function']);
    const loaded = run(['-e', `require('rx-resilience'); console.log(Object.keys(require.cache).filter((f) => /[\\/](http|yaml)[\\/]|fromConfig/.test(f)).length)`]);
    expect(loaded).toBe('0');
  });

  it('imports rx-resilience/file-store from ESM and CommonJS, and the root entry never loads it', () => {
    const roundTrip = `
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rxr-pkg-'));
      const store = fileStore({ dir });
      store.open()
        .then(() => store.append({ id: 'a', key: undefined, payload: 1, enqueuedAt: 0, failures: 0, notBefore: 0 }))
        .then(() => store.close())
        .then(() => { const again = fileStore({ dir }); return again.open().then((c) => again.close().then(() => c)); })
        .then((c) => { fs.rmSync(dir, { recursive: true }); console.log(c.pending.map((m) => m.id).join()); });
    `;
    const esm = run(['--input-type=module', '-e', `import { fileStore } from 'rx-resilience/file-store'; import fs from 'node:fs'; import os from 'node:os'; import path from 'node:path'; ${roundTrip}`]);
    const cjs = run(['-e', `const { fileStore } = require('rx-resilience/file-store'); const fs = require('node:fs'); const os = require('node:os'); const path = require('node:path'); ${roundTrip}`]);
    expect([esm, cjs]).toEqual(['a', 'a']);
    const loaded = run(['-e', `require('rx-resilience'); console.log(Object.keys(require.cache).filter((f) => /fileStore|fileLog/.test(f)).length)`]);
    expect(loaded).toBe('0');
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

  it('imports rx-resilience/fp-ts from ESM and CommonJS, and the root entry never loads fp-ts', () => {
    const script = `
      const breaker = api.circuitBreaker({ strategy: { kind: 'consecutive', failures: 1 } });
      const down = () => Promise.resolve({ _tag: 'Left', left: 'down' });
      const up = () => Promise.resolve({ _tag: 'Right', right: 1 });
      m.protect(breaker)(down)()
        .then((first) => m.protect(breaker)(up)().then((second) => console.log(JSON.stringify([first, second._tag, second.left.code]))))
        .finally(() => breaker.reset());
    `;
    const esm = run(['--input-type=module', '-e', `import * as m from 'rx-resilience/fp-ts'; import * as api from 'rx-resilience'; ${script}`]);
    const cjs = run(['-e', `const m = require('rx-resilience/fp-ts'); const api = require('rx-resilience'); ${script}`]);
    expect(JSON.parse(esm)).toEqual([{ _tag: 'Left', left: 'down' }, 'Left', 'CIRCUIT_OPEN']);
    expect(JSON.parse(cjs)).toEqual(JSON.parse(esm));
    const loaded = run(['-e', `require('rx-resilience'); console.log(Object.keys(require.cache).some((f) => f.includes('fp-ts')))`]);
    expect(loaded).toBe('false');
  });

  it('keeps the testing kit out of the main entry', () => {
    const out = run(['--input-type=module', '-e', `import * as api from 'rx-resilience'; console.log(JSON.stringify(Object.keys(api)))`]);
    expect(JSON.parse(out)).not.toContain('testScheduler');
  });
});
