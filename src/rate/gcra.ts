/**
 * @internal The token bucket step, in GCRA form. A bucket is one number: `idleAt`, the instant it
 * is full again. With `interval` ms per token and `burst = capacity · interval`, the tokens at
 * `now` are `(burst − (max(idleAt, now) − now)) / interval`: a bucket starts full, refills
 * continuously (fractional tokens) and never goes into debt. Taking `cost` moves `idleAt` on by
 * `cost · interval`. The call behind `queued` others of the same cost is admitted once
 * `(queued + 1) · cost` tokens have come in, which is exact because those ahead take as soon as
 * theirs are there.
 */
import { answer, type MutableResult } from './result.js';
import { slack, type TokenBucketParams } from './store.js';

export interface BucketRecord {
  idleAt: number;
}

export function takeTokens(record: BucketRecord, cost: number, now: number, p: TokenBucketParams, queued: number, out: MutableResult): MutableResult {
  const interval = p.interval;
  const burst = p.capacity * interval;
  const full = record.idleAt > now ? record.idleAt : now;
  const admitAt = full + (queued + 1) * cost * interval - burst;
  if (queued === 0 && admitAt <= now + slack(now)) {
    record.idleAt = full + cost * interval;
    return answer(out, true, 0, Math.max(0, (burst - (record.idleAt - now)) / interval));
  }
  return answer(out, false, Math.max(0, admitAt - now), (burst - (full - now)) / interval);
}

export function tokensLeft(record: BucketRecord | undefined, now: number, p: TokenBucketParams): number {
  if (record === undefined || record.idleAt <= now) return p.capacity;
  return Math.max(0, p.capacity - (record.idleAt - now) / p.interval);
}
