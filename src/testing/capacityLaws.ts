/**
 * The laws of the policies that bound how much runs: bulkhead (and adaptive concurrency), rate
 * limiters, hedging, cache. Each reads its policy's resolved settings and public streams.
 */
import type { Subscription } from 'rxjs';
import type { WatchedPolicy } from './policies.js';
import type { ScriptedCall } from './scriptedService.js';
import type { Law, LawContext } from './lawTypes.js';

/** Slack for floating-point refill arithmetic. */
const EPSILON = 1e-6;

type PoolEvent = { readonly type: string; readonly at: number; readonly priority?: number; readonly waited?: number; readonly queued?: number };

/**
 * Bulkhead: never more than the limit admitted at once (counted from its own events); the queue
 * never above `maxQueued`; within one priority, calls leave the queue in the order they entered.
 */
export function poolLaw(p: WatchedPolicy, ctx: LawContext): Law {
  const limitNow = () => (typeof p.settings.maxConcurrent === 'number' ? p.settings.maxConcurrent : Number(p.stats()?.limit ?? Infinity));
  const maxQueued = typeof p.settings.maxQueued === 'number' ? p.settings.maxQueued : Number(p.stats()?.maxQueued ?? Infinity);
  let active = 0;
  /** Per priority: when each waiting call entered the queue, oldest first. */
  const waiting = new Map<number, number[]>();
  const leave = (e: PoolEvent): number[] | undefined => {
    const list = waiting.get(e.priority ?? 0);
    const entered = e.at - (e.waited ?? 0);
    const i = list?.indexOf(entered) ?? -1;
    if (i < 0) return undefined;
    list!.splice(i, 1);
    return list;
  };
  const subscriptions: Subscription[] = [
    p.events$!.subscribe((raw) => {
      const e = raw as PoolEvent;
      if (e.type === 'queued') {
        const list = waiting.get(e.priority ?? 0) ?? [];
        waiting.set(e.priority ?? 0, list);
        list.push(e.at);
        if ((e.queued ?? 0) > maxQueued) ctx.report(`${e.queued} calls queued at ${e.at} (maxQueued ${maxQueued})`);
      } else if (e.type === 'admitted') {
        const head = waiting.get(e.priority ?? 0)?.[0];
        const entered = e.at - (e.waited ?? 0);
        if (head !== undefined && entered > head) ctx.report(`at ${e.at} admitted a call that entered the queue at ${entered} before one waiting since ${head} (priority ${e.priority ?? 0})`);
        leave(e);
        const limit = limitNow();
        if (++active > limit) ctx.report(`${active} calls admitted at once at ${e.at} (limit ${limit})`);
      } else if (e.type === 'released') {
        active--;
      } else if (e.type === 'cancelled' || e.type === 'timed-out') {
        leave(e);
      }
    }),
  ];
  return { subscriptions };
}

type LimiterEvent = { readonly type: string; readonly at: number; readonly key: string; readonly cost?: number };

/** The most cost a limiter's settings allow in `[since, now]`, or undefined when outside its window. */
function allowance(s: Readonly<Record<string, unknown>>, since: number, now: number): number | undefined {
  if (s.kind === 'token-bucket') return Number(s.capacity) + (now - since) / Number(s.interval);
  const window = Number(s.window);
  if (s.kind === 'fixed-window') return since >= Math.floor(now / window) * window ? Number(s.limit) : undefined;
  return since > now - window ? Number(s.limit) : undefined;
}

/** Rate limiters: for every key, the cost admitted over any interval never exceeds what the settings allow (capacity + rate·t, or the limit per window). */
export function limiterLaw(p: WatchedPolicy, ctx: LawContext): Law {
  const admitted = new Map<string, { at: number; cost: number }[]>();
  const subscriptions: Subscription[] = [];
  if (p.settings.kind === undefined) {
    ctx.skip('admissions within the bound', 'its settings do not state a fixed bound');
    return { subscriptions };
  }
  subscriptions.push(
    p.events$!.subscribe((raw) => {
      const e = raw as LimiterEvent;
      if (e.type !== 'admitted') return;
      const list = admitted.get(e.key) ?? [];
      admitted.set(e.key, list);
      list.push({ at: e.at, cost: e.cost ?? 1 });
      let total = 0;
      for (let i = list.length - 1; i >= 0; i--) {
        total += list[i]!.cost;
        const allowed = allowance(p.settings, list[i]!.at, e.at);
        if (allowed === undefined) break;
        if (total > allowed + EPSILON) {
          ctx.report(`key '${e.key}': admitted ${total} in [${list[i]!.at}, ${e.at}], more than the ${allowed} its settings allow`);
          break;
        }
      }
    }),
  );
  return { subscriptions };
}

/** Groups the dependency's calls by scenario call. */
function byCaller(calls: readonly ScriptedCall[]): ScriptedCall[][] {
  const groups = new Map<unknown, ScriptedCall[]>();
  for (const c of calls) if (c.tag !== undefined) groups.set(c.tag, [...(groups.get(c.tag) ?? []), c]);
  return [...groups.values()];
}

/** Hedge: attempts ≤ 1 + `maxHedges` (per call, at the dependency and in its events); once an attempt wins, the others are unsubscribed at once. */
export function hedgeLaw(p: WatchedPolicy, ctx: LawContext): Law {
  const max = 1 + (typeof p.settings.maxHedges === 'number' ? p.settings.maxHedges : 1);
  const inner = ctx.inner.filter((q) => q.kind === 'hedge');
  const perCall = inner.reduce((n, q) => n * (1 + Number(q.settings.maxHedges ?? 1)), max);
  const caches = ctx.inner.filter((q) => q.kind === 'cache');
  if (caches.length > 0) ctx.skip('losers unsubscribed', 'a cache inside it shares calls between callers');
  const running = new Map<unknown, number>();
  const subscriptions: Subscription[] = [
    p.events$!.subscribe((raw) => {
      const e = raw as { type: string; at: number; attempt?: number; attempts?: number };
      const n = e.type === 'hedge' ? e.attempt : e.attempts;
      if (n !== undefined && n > max) ctx.report(`${e.type} with attempt ${n} at ${e.at} (1 + maxHedges = ${max})`);
    }),
  ];
  return {
    subscriptions,
    start(call) {
      if (call.tag === undefined) return;
      const n = (running.get(call.tag) ?? 0) + 1;
      running.set(call.tag, n);
      if (n > perCall) ctx.report(`call ${String(call.tag)} had ${n} attempts at the dependency at once at ${call.startedAt} (at most ${perCall})`);
    },
    end(call) {
      if (call.tag !== undefined) running.set(call.tag, (running.get(call.tag) ?? 1) - 1);
    },
    finish() {
      if (caches.length > 0) return;
      for (const group of byCaller(ctx.calls())) {
        for (const winner of group) {
          const won = winner.valuesAt[0] ?? (winner.end === 'completed' ? winner.endedAt : undefined);
          if (won === undefined) continue;
          for (const other of group) {
            if (other === winner || other.startedAt > won || (other.endedAt !== undefined && other.endedAt <= won)) continue;
            ctx.report(`call ${String(winner.tag)}: attempt #${other.index} kept running after attempt #${winner.index} won at ${won}`);
          }
        }
      }
    },
  };
}

/** Cache: a fresh hit is younger than `ttl` and never subscribes upstream for that call. */
export function cacheLaw(p: WatchedPolicy, ctx: LawContext): Law {
  const ttl = typeof p.settings.ttl === 'number' ? p.settings.ttl : Infinity;
  const hits = new Map<unknown, number>();
  const subscriptions: Subscription[] = [
    p.events$!.subscribe((raw) => {
      const e = raw as { type: string; at: number; age?: number };
      if (e.type !== 'hit') return;
      if ((e.age ?? 0) > ttl) ctx.report(`a fresh hit at ${e.at} of age ${e.age} (ttl ${ttl})`);
      const caller = ctx.subscribing();
      if (caller === undefined) return;
      hits.set(caller, e.at);
      const before = ctx.calls().find((c) => c.tag === caller);
      if (before !== undefined) ctx.report(`call ${String(caller)} was a fresh hit at ${e.at}, yet reached the dependency at ${before.startedAt}`);
    }),
  ];
  return {
    subscriptions,
    start(call) {
      const at = hits.get(call.tag);
      if (at !== undefined) ctx.report(`call ${String(call.tag)} was a fresh hit at ${at}, yet reached the dependency at ${call.startedAt}`);
    },
  };
}
