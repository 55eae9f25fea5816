/**
 * Runs `test/queue/fixtures/queueChild.ts` in a child process (node + tsx) and kills it with
 * SIGKILL as soon as `stop(line, count)` says so; resolves with the lines it printed by then.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const child = fileURLToPath(new URL('../queue/fixtures/queueChild.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url));

export function runAndKill(args: string[], stop: (line: string, count: number) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', tsx, child, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let killed = false;
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (killed) return;
      lines.push(line);
      if (stop(line, lines.length)) {
        killed = true;
        proc.kill('SIGKILL');
      }
    });
    proc.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(lines) : reject(new Error(`child exited on its own: ${stderr}`))));
  });
}
