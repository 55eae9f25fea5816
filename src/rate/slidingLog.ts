/**
 * @internal The exact sliding window step. A record is the log of admitted times, one entry per
 * unit of cost (at most `limit` live entries); an entry admitted at `t` counts while
 * `now < t + window`. A call needs `cost` free units. The call behind `queued` others needs the
 * unit `m = count + (queued + 1) · cost − 1` of the combined sequence (logged, then queued), which
 * frees when unit `m − limit` expires; when that unit belongs to a queued call, it expires one
 * window after that call is admitted, so the answer is found a whole number of windows later.
 */
import { answer, type MutableResult } from './result.js';
import type { SlidingWindowParams } from './store.js';

export interface LogRecord {
  idleAt: number;
  readonly times: number[];
  /** Index of the oldest live entry in `times`. */
  start: number;
}

export function freshLog(): LogRecord {
  return { idleAt: 0, times: [], start: 0 };
}

export function takeFromLog(record: LogRecord, cost: number, now: number, p: SlidingWindowParams, queued: number, out: MutableResult): MutableResult {
  expire(record, now, p.window);
  const { times, start } = record;
  const count = times.length - start;
  if (queued === 0 && count + cost <= p.limit) {
    for (let i = 0; i < cost; i++) times.push(now);
    record.idleAt = now + p.window;
    return answer(out, true, 0, p.limit - count - cost);
  }
  // While unit m − limit belongs to queued call j, that call is admitted when its own last unit
  // frees, one window earlier: j = queued − step, where step = ceil((limit + 1) / cost) − 1 ≥ 1
  // (cost ≤ limit). So the answer lies `floor(queued / step)` windows past the one for call
  // `queued mod step`, in closed form: the work per arrival does not grow with the queue.
  const step = Math.ceil((p.limit + 1) / cost) - 1;
  const windows = Math.floor(queued / step);
  const unit = count + ((queued % step) + 1) * cost - 1 - p.limit;
  const base = unit < 0 ? now : times[start + unit]! + p.window;
  return answer(out, false, Math.max(0, base + windows * p.window - now), Math.max(0, p.limit - count));
}

export function unitsLeft(record: LogRecord | undefined, now: number, p: SlidingWindowParams): number {
  if (record === undefined) return p.limit;
  let live = 0;
  for (let i = record.start; i < record.times.length; i++) if (record.times[i]! > now - p.window) live++;
  return Math.max(0, p.limit - live);
}

function expire(record: LogRecord, now: number, window: number): void {
  const times = record.times;
  let start = record.start;
  while (start < times.length && times[start]! + window <= now) start++;
  if (start > 32 && start * 2 >= times.length) {
    times.splice(0, start);
    start = 0;
  } else if (start === times.length) {
    times.length = 0;
    start = 0;
  }
  record.start = start;
}
