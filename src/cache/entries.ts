/**
 * @internal The cache's entries: a bounded LRU (lru-cache) of stored results with their ages on
 * the scheduler's clock. lru-cache's own `ttl` is not used: it reads `performance.now()`.
 *
 * An entry stored at `t` is fresh while `now < t + ttl`, stale while `now < t + ttl + staleTtl`,
 * then expired: dropped when next looked up (or evicted first, as the least recently used).
 */
import { LRUCache } from 'lru-cache';

export interface Entry {
  readonly values: readonly unknown[];
  readonly storedAt: number;
}

export interface Found {
  readonly entry: Entry;
  readonly age: number;
  readonly state: 'fresh' | 'stale';
}

export class Entries {
  private readonly lru: LRUCache<string, Entry>;

  constructor(
    maxEntries: number,
    private readonly ttl: number,
    private readonly staleTtl: number,
    onEvict: (key: string) => void,
    private readonly onExpire: (key: string) => void,
  ) {
    this.lru = new LRUCache<string, Entry>({
      max: maxEntries,
      dispose: (_entry, key, reason) => {
        if (reason === 'evict') onEvict(key);
      },
    });
  }

  get size(): number {
    return this.lru.size;
  }

  /** The live entry for `key` and its age; `touch` marks it recently used. Drops it once expired. */
  find(key: string, now: number, touch: boolean): Found | undefined {
    const entry = touch ? this.lru.get(key) : this.lru.peek(key);
    if (entry === undefined) return undefined;
    const age = now - entry.storedAt;
    if (age < this.ttl) return { entry, age, state: 'fresh' };
    if (age < this.ttl + this.staleTtl) return { entry, age, state: 'stale' };
    this.lru.delete(key);
    this.onExpire(key);
    return undefined;
  }

  store(key: string, values: readonly unknown[], now: number): void {
    this.lru.set(key, { values, storedAt: now });
  }

  delete(key: string): boolean {
    return this.lru.delete(key);
  }

  clear(): void {
    this.lru.clear();
  }
}
