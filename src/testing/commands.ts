/**
 * The steps of a scenario (`CallCommand`), what a call to the fake dependency does for each, and
 * the error a failing attempt carries. Shared by `runScenario` and the arbitraries.
 */
import type { ScriptStep } from './scriptedService.js';

/** What one attempt of a call does at the dependency. `ignored` fails with an error marked `ignored`. */
export type CallOutcome = 'success' | 'failure' | 'ignored' | 'hang';

/** What the scenario does to the policies it drives (a manual control, a chaos switch, anything). */
export interface ControlContext {
  /** Scheduler time. */
  readonly now: number;
}

/** One step of a scenario against a policy or pipeline on virtual time. */
export type CallCommand =
  /**
   * Start a call whose attempts at the dependency end after `duration` ms with `outcome`
   * (`hang`: never, until cancelled), emitting `values` values on the way (default 1 for a
   * success, else 0). Later attempts of the same call (a retry, a hedge) follow `then` in order
   * (the last repeats; default: `outcome` again). `key` is handed to the target; `error` fields
   * (`status`, `retryAfter`, `code`, …) are set on the failure's error.
   */
  | {
      readonly type: 'call';
      readonly outcome: CallOutcome;
      readonly duration: number;
      readonly values?: number;
      readonly then?: readonly CallOutcome[];
      readonly key?: string;
      readonly error?: Readonly<Record<string, unknown>>;
    }
  /** Unsubscribe the oldest running call. */
  | { readonly type: 'cancel' }
  /** Let virtual time pass. */
  | { readonly type: 'advance'; readonly ms: number }
  /** Call the control `action` (`isolate`, `reset`, `disable`, …) of every watched policy that has it. */
  | { readonly type: 'control'; readonly action: string }
  /** Run any function: toggle chaos, push a config, flip a kill switch. */
  | { readonly type: 'control'; readonly run: (context: ControlContext) => void; readonly label?: string };

/** The error of a failing (or ignored) attempt: it names the scenario call and the attempt. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  readonly outcome: 'failure' | 'ignored';
  /** The scenario call (its index in the timeline's `calls`). */
  readonly caller: number;
  /** The attempt of that call, from 0. */
  readonly attempt: number;
  /** Set from the command's `error` (`retryAfter` in ms, as the library reads it). */
  readonly [field: string]: unknown;

  constructor(outcome: 'failure' | 'ignored', caller: number, attempt: number, fields: Readonly<Record<string, unknown>> = {}) {
    super(`${outcome} of call ${caller}, attempt ${attempt}`);
    this.outcome = outcome;
    this.caller = caller;
    this.attempt = attempt;
    Object.assign(this, fields);
  }
}

/** True for the error of an `ignored` attempt: pass `isFailure: (e) => !isIgnoredOutcome(e)` to a breaker. */
export function isIgnoredOutcome(error: unknown): boolean {
  return error instanceof ScenarioError && error.outcome === 'ignored';
}

/** The script step of attempt `attempt` of call `caller`, made by `command`. */
export function stepOf(command: Extract<CallCommand, { type: 'call' }>, caller: number, attempt: number): ScriptStep<string> {
  const outcomes = [command.outcome, ...(command.then ?? [])];
  const outcome = outcomes[Math.min(attempt, outcomes.length - 1)]!;
  const n = command.values ?? (outcome === 'success' ? 1 : 0);
  const values = Array.from({ length: n }, (_, j) => `c${caller}a${attempt}v${j}`);
  const every = n > 0 ? Math.floor(command.duration / n) : 0;
  const timing = { values, after: every, every, duration: command.duration };
  if (outcome === 'success') return timing;
  if (outcome === 'hang') return { ...timing, hang: true };
  return { ...timing, fail: new ScenarioError(outcome, caller, attempt, command.error) };
}
