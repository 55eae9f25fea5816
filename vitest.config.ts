import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import the public entry points, as users do, but from source.
    alias: [
      { find: /^rx-resilience\/testing$/, replacement: src('testing/index.ts') },
      { find: /^rx-resilience\/testing\/arbitraries$/, replacement: src('testing/arbitraries.ts') },
      { find: /^rx-resilience\/http$/, replacement: src('http/index.ts') },
      { find: /^rx-resilience\/config$/, replacement: src('config/index.ts') },
      { find: /^rx-resilience\/prometheus$/, replacement: src('prometheus/index.ts') },
      { find: /^rx-resilience\/file-store$/, replacement: src('file-store/index.ts') },
      { find: /^rx-resilience\/redis$/, replacement: src('redis/index.ts') },
      { find: /^rx-resilience\/fp-ts$/, replacement: src('fp-ts/index.ts') },
      { find: /^rx-resilience$/, replacement: src('index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Type tests (test/**/*.test-d.ts, expectTypeOf): one tsc run over those files only, against
    // the built declarations in dist/ (what users compile against; `npm test` builds first), so
    // the sources are not checked a second time. `tsc -p tsconfig.json` leaves them to this run.
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], tsconfig: './tsconfig.typecheck.json' },
    // No test may wait on the wall clock: everything runs on virtual time.
    testTimeout: 20_000,
  },
});
