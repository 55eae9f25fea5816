/**
 * Tests that kill: a child process writes to a file store as fast as it can and is killed with
 * SIGKILL at a random moment, many times over, on the same directory. Each time, reopening the
 * store must find every acknowledged message exactly once and in order, and any other message at
 * most once. A handler killed mid-message gets its message again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom, of } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { durableQueue, type StoreEvent } from 'rx-resilience';
import { fileStore } from 'rx-resilience/file-store';
import { runAndKill } from '../helpers/child.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('file store under SIGKILL', () => {
  it.each(['always', 'batch', 'never'] as const)('keeps every acknowledged enqueue exactly once, in order (fsync %s)', async (fsync) => {
    const dir = mkdtempSync(join(tmpdir(), 'rxr-kill-'));
    dirs.push(dir);
    const acked: string[] = [];
    const tails: StoreEvent[] = [];
    for (let run = 0; run < 4; run++) {
      const target = 20 + Math.floor(Math.random() * 400);
      const lines = await runAndKill(['enqueue', dir, fsync, `r${run}`], (_line, count) => count >= target);
      acked.push(...lines.map((l) => l.slice(4)));

      const store = fileStore({ dir });
      store.events$.subscribe((e) => tails.push(e));
      const { pending } = await store.open();
      const ids = pending.map((m) => m.id);
      expect(new Set(ids).size, 'no message twice').toBe(ids.length);
      const found = new Set(ids);
      for (const id of acked) expect(found.has(id), `acknowledged ${id} survives`).toBe(true);
      // Enqueue order: the runs in order, and numbers ascending within a run.
      const order = ids.map((id) => id.slice(1).split('-').map(Number) as [number, number]);
      for (let i = 1; i < order.length; i++) {
        const [r0, n0] = order[i - 1]!;
        const [r1, n1] = order[i]!;
        expect(r1 > r0 || (r1 === r0 && n1 > n0), `${ids[i - 1]} before ${ids[i]}`).toBe(true);
      }
      await store.close();
    }
    expect(tails.every((e) => e.type === 'corrupt-tail' || e.type === 'stale-lock')).toBe(true);
  }, 120_000);

  it('redelivers the message whose handler was killed mid-message, with the same attempt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rxr-kill-'));
    dirs.push(dir);
    const setup = durableQueue<string>({ store: fileStore({ dir }) });
    await lastValueFrom(setup.enqueue('work', { id: 'w1' }));
    await lastValueFrom(setup.close());
    const lines = await runAndKill(['drain', dir], (line) => line.startsWith('started'));
    expect(lines).toEqual(['started w1 1']);
    const queue = durableQueue<string>({ store: fileStore({ dir }) });
    const outcome = await firstValueFrom(queue.drain(() => of(1)));
    expect(outcome).toEqual({ type: 'delivered', id: 'w1', key: undefined, attempt: 1 });
    await lastValueFrom(queue.close());
  }, 60_000);
});
