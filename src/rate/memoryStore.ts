/**
 * `memoryStore()`: the embedded default store. State lives in this process, one record per key
 * and algorithm, dropped once idle (see `keyed.ts`); `maxKeys` bounds the rest. Answers are
 * synchronous. Limiters that share one store share the records of equal keys, as they would
 * with a shared remote store; each limiter gets its own store by default.
 */
import { checker } from '../internal/validate.js';
import { countLeft, freshCount, takeFromCount, type CountRecord } from './fixedCount.js';
import { takeTokens, tokensLeft, type BucketRecord } from './gcra.js';
import { KeyedRecords } from './keyed.js';
import type { MutableResult } from './result.js';
import { freshLog, takeFromLog, unitsLeft, type LogRecord } from './slidingLog.js';
import type { RateParams, RateStore, TakeResult } from './store.js';

export interface MemoryStoreOptions {
  /** Most keys kept per algorithm; beyond it the least recently used key is dropped. Default 100 000. */
  readonly maxKeys?: number;
}

export interface MemoryStore extends RateStore {
  take(key: string, cost: number, now: number, params: RateParams, queued: number): TakeResult;
  peek(key: string, now: number, params: RateParams): number;
  /** Keys held now, all algorithms together (idle ones not yet dropped included). */
  readonly size: number;
  /** Drops every idle key; returns how many. */
  sweep(now: number): number;
}

export const DEFAULT_MAX_KEYS = 100_000;

/** Builds an in-process store for any of the limiter algorithms. */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const check = checker('memory-store');
  const config = check.object('', options, ['maxKeys'], true);
  return new Memory(check.integer('maxKeys', config.maxKeys, DEFAULT_MAX_KEYS));
}

class Memory implements MemoryStore {
  private buckets: KeyedRecords<BucketRecord> | undefined = undefined;
  private logs: KeyedRecords<LogRecord> | undefined = undefined;
  private counts: KeyedRecords<CountRecord> | undefined = undefined;
  private readonly out: MutableResult = { allowed: false, retryAfter: 0, remaining: 0 };

  constructor(private readonly maxKeys: number) {}

  get size(): number {
    return (this.buckets?.size ?? 0) + (this.logs?.size ?? 0) + (this.counts?.size ?? 0);
  }

  take(key: string, cost: number, now: number, params: RateParams, queued: number): TakeResult {
    switch (params.kind) {
      case 'token-bucket': {
        const records = (this.buckets ??= new KeyedRecords(this.maxKeys));
        let record = records.find(key);
        if (record === undefined) records.add(key, (record = { idleAt: now }), now);
        return takeTokens(record, cost, now, params, queued, this.out);
      }
      case 'sliding-window': {
        const records = (this.logs ??= new KeyedRecords(this.maxKeys));
        let record = records.find(key);
        if (record === undefined) records.add(key, (record = freshLog()), now);
        return takeFromLog(record, cost, now, params, queued, this.out);
      }
      case 'fixed-window': {
        const records = (this.counts ??= new KeyedRecords(this.maxKeys));
        let record = records.find(key);
        if (record === undefined) records.add(key, (record = freshCount()), now);
        return takeFromCount(record, cost, now, params, queued, this.out);
      }
    }
  }

  peek(key: string, now: number, params: RateParams): number {
    switch (params.kind) {
      case 'token-bucket':
        return tokensLeft(this.buckets?.find(key), now, params);
      case 'sliding-window':
        return unitsLeft(this.logs?.find(key), now, params);
      case 'fixed-window':
        return countLeft(this.counts?.find(key), now, params);
    }
  }

  sweep(now: number): number {
    return (this.buckets?.sweep(now) ?? 0) + (this.logs?.sweep(now) ?? 0) + (this.counts?.sweep(now) ?? 0);
  }
}
