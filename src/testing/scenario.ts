/**
 * `runScenario(target, commands)`: drives a policy, a composed pipeline or any
 * `(upstream, call) => Observable` through a list of commands on a `TestScheduler`, with a scripted
 * dependency behind it, and returns the timeline: every call (start, values, end, outcome), every
 * attempt that reached the dependency, every policy event and state change, the states after each
 * step, the law violations and the work left pending. The test writes no scheduling code.
 */
import type { Observable, Subscription } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { stepOf, type CallCommand } from './commands.js';
import { policiesOf } from './policies.js';
import { noPendingWork, trackedScheduler, type TrackedScheduler } from './scheduler.js';
import { scriptedService, type ScriptedCall } from './scriptedService.js';
import { watchLaws } from './watchLaws.js';

/** What the target is told about the call it makes. */
export interface ScenarioCallInfo {
  /** The call's index in the timeline's `calls`. */
  readonly id: number;
  /** The command's `key`, if any. */
  readonly key: string | undefined;
}

/** A policy (an operator) or a function of the upstream and the call. */
export type ScenarioTarget = (upstream: Observable<string>, call: ScenarioCallInfo) => Observable<unknown>;

export interface ScenarioOptions {
  /** The clock the policies use; give the same one to their factories. Default: a fresh tracked scheduler. */
  readonly scheduler?: TrackedScheduler | TestScheduler;
  /** What to watch (policies, an array in `pipe()` order, a pipeline with `parts`). Default: the target. */
  readonly policies?: unknown;
  /** Run the laws of the watched policies (default true). */
  readonly laws?: boolean;
  /** How long the clock runs after the last command, so every deadline passes (default 10 000 ms). */
  readonly settle?: number;
}

export interface ScenarioCall {
  readonly id: number;
  readonly command: Extract<CallCommand, { type: 'call' }>;
  readonly startedAt: number;
  readonly values: { readonly at: number; readonly value: unknown }[];
  endedAt: number | undefined;
  /** `unfinished`: still running when the scenario ended (then unsubscribed). */
  outcome: 'completed' | 'errored' | 'cancelled' | 'unfinished' | 'running';
  error: unknown;
}

export interface ScenarioStep {
  readonly index: number;
  readonly at: number;
  readonly command: CallCommand;
  /** The last value of each watched policy's state stream after the step, by policy name. */
  readonly states: Readonly<Record<string, unknown>>;
}

export interface ScenarioTimeline {
  readonly calls: readonly ScenarioCall[];
  /** Every attempt that reached the dependency; `tag` is the scenario call's id. */
  readonly upstream: readonly ScriptedCall[];
  readonly events: readonly { readonly at: number; readonly policy: string; readonly event: { readonly type: string } }[];
  /** Every value of every watched state stream (the current one at time 0 first). */
  readonly states: readonly { readonly at: number; readonly policy: string; readonly value: unknown }[];
  readonly steps: readonly ScenarioStep[];
  /** When the scenario ended (last command + `settle`). */
  readonly end: number;
  readonly violations: readonly string[];
  readonly skipped: readonly string[];
  /** Work left on the scheduler at the end (only when the scheduler is a tracked one). */
  readonly pendingWork: readonly string[];
}

/** The last timeline that watched each policy (for `expectStates` / `expectEvents`). */
const lastTimeline = new WeakMap<object, ScenarioTimeline>();

/** The timeline of the last scenario that watched `policy`, if any. */
export function timelineOf(policy: object): ScenarioTimeline | undefined {
  return lastTimeline.get(policy);
}

/** Runs `commands` against `target` on virtual time; see the module comment. Do not call it inside `TestScheduler.run`. */
export function runScenario(target: ScenarioTarget, commands: readonly CallCommand[], options: ScenarioOptions = {}): ScenarioTimeline {
  const given = options.scheduler;
  const tracked = given === undefined ? trackedScheduler() : given instanceof TestScheduler ? undefined : given;
  const base = tracked?.base ?? (given as TestScheduler);
  const clock = tracked ?? base;
  const subject = options.policies ?? target;
  const watched = policiesOf(subject);
  const calls: ScenarioCall[] = [];
  const running = new Map<number, Subscription>();
  const events: { at: number; policy: string; event: { type: string } }[] = [];
  const states: { at: number; policy: string; value: unknown }[] = [];
  const latest: Record<string, unknown> = {};
  const steps: ScenarioStep[] = [];
  let result: Omit<ScenarioTimeline, 'pendingWork'> | undefined;
  base.run(() => {
    const attempts = new Map<number, number>();
    const service = scriptedService<string>((_, call) => {
      const caller = calls[call.tag as number]!;
      const attempt = attempts.get(caller.id) ?? 0;
      attempts.set(caller.id, attempt + 1);
      return stepOf(caller.command, caller.id, attempt);
    }, clock);
    const watcher = options.laws === false ? undefined : watchLaws(subject, { service, scheduler: clock });
    const recording = watched.flatMap((p) => [
      p.events$?.subscribe((event) => events.push({ at: clock.now(), policy: p.name, event })),
      p.state$?.subscribe((value) => {
        latest[p.name] = value;
        states.push({ at: clock.now(), policy: p.name, value });
      }),
    ]);
    const start = (command: Extract<CallCommand, { type: 'call' }>) => {
      const call: ScenarioCall = { id: calls.length, command, startedAt: clock.now(), values: [], endedAt: undefined, outcome: 'running', error: undefined };
      calls.push(call);
      const end = (outcome: ScenarioCall['outcome'], error?: unknown) => {
        call.outcome = outcome;
        call.error = error;
        call.endedAt = clock.now();
        running.delete(call.id);
      };
      const output = target(service.call(call.id), { id: call.id, key: command.key });
      const subscribe = () =>
        output.subscribe({
          next: (value) => call.values.push({ at: clock.now(), value }),
          error: (error: unknown) => end('errored', error),
          complete: () => end('completed'),
        });
      const subscription = watcher ? watcher.subscribing(call.id, subscribe) : subscribe();
      if (call.outcome === 'running') running.set(call.id, subscription);
    };
    const stop = (id: number, outcome: 'cancelled' | 'unfinished') => {
      const subscription = running.get(id)!;
      calls[id]!.outcome = outcome;
      calls[id]!.endedAt = clock.now();
      running.delete(id);
      subscription.unsubscribe();
    };
    const execute = (command: CallCommand) => {
      if (command.type === 'call') start(command);
      else if (command.type === 'cancel') {
        const oldest = running.keys().next();
        if (!oldest.done) stop(oldest.value, 'cancelled');
      } else if (command.type === 'control') {
        if ('run' in command) command.run({ now: clock.now() });
        else for (const p of watched) if (p.descriptor.controls.includes(command.action)) (p.policy[command.action] as () => void)();
      }
      steps.push({ index: steps.length, at: clock.now(), command, states: { ...latest } });
    };
    // Commands run in order; an `advance` moves the next ones later. Each group is scheduled when
    // the previous one has run, so timers already due at that time fire first.
    const groups: { at: number; commands: CallCommand[] }[] = [{ at: 0, commands: [] }];
    for (const command of commands) {
      if (command.type === 'advance') {
        groups.push({ at: groups[groups.length - 1]!.at + command.ms, commands: [command] });
      } else groups[groups.length - 1]!.commands.push(command);
    }
    const end = groups[groups.length - 1]!.at + (options.settle ?? 10_000);
    const runGroup = (i: number) => {
      for (const command of groups[i]!.commands) execute(command);
      if (i + 1 < groups.length) base.schedule(() => runGroup(i + 1), groups[i + 1]!.at - clock.now());
      else base.schedule(finish, end - clock.now());
    };
    const finish = () => {
      watcher?.stop();
      for (const id of [...running.keys()]) stop(id, 'unfinished');
      for (const s of recording) s?.unsubscribe();
      result = { calls, upstream: service.calls, events, states, steps, end, violations: watcher?.violations ?? [], skipped: watcher?.skipped ?? [] };
    };
    base.schedule(() => runGroup(0), 0);
    base.maxFrames = end;
  });
  if (result === undefined) throw new Error(`runScenario: the scenario did not reach its end (${options.settle ?? 10_000} ms after the last command)`);
  const timeline: ScenarioTimeline = { ...result, pendingWork: tracked ? noPendingWork(tracked) : [] };
  for (const p of watched) lastTimeline.set(p.policy, timeline);
  return timeline;
}
