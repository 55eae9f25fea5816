/** @internal Validation of `chaos()`'s and `chaosExperiment()`'s configs. */
import { isObservable, type Observable, type SchedulerLike } from 'rxjs';
import { configuredName } from '../internal/names.js';
import { descriptorOf } from '../internal/policy.js';
import { checker, type Check } from '../internal/validate.js';
import type { Chaos, ChaosFault } from './types.js';

export interface ParsedChaosConfig {
  readonly name: string;
  readonly rate: number;
  readonly fault: ChaosFault;
  /** A fixed switch, or a stream of it. */
  readonly enabled: boolean | Observable<boolean>;
  readonly maxInjections: number;
  readonly random: () => number;
  readonly scheduler: SchedulerLike | undefined;
}

const KEYS = ['name', 'rate', 'fault', 'enabled', 'maxInjections', 'random', 'scheduler'];

/** Checks `chaos()`'s config: `rate` in [0, 1] and `fault` are required. */
export function parseChaosConfig(config: unknown): ParsedChaosConfig {
  const c = checker('chaos').object('', config, KEYS);
  const name = configuredName('chaos', c);
  const check = checker(name);
  if (c.rate === undefined) check.fail('rate', undefined, 'a finite number in [0, 1] (required)');
  const rate = check.number('rate', c.rate, 0, 0, 1);
  const fault = checkFault(check, c.fault);
  const enabled: boolean | Observable<boolean> =
    c.enabled === undefined ? true : typeof c.enabled === 'boolean' || isObservable(c.enabled) ? (c.enabled as boolean | Observable<boolean>) : check.fail('enabled', c.enabled, 'a boolean or an Observable<boolean>');
  const maxInjections = check.integer('maxInjections', c.maxInjections, Number.POSITIVE_INFINITY, 0);
  const random = check.fn<() => number>('random', c.random) ?? Math.random;
  return { name, rate, fault, enabled, maxInjections, random, scheduler: check.scheduler('scheduler', c.scheduler) };
}

/** A fault built by `latencyFault`, `errorFault`, `resultFault` or `behaviorFault` (or one of that shape). */
function checkFault(check: Check, value: unknown): ChaosFault {
  const allowed = 'a fault: latencyFault(ms), errorFault(), resultFault(() => value) or behaviorFault(() => {})';
  const f = value as Partial<Record<string, unknown>> | null;
  if (typeof f !== 'object' || f === null) return check.fail('fault', value, allowed);
  if (f.kind === 'latency' && typeof f.delay !== 'function') check.duration('fault.delay', f.delay, 0, true);
  const ok =
    (f.kind === 'latency' && (typeof f.delay === 'function' || typeof f.delay === 'number')) ||
    (f.kind === 'error' && typeof f.error === 'function') ||
    (f.kind === 'result' && typeof f.result === 'function') ||
    (f.kind === 'behavior' && typeof f.behavior === 'function');
  if (!ok) check.fail('fault', value, allowed);
  return f as unknown as ChaosFault;
}

/** What `chaosExperiment` reads of a breaker: its name, and `state$` replaying the current state. */
export interface ObservedBreaker {
  readonly name: string;
  readonly state$: Observable<string>;
}

export interface ParsedExperimentConfig {
  readonly name: string;
  readonly inject: readonly Chaos[];
  readonly duration: number;
  readonly abortWhen: Observable<boolean | string> | undefined;
  readonly observe: readonly ObservedBreaker[];
  readonly recoveryTimeout: number;
  readonly scheduler: SchedulerLike | undefined;
}

const EXPERIMENT_KEYS = ['name', 'inject', 'duration', 'abortWhen', 'observe', 'recoveryTimeout', 'scheduler'];

/** Checks `chaosExperiment()`'s config: `inject` (chaos policies, at least one) and `duration` are required. */
export function parseChaosExperimentConfig(config: unknown): ParsedExperimentConfig {
  const c = checker('chaos-experiment').object('', config, EXPERIMENT_KEYS);
  const name = configuredName('chaos-experiment', c);
  const check = checker(name);
  const inject = c.inject;
  if (!Array.isArray(inject) || inject.length === 0) check.fail('inject', inject, 'a non-empty array of chaos() policies');
  (inject as unknown[]).forEach((p, i) => {
    if (descriptorOf(p)?.kind !== 'chaos') check.fail(`inject.${i}`, p, 'a chaos() policy (or a registry handle of one)');
  });
  if (c.duration === undefined) check.fail('duration', undefined, 'a finite number of milliseconds > 0 (required)');
  const duration = check.duration('duration', c.duration, 0);
  if (c.abortWhen !== undefined && !isObservable(c.abortWhen)) check.fail('abortWhen', c.abortWhen, 'an Observable<boolean | string>');
  const observe = c.observe ?? [];
  if (!Array.isArray(observe)) check.fail('observe', observe, 'an array of circuit breakers');
  (observe as Partial<ObservedBreaker>[]).forEach((b, i) => {
    if (typeof b?.name !== 'string' || !isObservable(b.state$)) check.fail(`observe.${i}`, b, 'a circuit breaker (an object with name and state$)');
  });
  return {
    name,
    inject: inject as Chaos[],
    duration,
    abortWhen: c.abortWhen as Observable<boolean | string> | undefined,
    observe: observe as ObservedBreaker[],
    recoveryTimeout: check.duration('recoveryTimeout', c.recoveryTimeout, 0, true),
    scheduler: check.scheduler('scheduler', c.scheduler),
  };
}
