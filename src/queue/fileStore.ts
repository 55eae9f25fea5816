/**
 * `fileStore({ dir, fsync, segmentBytes })`: the durable queue's store on the local disk.
 *
 * An append-only log in segment files (format in `fileLog.ts`): every fact is a record (a
 * message, its acknowledgement, a failure, a dead letter, a requeue), written in the order the
 * queue made them. Opening replays the segments into an index of live messages; a torn last
 * record is cut off (`corrupt-tail` event), a corrupted record with valid ones after it makes
 * `open()` fail (`QueueStoreError`, reason `'corrupt'`) so nothing is silently skipped.
 *
 * `fsync`: `'always'` fsyncs every record before its operation completes; `'batch'` writes the
 * records that queued up while the previous write was busy in one go and fsyncs them once (group
 * commit), completing each only after that fsync; `'never'` completes after the write reached
 * the OS (survives a killed process, not a power cut).
 *
 * Compaction: when a segment fills up, writing moves to a new one, and the oldest segments are
 * dropped while they hold no live message, or few (at most a quarter of the messages written in
 * them): those are first copied forward, fsynced, then the segment is deleted.
 *
 * One process owns a directory: `LOCK` holds the owner's pid; a lock whose pid no longer runs is
 * taken over (`stale-lock` event).
 */
import { closeSync, fdatasync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, truncateSync, unlinkSync, write, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { QueueStoreError } from '../errors.js';
import { checker } from '../internal/validate.js';
import { lockDir, unlockDir } from './fileLock.js';
import { encode, type LogRecord, messageRecord, scanSegment, segmentName, segmentNumbers } from './fileLog.js';
import type { DeadLetter, QueueStore, StoreContents, StoreEvent, StoredMessage } from './types.js';

export interface FileStoreOptions {
  /** The directory of the log (created if missing). */
  readonly dir: string;
  /** When a write counts as durable. Default `'always'`. */
  readonly fsync?: 'always' | 'batch' | 'never';
  /** A segment is closed once it holds this many bytes. Default 8 MiB. */
  readonly segmentBytes?: number;
}

/** A queue store on disk; its operations are Promises. */
export interface FileStore extends QueueStore {
  readonly dir: string;
  open(): Promise<StoreContents>;
  append(message: StoredMessage): Promise<void>;
  ack(id: string): Promise<void>;
  fail(id: string, failures: number, notBefore: number): Promise<void>;
  deadLetter(letter: DeadLetter): Promise<void>;
  requeue(id: string, at: number): Promise<void>;
  close(): Promise<void>;
  /** The segment files now, oldest first. */
  segments(): string[];
}

type Live = { message: StoredMessage; seq: number; segment: number; dead?: { error: string; deadAt: number } };
type Pending = { buf: Buffer; apply: () => void; resolve: () => void; reject: (e: unknown) => void };

export function fileStore(options: FileStoreOptions): FileStore {
  const check = checker('file-store');
  const o = check.object('', options, ['dir', 'fsync', 'segmentBytes']);
  const dir = check.name('dir', o.dir) ?? check.fail('dir', o.dir, 'a directory path');
  const fsync = check.oneOf('fsync', o.fsync, ['always', 'batch', 'never'] as const, 'always');
  const segmentBytes = check.integer('segmentBytes', o.segmentBytes, 8 * 1024 * 1024, 1024);
  return new FileLogStore(dir, fsync, segmentBytes);
}

class FileLogStore implements FileStore {
  readonly kind = 'file';
  private readonly events = new Subject<StoreEvent>();
  readonly events$ = this.events.asObservable();
  private readonly live = new Map<string, Live>();
  /** Per segment: live ids whose latest message record is in it, and how many messages it got. */
  private readonly bySegment = new Map<number, { live: Set<string>; written: number }>();
  private fd = -1;
  private active = 0;
  private size = 0;
  private seq = 0;
  private queue: Pending[] = [];
  private busy = false;
  private closed = true;

  constructor(readonly dir: string, private readonly fsync: 'always' | 'batch' | 'never', private readonly segmentBytes: number) {}

  segments(): string[] {
    return segmentNumbers(readdirSync(this.dir)).map(segmentName);
  }

  open(): Promise<StoreContents> {
    return new Promise((resolve) => {
      mkdirSync(this.dir, { recursive: true });
      const stale = lockDir(this.dir);
      if (stale !== undefined) this.events.next(stale);
      const numbers = segmentNumbers(readdirSync(this.dir));
      numbers.forEach((n, i) => this.replay(n, i === numbers.length - 1));
      this.active = numbers.at(-1) ?? 1;
      this.fd = openSync(this.file(this.active), 'a');
      this.size = fstatSync(this.fd).size;
      this.segment(this.active);
      this.closed = false;
      const all = [...this.live.values()].sort((a, b) => a.seq - b.seq);
      resolve({
        pending: all.filter((l) => l.dead === undefined).map((l) => l.message),
        deadLetters: all.flatMap((l) => (l.dead === undefined ? [] : [{ ...l.message, ...l.dead }])),
      });
    });
  }

  append(message: StoredMessage): Promise<void> {
    const s = this.seq++;
    return this.write(messageRecord(message, s, undefined), () => this.index(message, s));
  }

  ack(id: string): Promise<void> {
    return this.write({ t: 'a', id }, () => this.drop(id));
  }

  fail(id: string, failures: number, notBefore: number): Promise<void> {
    return this.write({ t: 'f', id, f: failures, nb: notBefore }, () => this.update(id, (l) => (l.message = { ...l.message, failures, notBefore })));
  }

  deadLetter(letter: DeadLetter): Promise<void> {
    return this.write({ t: 'd', id: letter.id, f: letter.failures, e: letter.error, da: letter.deadAt }, () =>
      this.update(letter.id, (l) => {
        l.message = { ...l.message, failures: letter.failures };
        l.dead = { error: letter.error, deadAt: letter.deadAt };
      }));
  }

  requeue(id: string, at: number): Promise<void> {
    const s = this.seq++;
    return this.write({ t: 'q', id, s, at }, () => this.update(id, (l) => this.requeued(l, s, at)));
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      const finish = () => {
        if (!this.closed) {
          this.closed = true;
          closeSync(this.fd);
          unlockDir(this.dir);
        }
        resolve();
      };
      if (!this.busy && this.queue.length === 0) finish();
      else this.queue.push({ buf: Buffer.alloc(0), apply: finish, resolve: () => undefined, reject: () => undefined });
    });
  }

  /* Writing: one batch at a time, in order; `apply` updates the index once the batch is durable. */

  private write(record: LogRecord, apply: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new QueueStoreError('file-store', 'closed', `${this.dir} is not open`));
    return new Promise((resolve, reject) => {
      this.queue.push({ buf: encode(record), apply, resolve, reject });
      this.flush();
    });
  }

  private flush(): void {
    if (this.busy || this.queue.length === 0 || this.closed) return;
    this.busy = true;
    const batch = this.fsync === 'always' ? this.queue.splice(0, 1) : this.queue.splice(0);
    const buf = batch.length === 1 ? batch[0]!.buf : Buffer.concat(batch.map((p) => p.buf));
    const done = (error: unknown) => {
      this.busy = false;
      if (error) {
        for (const p of batch) p.reject(error);
      } else {
        this.size += buf.length;
        for (const p of batch) {
          p.apply();
          p.resolve();
        }
        if (this.size >= this.segmentBytes && !this.closed) this.roll();
      }
      this.flush();
    };
    if (buf.length === 0) return done(null);
    write(this.fd, buf, 0, buf.length, null, (error) => {
      if (error || this.fsync === 'never') done(error);
      else fdatasync(this.fd, done);
    });
  }

  /** Moves writing to a new segment, then drops (or copies forward and drops) the oldest ones. */
  private roll(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
    this.active++;
    this.fd = openSync(this.file(this.active), 'a');
    this.size = 0;
    this.segment(this.active);
    const removed: string[] = [];
    let carried = 0;
    for (const n of [...this.bySegment.keys()].sort((a, b) => a - b)) {
      const seg = this.bySegment.get(n)!;
      if (n === this.active || seg.live.size * 4 > seg.written) break;
      for (const id of seg.live) {
        const l = this.live.get(id)!;
        const buf = encode(messageRecord(l.message, l.seq, l.dead));
        writeSync(this.fd, buf);
        this.size += buf.length;
        this.move(id, l, this.active);
        carried++;
      }
      if (carried > 0) fsyncSync(this.fd);
      unlinkSync(this.file(n));
      this.bySegment.delete(n);
      removed.push(segmentName(n));
    }
    if (removed.length > 0) this.events.next({ type: 'compacted', removed, carried });
  }

  /* Recovery */

  private replay(n: number, last: boolean): void {
    const file = this.file(n);
    const data = readFileSync(file);
    const scan = scanSegment(data);
    if (scan.badAt !== undefined) {
      if (scan.validAfter || !last) {
        this.events.next({ type: 'corrupt-record', file, offset: scan.badAt });
        unlockDir(this.dir);
        throw new QueueStoreError('file-store', 'corrupt', `corrupted record at byte ${scan.badAt} of ${file}, with valid records after it`, file, scan.badAt);
      }
      truncateSync(file, scan.badAt);
      this.events.next({ type: 'corrupt-tail', file, offset: scan.badAt, bytes: data.length - scan.badAt });
    }
    this.segment(n);
    for (const r of scan.records) {
      switch (r.t) {
        case 'm': {
          this.index({ id: r.id, key: r.k, payload: r.p, enqueuedAt: r.at, failures: r.f, notBefore: r.nb }, r.s, n);
          if (r.e !== undefined) this.live.get(r.id)!.dead = { error: r.e, deadAt: r.da ?? r.at };
          this.seq = Math.max(this.seq, r.s + 1);
          break;
        }
        case 'a':
          this.drop(r.id);
          break;
        case 'f':
          this.update(r.id, (l) => (l.message = { ...l.message, failures: r.f, notBefore: r.nb }));
          break;
        case 'd':
          this.update(r.id, (l) => {
            l.message = { ...l.message, failures: r.f };
            l.dead = { error: r.e, deadAt: r.da };
          });
          break;
        case 'q':
          this.update(r.id, (l) => this.requeued(l, r.s, r.at));
          this.seq = Math.max(this.seq, r.s + 1);
          break;
      }
    }
  }

  /* The index */

  private index(message: StoredMessage, seq: number, segment = this.active): void {
    const old = this.live.get(message.id);
    const l: Live = { message, seq, segment };
    if (old !== undefined) this.bySegment.get(old.segment)?.live.delete(message.id);
    this.live.set(message.id, l);
    const seg = this.segment(segment);
    seg.live.add(message.id);
    seg.written++;
  }

  private requeued(l: Live, seq: number, at: number): void {
    l.seq = seq;
    l.dead = undefined;
    l.message = { ...l.message, failures: 0, notBefore: at };
  }

  private move(id: string, l: Live, segment: number): void {
    this.bySegment.get(l.segment)?.live.delete(id);
    l.segment = segment;
    const seg = this.segment(segment);
    seg.live.add(id);
    seg.written++;
  }

  private drop(id: string): void {
    const l = this.live.get(id);
    if (l === undefined) return;
    this.live.delete(id);
    this.bySegment.get(l.segment)?.live.delete(id);
  }

  private update(id: string, change: (l: Live) => void): void {
    const l = this.live.get(id);
    if (l !== undefined) change(l);
  }

  private segment(n: number): { live: Set<string>; written: number } {
    let seg = this.bySegment.get(n);
    if (seg === undefined) this.bySegment.set(n, (seg = { live: new Set(), written: 0 }));
    return seg;
  }

  private file(name: number | string): string {
    return join(this.dir, typeof name === 'number' ? segmentName(name) : name);
  }
}
