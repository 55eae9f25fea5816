/** @internal The breaker part of a chaos experiment's report, from the states a run saw. */
import type { ChaosFaultKind } from './types.js';

/** The states one observed breaker went through during a run, with the scheduler time of each. */
export interface BreakerTimeline {
  readonly name: string;
  readonly entries: { readonly state: string; readonly at: number }[];
}

export function emptyByFault(): Record<ChaosFaultKind, number> {
  return { latency: 0, error: 0, result: 0, behavior: 0 };
}

/**
 * Transitions are the changes between consecutive states. The time to recover is measured from
 * the last injection: the state after every change at that instant counts as "then" (a breaker
 * tripped by the last injection is open then, not closed).
 */
export function breakerReport(timeline: BreakerTimeline, lastInjectionAt: number | null) {
  const transitions: { from: string; to: string; at: number }[] = [];
  const entries = timeline.entries;
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]!.state !== entries[i - 1]!.state) transitions.push({ from: entries[i - 1]!.state, to: entries[i]!.state, at: entries[i]!.at });
  }
  return { name: timeline.name, state: entries.at(-1)?.state ?? 'unknown', transitions, timeToRecover: recovery(entries, lastInjectionAt) };
}

function recovery(entries: BreakerTimeline['entries'], last: number | null): number | null {
  if (last === null) return null;
  let then: string | undefined;
  for (const { state, at } of entries) {
    if (at <= last) then = state;
    else if (then === 'closed') return 0;
    else if (state === 'closed') return at - last;
  }
  return then === 'closed' ? 0 : null;
}
