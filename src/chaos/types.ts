/**
 * The chaos area's public types, shared by the faults, the `chaos()` policy and
 * `chaosExperiment()`.
 */
import type { Observable, Subscription } from 'rxjs';

/** The four kinds of fault a chaos policy injects. */
export type ChaosFaultKind = 'latency' | 'error' | 'result' | 'behavior';

/** The call a fault is injected into, handed to every fault callback. */
export interface ChaosCall {
  /** The chaos policy's name. */
  readonly policy: string;
  /** The call's number through this policy, from 1 (every call counts, injected or not). */
  readonly call: number;
  /** Scheduler time at subscribe. */
  readonly at: number;
}

/** Delays the call's subscription to its source by `delay` ms (or what `delay(call)` returns). */
export interface LatencyFault {
  readonly kind: 'latency';
  readonly delay: number | ((call: ChaosCall) => number);
}
/** Ends the call with the error `error(call)` returns; the source is not subscribed. */
export interface ErrorFault {
  readonly kind: 'error';
  readonly error: (call: ChaosCall) => unknown;
}
/** Answers the call with the value `result(call)` returns, then completes; the source is not subscribed. */
export interface ResultFault<R = unknown> {
  readonly kind: 'result';
  readonly result: (call: ChaosCall) => R;
}
/** Runs `behavior(call)`, then subscribes the source as usual. */
export interface BehaviorFault {
  readonly kind: 'behavior';
  readonly behavior: (call: ChaosCall) => void;
}

export type ChaosFault<R = unknown> = LatencyFault | ErrorFault | ResultFault<R> | BehaviorFault;

/** What `state$` replays and emits: the switch, whether the policy injects now, and the injections so far. */
export interface ChaosState {
  readonly fault: ChaosFaultKind;
  /** The `enabled` switch (false until an `Observable` switch first emits `true`). */
  readonly enabled: boolean;
  /** True when a call arriving now could be injected: switched on, engaged (see `enlist`), under `maxInjections`. */
  readonly active: boolean;
  readonly injections: number;
}

/** What `stats()` returns. */
export interface ChaosStats extends ChaosState {
  readonly name: string;
  readonly rate: number;
  /** `null` when unbounded. */
  readonly maxInjections: number | null;
  /** Calls through the policy, injected or not. */
  readonly calls: number;
  /** True once an experiment lists the policy: from then on it injects only while engaged. */
  readonly enlisted: boolean;
}

/** One injection, reported before the fault acts. */
export interface ChaosEvent {
  readonly type: 'injection';
  readonly policy: string;
  /** Scheduler time. */
  readonly at: number;
  readonly fault: ChaosFaultKind;
  /** The call's number through this policy. */
  readonly call: number;
  /** Latency faults: the wait, in ms, after clamping. */
  readonly delay?: number;
}

/** A chaos policy: an operator that injects its fault into a share of the calls piped through it. */
export interface Chaos {
  <T>(source: Observable<T>): Observable<T>;
  readonly name: string;
  /** Replays the current state, then emits each change (switch flips, engagements, injections). */
  readonly state$: Observable<ChaosState>;
  /** Hot: one event per injection. */
  readonly events$: Observable<ChaosEvent>;
  stats(): ChaosStats;
  /**
   * Hands the policy to experiments: from now on it injects only while engaged. `chaosExperiment`
   * calls it for each policy it lists, when it is built. There is no way back.
   */
  enlist(): void;
  /**
   * Engages the policy: it injects while at least one engagement is open, its switch is on and it
   * is under `maxInjections`. Unsubscribe the returned subscription to end this engagement (an
   * object rather than a function, so it passes through a registry handle unchanged).
   */
  engage(): Subscription;
}
