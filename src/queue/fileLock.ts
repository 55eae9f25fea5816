/**
 * @internal One process owns a file store's directory: `LOCK` holds the owner's pid. A lock whose
 * process no longer runs is taken over; a live owner (this process included) refuses the open.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QueueStoreError } from '../errors.js';
import type { StoreEvent } from './types.js';

/** Takes the lock; returns a `stale-lock` event when it took over a dead owner's lock. */
export function lockDir(dir: string): StoreEvent | undefined {
  const file = join(dir, 'LOCK');
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
    return undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || running(pid))) {
    throw new QueueStoreError('file-store', 'locked', `${dir} is locked by process ${pid}`, file);
  }
  writeFileSync(file, String(process.pid));
  return { type: 'stale-lock', file, pid };
}

export function unlockDir(dir: string): void {
  unlinkSync(join(dir, 'LOCK'));
}

function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
