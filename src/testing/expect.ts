/**
 * Marble assertions on the streams of a policy, after `runScenario` has driven it:
 * `expectStates(breaker, 'c 9ms o 99ms h')` compares the frames and values of the policy's state
 * stream with a marble diagram (time progression syntax; frame 0 holds the state at the start);
 * `expectEvents(policy, '--(fs)', { f: 'failure', s: 'transition' })` does the same with the types
 * of its events. A mismatch throws an `AssertionError` listing both sequences.
 */
import { deepStrictEqual } from 'node:assert/strict';
import { TestScheduler } from 'rxjs/testing';
import { timelineOf, type ScenarioTimeline } from './scenario.js';

/** A breaker's states by letter: closed, open, half-open, isolated, disabled. */
export const BREAKER_STATES: Readonly<Record<string, string>> = { c: 'closed', o: 'open', h: 'half-open', i: 'isolated', d: 'disabled' };

type Frames = { frame: number; value: unknown }[];

function timeline(policy: object): { timeline: ScenarioTimeline; name: string } {
  const found = timelineOf(policy);
  if (found === undefined) throw new Error('expectStates/expectEvents: no scenario has watched this policy yet (run runScenario first)');
  return { timeline: found, name: (policy as { name: string }).name };
}

function compare(what: string, actual: Frames, marbles: string, values: Readonly<Record<string, unknown>>): void {
  // Run-mode marbles: one frame per character, `10ms` for ten frames.
  const factor = TestScheduler.frameTimeFactor;
  TestScheduler.frameTimeFactor = 1;
  let parsed: ReturnType<typeof TestScheduler.parseMarbles>;
  try {
    parsed = TestScheduler.parseMarbles(marbles, values, undefined, undefined, true);
  } finally {
    TestScheduler.frameTimeFactor = factor;
  }
  const expected: Frames = parsed.map((m) => {
    if (m.notification.kind !== 'N') throw new Error(`${what}: only values are allowed in the marbles '${marbles}'`);
    return { frame: m.frame, value: m.notification.value };
  });
  deepStrictEqual(actual, expected, `${what} differ from '${marbles}'`);
}

/**
 * Asserts the values of `policy`'s state stream in its last scenario. `values` maps the letters
 * (default: `BREAKER_STATES`); a state object is compared in full.
 */
export function expectStates(policy: object, marbles: string, values: Readonly<Record<string, unknown>> = BREAKER_STATES): void {
  const { timeline: t, name } = timeline(policy);
  compare(`the states of '${name}'`, t.states.filter((s) => s.policy === name).map((s) => ({ frame: s.at, value: s.value })), marbles, values);
}

/**
 * Asserts the events of `policy` in its last scenario, each projected by `project` (default: its
 * `type`); `values` maps the letters to projected values.
 */
export function expectEvents(policy: object, marbles: string, values: Readonly<Record<string, unknown>>, project: (event: { readonly type: string }) => unknown = (e) => e.type): void {
  const { timeline: t, name } = timeline(policy);
  compare(`the events of '${name}'`, t.events.filter((e) => e.policy === name).map((e) => ({ frame: e.at, value: project(e.event) })), marbles, values);
}
