import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Time only from the scheduler (docs/decisions.md, decision 21): no wall clock, no raw timers.
const SCHEDULER_ONLY = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Read time from the scheduler: scheduler.now().' },
  { selector: "CallExpression[callee.name=/^(setTimeout|setInterval)$/]", message: 'Schedule through the scheduler.' },
  { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'Read time from the scheduler.' },
];

// TestScheduler.run never calls a function its callback returns: an assertion returned from it cannot fail.
const RETURNED_FROM_RUN = 'A function returned from the callback of .run(...) is never called: assert after run() instead.';
const NO_FUNCTION_FROM_RUN = [
  { selector: "CallExpression[callee.property.name='run'] > :function > BlockStatement > ReturnStatement > :function", message: RETURNED_FROM_RUN },
  { selector: "CallExpression[callee.property.name='run'] > ArrowFunctionExpression > :function", message: RETURNED_FROM_RUN },
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'benchmarks/node_modules/', 'benchmarks/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', ...SCHEDULER_ONLY],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: { 'no-restricted-syntax': ['error', ...SCHEDULER_ONLY, ...NO_FUNCTION_FROM_RUN] },
  },
  {
    files: ['src/internal/**/*.ts'],
    rules: {
      // The kernel knows no policy: it imports only itself and errors.ts. The edges between the
      // other areas are checked by test/package/layout.test.ts.
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!../errors.js'], message: 'The kernel imports only internal/ and ../errors.js.' }] }],
    },
  },
  {
    files: ['src/testing/**/*.ts'],
    rules: {
      // The testing kit is what a consumer could write: it uses the library's public names only.
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!../index.js'], message: 'The testing kit imports only the public entry (../index.js).' }] }],
    },
  },
  {
    files: ['benchmarks/**', 'examples/**', 'scripts/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
