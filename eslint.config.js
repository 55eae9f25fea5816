import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'benchmarks/node_modules/', 'benchmarks/dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Time only from the scheduler (DESIGN): no wall clock, no raw timers in the library.
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Read time from the scheduler: scheduler.now().' },
        { selector: "CallExpression[callee.name=/^(setTimeout|setInterval)$/]", message: 'Schedule through the scheduler.' },
        { selector: "CallExpression[callee.object.name='performance'][callee.property.name='now']", message: 'Read time from the scheduler.' },
      ],
    },
  },
  {
    files: ['src/internal/**/*.ts', 'src/breaker/**/*.ts'],
    rules: {
      // The kernel and the pure parts never reach up into operators, subpaths or the testing kit
      // (types only: an operator file owns its public types).
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ group: ['**/operators/*', '**/testing/*', '**/index.js'], allowTypeImports: true }] }],
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
