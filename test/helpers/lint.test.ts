/** The lint rule that keeps assertions out of functions returned from `TestScheduler.run`'s callback. */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function messages(code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: `${root}test/helpers/probe.test.ts` });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => `${m.line}: ${m.message}`);
}

describe('lint: nothing returned from TestScheduler.run is an assertion', () => {
  it('refuses a function returned from the callback, with a block or an expression body', async () => {
    const found = await messages([
      "import { TestScheduler } from 'rxjs/testing';",
      'const s = new TestScheduler(() => undefined);',
      's.run(() => {',
      '  return () => undefined;',
      '});',
      's.run(() => () => undefined);',
      '',
    ].join('\n'));
    expect(found.map((m) => m.split(':')[0])).toEqual(['4', '6']);
  });

  it('allows a teardown returned by an inner function and a value returned from run', async () => {
    const found = await messages([
      "import { Observable } from 'rxjs';",
      "import { TestScheduler } from 'rxjs/testing';",
      'const s = new TestScheduler(() => undefined);',
      'export const n = s.run(() => {',
      '  new Observable(() => {',
      '    return () => undefined;',
      '  }).subscribe();',
      '  return 1;',
      '});',
      '',
    ].join('\n'));
    expect(found).toEqual([]);
  });
});
