/**
 * @internal The fixed window step. A record is the start of its window (aligned to a multiple of
 * `window` on the scheduler's clock) and the units counted in it. A call never spans windows: the
 * call behind `queued` others fits now when `queued` calls fit in what is left of this window,
 * else it lands in a later window, `floor(limit / cost)` calls per window.
 */
import { answer, type MutableResult } from './result.js';
import type { FixedWindowParams } from './store.js';

export interface CountRecord {
  idleAt: number;
  windowStart: number;
  count: number;
}

export function freshCount(): CountRecord {
  return { idleAt: 0, windowStart: 0, count: 0 };
}

export function takeFromCount(record: CountRecord, cost: number, now: number, p: FixedWindowParams, queued: number, out: MutableResult): MutableResult {
  const windowStart = Math.floor(now / p.window) * p.window;
  if (record.windowStart !== windowStart) {
    record.windowStart = windowStart;
    record.count = 0;
  }
  const left = p.limit - record.count;
  if (queued === 0 && cost <= left) {
    record.count += cost;
    record.idleAt = windowStart + p.window;
    return answer(out, true, 0, left - cost);
  }
  const fitNow = Math.floor(Math.max(0, left) / cost);
  if (queued < fitNow) return answer(out, false, 0, left);
  const later = 1 + Math.floor((queued - fitNow) / Math.floor(p.limit / cost));
  return answer(out, false, windowStart + later * p.window - now, Math.max(0, left));
}

export function countLeft(record: CountRecord | undefined, now: number, p: FixedWindowParams): number {
  if (record === undefined || now >= record.windowStart + p.window) return p.limit;
  return Math.max(0, p.limit - record.count);
}
