/**
 * @internal The on-disk format of `fileStore`: segment files `00000001.log`, `00000002.log` …,
 * each a run of records
 *
 * ```text
 * magic u32 "RXQ1" | body length u32 | CRC-32 of the body u32 | body (UTF-8 JSON)
 * ```
 *
 * all big-endian. A record is valid when its magic, length and checksum agree. Reading a segment
 * stops at the first invalid record; whether that is a torn tail (nothing valid after it: cut it
 * off) or corruption in the middle (a valid record follows: refuse) is decided by looking for a
 * valid record at any later byte.
 */
import { crc32 } from 'node:zlib';
import type { StoredMessage } from './types.js';

const MAGIC = 0x52585131;
const HEADER = 12;

/** The record kinds: message (new or carried forward), ack, failure, dead letter, requeue. */
export type LogRecord =
  | { t: 'm'; s: number; id: string; k?: string; p: unknown; at: number; f: number; nb: number; e?: string; da?: number }
  | { t: 'a'; id: string }
  | { t: 'f'; id: string; f: number; nb: number }
  | { t: 'd'; id: string; f: number; e: string; da: number }
  | { t: 'q'; id: string; s: number; at: number };

export function encode(record: LogRecord): Buffer {
  const body = Buffer.from(JSON.stringify(record), 'utf8');
  const out = Buffer.allocUnsafe(HEADER + body.length);
  out.writeUInt32BE(MAGIC, 0);
  out.writeUInt32BE(body.length, 4);
  out.writeUInt32BE(crc32(body), 8);
  body.copy(out, HEADER);
  return out;
}

/** The records of one segment, and where and why reading stopped early, if it did. */
export interface SegmentScan {
  readonly records: LogRecord[];
  /** Offset of the first invalid byte, or `undefined` when the whole segment is valid. */
  readonly badAt: number | undefined;
  /** A valid record starts after `badAt`: the damage is in the middle. */
  readonly validAfter: boolean;
}

export function scanSegment(data: Buffer): SegmentScan {
  const records: LogRecord[] = [];
  let offset = 0;
  while (offset < data.length) {
    const record = readAt(data, offset);
    if (record === undefined) {
      let validAfter = false;
      for (let p = offset + 1; p + HEADER <= data.length && !validAfter; p++) {
        if (data.readUInt32BE(p) === MAGIC && readAt(data, p) !== undefined) validAfter = true;
      }
      return { records, badAt: offset, validAfter };
    }
    records.push(record.record);
    offset = record.end;
  }
  return { records, badAt: undefined, validAfter: false };
}

function readAt(data: Buffer, offset: number): { record: LogRecord; end: number } | undefined {
  if (offset + HEADER > data.length || data.readUInt32BE(offset) !== MAGIC) return undefined;
  const length = data.readUInt32BE(offset + 4);
  const end = offset + HEADER + length;
  if (end > data.length) return undefined;
  const body = data.subarray(offset + HEADER, end);
  if (crc32(body) !== data.readUInt32BE(offset + 8)) return undefined;
  try {
    const record = JSON.parse(body.toString('utf8')) as LogRecord;
    return typeof record === 'object' && record !== null && typeof record.id === 'string' ? { record, end } : undefined;
  } catch {
    return undefined;
  }
}

export function segmentName(n: number): string {
  return `${String(n).padStart(8, '0')}.log`;
}

/** Segment numbers of the `*.log` files among `names`, ascending. */
export function segmentNumbers(names: readonly string[]): number[] {
  return names.filter((n) => /^\d{8}\.log$/.test(n)).map((n) => Number(n.slice(0, 8))).sort((a, b) => a - b);
}

/** The record of a message with its state (a carried-forward one may be a dead letter). */
export function messageRecord(m: StoredMessage, s: number, dead: { error: string; deadAt: number } | undefined): LogRecord {
  return {
    t: 'm', s, id: m.id, p: m.payload, at: m.enqueuedAt, f: m.failures, nb: m.notBefore,
    ...(m.key === undefined ? {} : { k: m.key }),
    ...(dead === undefined ? {} : { e: dead.error, da: dead.deadAt }),
  };
}
