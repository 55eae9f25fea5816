import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom, of, throwError } from 'rxjs';
import { take, toArray } from 'rxjs/operators';
import { afterEach, describe, expect, it } from 'vitest';
import { constant, durableQueue, isResilienceError, QueueStoreError, type StoreEvent, type StoredMessage } from 'rx-resilience';
import { fileStore } from 'rx-resilience/file-store';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rxr-queue-'));
  dirs.push(dir);
  return dir;
}

const msg = (id: string, key?: string): StoredMessage => ({ id, key, payload: { n: id }, enqueuedAt: 1, failures: 0, notBefore: 0 });

async function opened(dir: string, options: Partial<Parameters<typeof fileStore>[0]> = {}) {
  const store = fileStore({ dir, ...options });
  const events: StoreEvent[] = [];
  store.events$.subscribe((e) => events.push(e));
  const contents = await store.open();
  return { store, events, contents };
}

describe('fileStore', () => {
  it.each(['always', 'batch', 'never'] as const)('keeps messages, failures, dead letters and requeues across a reopen (fsync %s)', async (fsync) => {
    const dir = tempDir();
    const { store } = await opened(dir, { fsync });
    await Promise.all(['a', 'b', 'c', 'd'].map((id) => store.append(msg(id, id === 'd' ? undefined : 'k'))));
    await store.ack('a');
    await store.fail('b', 2, 500);
    await store.deadLetter({ ...msg('c', 'k'), failures: 3, error: 'Error: no', deadAt: 9 });
    await store.close();
    expect(readdirSync(dir)).toEqual(['00000001.log']);

    const again = await opened(dir, { fsync });
    expect(again.contents.pending).toEqual([{ ...msg('b', 'k'), failures: 2, notBefore: 500 }, msg('d')]);
    expect(again.contents.deadLetters).toEqual([{ ...msg('c', 'k'), failures: 3, error: 'Error: no', deadAt: 9 }]);
    await again.store.requeue('c', 20);
    await again.store.close();
    const third = await opened(dir);
    expect(third.contents.pending.map((m) => [m.id, m.failures])).toEqual([['b', 2], ['d', 0], ['c', 0]]);
    expect(third.contents.deadLetters).toEqual([]);
    await third.store.close();
  });

  it('cuts a torn last record off, reporting the bytes dropped, and keeps every record before it', async () => {
    const dir = tempDir();
    const { store } = await opened(dir);
    for (const id of ['a', 'b', 'c']) await store.append(msg(id));
    await store.close();
    const file = join(dir, '00000001.log');
    const size = statSync(file).size;
    truncateSync(file, size - 7);
    const again = await opened(dir);
    expect(again.contents.pending.map((m) => m.id)).toEqual(['a', 'b']);
    const tail = again.events.find((e) => e.type === 'corrupt-tail');
    expect(tail).toMatchObject({ type: 'corrupt-tail', file });
    expect((tail as { bytes: number }).bytes).toBe(size - 7 - (tail as { offset: number }).offset);
    // The store goes on appending after the cut: nothing of the torn record remains.
    await again.store.append(msg('d'));
    await again.store.close();
    const third = await opened(dir);
    expect(third.contents.pending.map((m) => m.id)).toEqual(['a', 'b', 'd']);
    expect(third.events.filter((e) => e.type === 'corrupt-tail')).toEqual([]);
    await third.store.close();
  });

  it('detects a flipped byte in the last record by its checksum', async () => {
    const dir = tempDir();
    const { store } = await opened(dir);
    for (const id of ['a', 'b']) await store.append(msg(id));
    await store.close();
    const file = join(dir, '00000001.log');
    const data = readFileSync(file);
    data[data.length - 3] = data[data.length - 3]! ^ 0x20;
    writeFileSync(file, data);
    const again = await opened(dir);
    expect(again.contents.pending.map((m) => m.id)).toEqual(['a']);
    expect(again.events).toEqual([expect.objectContaining({ type: 'corrupt-tail', file })]);
    await again.store.close();
  });

  it('refuses to open when a record in the middle is corrupted, and says where', async () => {
    const dir = tempDir();
    const { store } = await opened(dir);
    for (const id of ['a', 'b', 'c']) await store.append(msg(id));
    await store.close();
    const file = join(dir, '00000001.log');
    const data = readFileSync(file);
    data[20] = data[20]! ^ 0xff;
    writeFileSync(file, data);
    const broken = fileStore({ dir });
    const events: StoreEvent[] = [];
    broken.events$.subscribe((e) => events.push(e));
    const error = await Promise.resolve(broken.open()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueueStoreError);
    expect(error).toMatchObject({ reason: 'corrupt', file, offset: 0, code: 'QUEUE_STORE' });
    expect(events).toEqual([{ type: 'corrupt-record', file, offset: 0 }]);
    // The lock was released: the operator can move the file away and open again.
    expect(readdirSync(dir)).not.toContain('LOCK');
  });

  it('lets one process own a directory, and takes over the lock of a process that is gone', async () => {
    const dir = tempDir();
    const { store } = await opened(dir);
    const second = await Promise.resolve(fileStore({ dir }).open()).catch((e: unknown) => e);
    expect(isResilienceError(second, 'QUEUE_STORE')).toBe(true);
    expect(second).toMatchObject({ reason: 'locked' });
    await store.close();
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(join(dir, 'LOCK'), gone.stdout);
    const taken = await opened(dir);
    expect(taken.events).toEqual([{ type: 'stale-lock', file: join(dir, 'LOCK'), pid: Number(gone.stdout) }]);
    expect(readFileSync(join(dir, 'LOCK'), 'utf8')).toBe(String(process.pid));
    await taken.store.close();
  });

  it('compacts: drops finished segments, carries the few live messages forward, and loses nothing', async () => {
    const dir = tempDir();
    const { store, events } = await opened(dir, { segmentBytes: 1024, fsync: 'batch' });
    const keep = new Set(['m5', 'm77']);
    for (let i = 0; i < 200; i++) {
      const id = `m${i}`;
      await store.append(msg(id, 'k'));
      if (id === 'm5') await store.deadLetter({ ...msg(id, 'k'), failures: 1, error: 'x', deadAt: 2 });
      else if (!keep.has(id)) await store.ack(id);
    }
    expect(events.some((e) => e.type === 'compacted' && e.carried > 0)).toBe(true);
    expect(store.segments().length).toBeLessThanOrEqual(3);
    await store.close();
    const again = await opened(dir);
    expect(again.contents.pending.map((m) => m.id)).toEqual(['m77']);
    expect(again.contents.deadLetters.map((m) => [m.id, m.error])).toEqual([['m5', 'x']]);
    await again.store.close();
  });

  it('works under durableQueue: deliver, redeliver after failure, dead-letter, survive a reopen', async () => {
    const dir = tempDir();
    const queue = durableQueue<string>({ name: 'files', store: fileStore({ dir }), maxAttempts: 2, backoff: constant(1) });
    await Promise.all(['ok', 'flaky', 'bad'].map((p) => lastValueFrom(queue.enqueue(p, { id: p }))));
    let flaky = 0;
    const outcomes = await firstValueFrom(queue.drain((m) => {
      if (m.payload === 'bad' || (m.payload === 'flaky' && flaky++ === 0)) return throwError(() => new Error(m.payload));
      return of(1);
    }, { concurrency: 3 }).pipe(take(3), toArray()));
    expect(outcomes.map((o) => [o.id, o.type, o.attempt])).toEqual([['ok', 'delivered', 1], ['flaky', 'delivered', 2], ['bad', 'dead-lettered', 2]]);
    await lastValueFrom(queue.close());
    const reopened = durableQueue<string>({ store: fileStore({ dir }) });
    const letters = await firstValueFrom(reopened.deadLetters());
    expect(letters.map((l) => l.id)).toEqual(['bad']);
    expect(reopened.stats()).toMatchObject({ pending: 0, deadLetters: 1 });
    await lastValueFrom(reopened.close());
  });

  it('rejects bad options with a ConfigError naming the field', () => {
    expect(() => fileStore({ dir: '' })).toThrow(/dir/);
    expect(() => fileStore({ dir: tempDir(), fsync: 'sometimes' as never })).toThrow(/fsync must be one of "always", "batch", "never"/);
    expect(() => fileStore({ dir: tempDir(), segmentBytes: 10 })).toThrow(/segmentBytes must be an integer >= 1024/);
  });
});
