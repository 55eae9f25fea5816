/**
 * The laws of the policies that decide when a call may run: circuit breaker, retry, time limit.
 * Each reads its policy's resolved settings and public streams, and the dependency's activity.
 */
import type { Subscription } from 'rxjs';
import type { CircuitState } from '../index.js';
import { isLegalBreakerTransition } from './laws.js';
import type { WatchedPolicy } from './policies.js';
import type { ScriptedCall } from './scriptedService.js';
import type { Law, LawContext } from './lawTypes.js';

const num = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);

/** A part that may hold a call and start it later, or start it again: a queue, a retry, a hedge. */
export function holdsCalls(p: WatchedPolicy): boolean {
  if (p.kind === 'retry' || p.kind === 'hedge') return true;
  if (p.kind === 'bulkhead' || p.kind === 'adaptive-concurrency') return num(p.settings.maxQueued ?? p.stats()?.maxQueued, 0) > 0;
  if (p.kind === 'rate-limiter' || p.kind === 'adaptive-rate-limit') return p.settings.mode !== 'reject';
  return false;
}

const names = (parts: readonly WatchedPolicy[]) => parts.map((p) => `${p.kind} '${p.name}'`).join(', ');

/** Breaker: no call reaches the dependency while open or isolated; at most `halfOpenMaxCalls` trials at once; legal transitions. */
export function breakerLaw(p: WatchedPolicy, ctx: LawContext): Law {
  const max = num(p.settings.halfOpenMaxCalls, 1);
  const holders = ctx.inner.filter(holdsCalls);
  if (holders.length > 0) ctx.skip('no call while open', `${names(holders)} inside it may start a call the breaker admitted earlier`);
  const spawners = ctx.inner.filter((q) => q.kind !== 'retry' && holdsCalls(q));
  if (spawners.length > 0) ctx.skip('half-open trial limit', `${names(spawners)} inside it`);
  let seen: CircuitState | undefined;
  let period = 0;
  let trials = 0;
  const trialOf = new Map<ScriptedCall, number>();
  const enter = (next: CircuitState | undefined) => {
    if (next === undefined || next === known) return;
    known = next;
    period++;
    trials = 0;
  };
  let known: CircuitState | undefined;
  const subscriptions: Subscription[] = [];
  if (p.state$ !== undefined) {
    subscriptions.push(
      p.state$.subscribe((value) => {
        const next = value as CircuitState;
        if (seen !== undefined && !isLegalBreakerTransition(seen, next)) ctx.report(`illegal transition ${seen} -> ${next}`);
        seen = next;
        enter(next);
      }),
    );
  }
  return {
    subscriptions,
    start(call) {
      // The breaker's own `stats()` is the state that admitted the call (a listener of `state$`
      // may start a call before `state$` has delivered the change it heard of).
      const state = (p.stats()?.state as CircuitState | undefined) ?? seen;
      enter(state);
      if (holders.length === 0 && (state === 'open' || state === 'isolated')) ctx.report(`call #${call.index} reached the dependency at ${call.startedAt} while ${state}`);
      if (state !== 'half-open' || spawners.length > 0) return;
      trialOf.set(call, period);
      if (++trials > max) ctx.report(`${trials} half-open trials at once at ${call.startedAt} (halfOpenMaxCalls ${max})`);
    },
    end(call) {
      if (trialOf.get(call) === period) trials--;
      trialOf.delete(call);
    },
  };
}

/** The scenario call a failure belongs to, when the error says (the scenario runner's errors do). */
function callerOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'caller' in error ? (error as { caller: unknown }).caller : undefined;
}

function retryAfterOf(error: unknown): number | undefined {
  const ra = (error as { retryAfter?: unknown } | null)?.retryAfter;
  return typeof ra === 'number' && ra >= 0 && Number.isFinite(ra) ? ra : undefined;
}

type RetryEvent =
  | { readonly type: 'retry'; readonly at: number; readonly attempt: number; readonly delay: number; readonly error: unknown }
  | { readonly type: 'success' | 'give-up'; readonly at: number; readonly attempts: number };

/**
 * Retry: attempts ≤ `maxAttempts`; each wait ≥ the error's `retryAfter` and ≤ `maxDelay`; the next
 * attempt of the same call starts no sooner than the wait announced; a budget grants every retry.
 */
export function retryLaw(p: WatchedPolicy, ctx: LawContext): Law {
  const maxAttempts = num(p.settings.maxAttempts, 3);
  const maxDelay = num(p.settings.maxDelay, Infinity);
  const budget = p.settings.budget as { stats(): { granted: number }; state$: WatchedPolicy['state$'] } | undefined;
  const budgetGranted0 = budget?.stats().granted ?? 0;
  let retries = 0;
  const due = new Map<unknown, number>();
  const subscriptions: Subscription[] = [];
  subscriptions.push(
    p.events$!.subscribe((raw) => {
      const e = raw as RetryEvent;
      if (e.type !== 'retry') {
        if (e.attempts > maxAttempts) ctx.report(`${e.type} after ${e.attempts} attempts (maxAttempts ${maxAttempts})`);
        return;
      }
      retries++;
      if (e.attempt >= maxAttempts) ctx.report(`a retry after attempt ${e.attempt} at ${e.at} (maxAttempts ${maxAttempts})`);
      const ra = retryAfterOf(e.error);
      if (ra !== undefined && e.delay < ra) ctx.report(`waits ${e.delay} ms at ${e.at}, less than the error's retryAfter ${ra}`);
      if (e.delay > maxDelay) ctx.report(`waits ${e.delay} ms at ${e.at}, more than maxDelay ${maxDelay}`);
      if (budget !== undefined && retries > budget.stats().granted - budgetGranted0) ctx.report(`retry ${retries} at ${e.at} was not granted by its budget`);
      const caller = callerOf(e.error);
      if (caller !== undefined) due.set(caller, e.at + e.delay);
    }),
  );
  if (budget?.state$ !== undefined) subscriptions.push(budget.state$.subscribe((n) => typeof n === 'number' && n < 0 && ctx.report(`the budget went negative (${n})`)));
  return {
    subscriptions,
    start(call) {
      const notBefore = due.get(call.tag);
      if (notBefore === undefined) return;
      due.delete(call.tag);
      if (call.startedAt < notBefore) ctx.report(`call ${String(call.tag)} retried at ${call.startedAt}, before its wait ended at ${notBefore}`);
    },
  };
}

/** When an upstream call had to be over, under a time limit's settings. */
function deadlineOf(call: ScriptedCall, duration: number | undefined, first: number | undefined, each: number | undefined): number {
  let deadline = duration === undefined ? Infinity : call.startedAt + duration;
  const firstLimit = first ?? each;
  const firstAt = call.valuesAt[0];
  if (firstLimit !== undefined && (firstAt === undefined || firstAt > call.startedAt + firstLimit)) deadline = Math.min(deadline, call.startedAt + firstLimit);
  // `each: 0` limits only the first value (as RxJS `timeout` does): gaps need `each` above 0.
  if (each !== undefined && each > 0) {
    for (let i = 1; i < call.valuesAt.length; i++) if (call.valuesAt[i]! > call.valuesAt[i - 1]! + each) deadline = Math.min(deadline, call.valuesAt[i - 1]! + each);
    const last = call.valuesAt[call.valuesAt.length - 1];
    if (last !== undefined) deadline = Math.min(deadline, last + each);
  }
  return deadline;
}

/** Time limit: no call to the dependency outlives its deadline (`duration`, `first`, `each`). */
export function timeLimitLaw(p: WatchedPolicy, ctx: LawContext): Law {
  const opt = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const [duration, first, each] = [opt(p.settings.duration), opt(p.settings.first), opt(p.settings.each)];
  const shared = ctx.inner.filter((q) => q.kind === 'cache');
  if (shared.length > 0) ctx.skip('nothing outlives its deadline', `${names(shared)} inside it shares calls between callers`);
  const judge = (call: ScriptedCall, lastSeen: number) => {
    const deadline = deadlineOf(call, duration, first, each);
    if (lastSeen > deadline) ctx.report(`call #${call.index} started at ${call.startedAt} still ran at ${lastSeen}, past its deadline ${deadline}`);
  };
  return {
    subscriptions: [],
    end(call) {
      if (shared.length === 0) judge(call, call.endedAt!);
    },
    finish() {
      if (shared.length > 0) return;
      for (const call of ctx.calls()) if (call.end === undefined) judge(call, ctx.now());
    },
  };
}
