/**
 * Operation mode: NORMAL, DEGRADED or EMERGENCY, derived from a
 * health stream by rules, with reasons and the components involved, and a manual override.
 *
 * State scope: factory call. `mode$` replays the current mode and emits on change (of the mode,
 * its reasons or the override). While `mode$` (or `whenMode`, or a running `degradable` call) is
 * observed, one subscription to `health$` is held; when the last observer leaves it is released.
 * The override lives on the object and applies whether or not anyone observes.
 */
import { distinctUntilChanged, from, map, Observable, Subscriber, type ObservableInput, type SchedulerLike, type Subscription } from 'rxjs';
import { StateCell } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import { brand } from '../internal/policy.js';
import { checker, isPlainObject } from '../internal/validate.js';
import { defaultModeRules, evaluateRules, modeOf, type ModeReason, type ModeRule, type OperationModeLevel, type RuleError } from './modeRules.js';
import type { SystemHealth } from './types.js';

export type { ModeReason, ModeRule, OperationModeLevel, RuleError } from './modeRules.js';

export interface OperationModeConfig {
  /** Default `'operation-mode'`, the same for every unnamed mode (not numbered like policies): series and dashboards keep it across restarts. */
  readonly name?: string;
  /** Usually a monitor's `health$`. */
  readonly health$: Observable<SystemHealth>;
  /** Evaluated in order on every health report. Default `defaultModeRules`. */
  readonly rules?: readonly ModeRule[];
  /** Clock for `since`. */
  readonly scheduler?: SchedulerLike;
}

/** What `mode$` emits and `stats()` returns. */
export interface ModeReport {
  readonly name: string;
  readonly mode: OperationModeLevel;
  /** The mode before the current one began; `undefined` before the first change. */
  readonly previous: OperationModeLevel | undefined;
  /** Every matching rule's reason (the override's first), in order. */
  readonly reasons: readonly ModeReason[];
  /** The components named by the reasons, without duplicates. */
  readonly components: readonly string[];
  /** True while `activateEmergency` holds the mode. */
  readonly override: boolean;
  /** Scheduler time at which `mode` began. */
  readonly since: number;
  /** Rule callbacks that threw on the current health (see `RuleError`); empty when none did. */
  readonly ruleErrors: readonly RuleError[];
}

export interface OperationMode {
  readonly name: string;
  readonly mode$: Observable<ModeReport>;
  stats(): ModeReport;
  /** EMERGENCY until `clearOverride()`, whatever the rules say; `reason` heads the reasons. */
  activateEmergency(reason: string): void;
  /** Back to what the rules say. */
  clearOverride(): void;
  /** True while the mode is one of `modes`; replays, emits on change. */
  whenMode(...modes: OperationModeLevel[]): Observable<boolean>;
  /**
   * An operator: a call runs its source while the mode is NORMAL (or not one of `when`), and
   * switches to `fallback` while it is one of `when` (default DEGRADED and EMERGENCY), back and
   * forth as the mode changes, until the stream it is running ends.
   */
  degradable<F>(fallback: ObservableInput<F> | (() => ObservableInput<F>), when?: readonly OperationModeLevel[]): <T>(source: Observable<T>) => Observable<T | F>;
}

const KEYS = ['name', 'health$', 'rules', 'scheduler'];
const MODES: readonly OperationModeLevel[] = ['NORMAL', 'DEGRADED', 'EMERGENCY'];

export interface ParsedOperationModeConfig {
  readonly name: string;
  readonly health$: Observable<SystemHealth>;
  readonly rules: readonly ModeRule[];
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `operationMode()`'s config: a `health$` stream and well-formed rules (default `defaultModeRules`). */
export function parseOperationModeConfig(config: unknown): ParsedOperationModeConfig {
  const pre = checker('operation-mode');
  // One stable default (not a counter): an unnamed mode keeps its series and its dashboards across restarts.
  const name = pre.name('name', isPlainObject(config) ? config.name : undefined) ?? 'operation-mode';
  const check = checker(name);
  const c = check.object('', config, KEYS);
  if (typeof (c.health$ as { subscribe?: unknown } | undefined)?.subscribe !== 'function') check.fail('health$', c.health$, 'an Observable of SystemHealth');
  const rules = c.rules === undefined ? defaultModeRules : (c.rules as readonly ModeRule[]);
  if (!Array.isArray(rules)) check.fail('rules', rules, 'an array of rules');
  rules.forEach((rule, i) => {
    if (typeof rule !== 'object' || rule === null) return check.fail(`rules.${i}`, rule, 'a rule { mode, when, reason }');
    check.object(`rules.${i}`, rule, ['mode', 'when', 'reason', 'components']);
    check.oneOf(`rules.${i}.mode`, rule.mode, ['DEGRADED', 'EMERGENCY'], 'DEGRADED');
    if (rule.mode === undefined) check.fail(`rules.${i}.mode`, rule.mode, '"DEGRADED" or "EMERGENCY"');
    if (rule.when === undefined || rule.when === null) check.fail(`rules.${i}.when`, rule.when, 'a ts-pattern pattern or a predicate');
    if (typeof rule.reason !== 'string' && typeof rule.reason !== 'function') check.fail(`rules.${i}.reason`, rule.reason, 'a string or a function');
  });
  return { name, health$: c.health$ as Observable<SystemHealth>, rules, scheduler: check.scheduler('scheduler', c.scheduler) };
}

/**
 * Builds an operation mode over a health stream.
 *
 * ```text
 * health$ (db critical):  healthy  cache degraded   db unhealthy   all healthy
 * mode$:                  NORMAL   DEGRADED         EMERGENCY      NORMAL
 * ```
 *
 * ```ts
 * import { healthMonitor, operationMode } from 'rx-resilience';
 * const mode = operationMode({ health$: monitor.health$ });
 * mode.mode$.subscribe((m) => m.mode !== 'NORMAL' && notify(`now ${m.mode}: ${m.reasons[0]?.reason}`));
 * recommendations$.pipe(mode.degradable(of(staticRecommendations))); // a feature flag
 * mode.activateEmergency('incident 42');
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function operationMode(config: OperationModeConfig): OperationMode {
  const c = parseOperationModeConfig(config);
  return new ModeCore(c.name, c.health$, c.rules, resolveScheduler(c.scheduler), checker(c.name)).api();
}

class ModeCore {
  private readonly cell: StateCell<ModeReport>;
  private override: ModeReason | undefined = undefined;
  private health: SystemHealth | undefined = undefined;
  private connection: Subscription | undefined = undefined;
  private observers = 0;
  readonly mode$: Observable<ModeReport>;

  constructor(
    readonly name: string,
    private readonly health$: Observable<SystemHealth>,
    private readonly rules: readonly ModeRule[],
    private readonly scheduler: SchedulerLike,
    private readonly check: ReturnType<typeof checker>,
  ) {
    this.cell = new StateCell<ModeReport>({ name, mode: 'NORMAL', previous: undefined, reasons: [], components: [], override: false, since: scheduler.now(), ruleErrors: [] }, sameReport);
    this.mode$ = new Observable<ModeReport>((subscriber) => {
      // Connect first: a replaying health$ brings the cell up to date before it replays to this subscriber.
      if (this.observers++ === 0) this.connection = this.health$.subscribe((health) => this.update(health));
      subscriber.add(this.cell.changes$.subscribe(subscriber));
      subscriber.add(() => {
        if (--this.observers === 0) {
          this.connection?.unsubscribe();
          this.connection = undefined;
        }
      });
    });
  }

  api(): OperationMode {
    const whenMode = (...modes: OperationModeLevel[]) => {
      modes.forEach((m, i) => this.check.oneOf(`whenMode.${i}`, m, MODES, 'NORMAL'));
      return this.mode$.pipe(map((r) => modes.includes(r.mode)), distinctUntilChanged());
    };
    return brand<OperationMode>({
      name: this.name,
      mode$: this.mode$,
      stats: () => this.cell.value,
      activateEmergency: (reason: string) => {
        this.check.name('activateEmergency.reason', reason);
        this.override = { mode: 'EMERGENCY', reason, components: [], source: 'override' };
        this.update(this.health);
      },
      clearOverride: () => {
        this.override = undefined;
        this.update(this.health);
      },
      whenMode,
      degradable: (fallback, when = ['DEGRADED', 'EMERGENCY']) => degradableOperator(whenMode(...when), fallback),
    }, { kind: 'operation-mode', state: ['mode$'], controls: ['stats', 'activateEmergency', 'clearOverride', 'whenMode', 'degradable'] });
  }

  private update(health: SystemHealth | undefined): void {
    this.health = health;
    const { reasons, errors } = health === undefined ? { reasons: [], errors: [] } : evaluateRules(this.rules, health);
    if (this.override !== undefined) reasons.unshift(this.override);
    const mode = modeOf(reasons);
    const prev = this.cell.value;
    const changed = mode !== prev.mode;
    this.cell.set({
      name: this.name, mode, previous: changed ? prev.mode : prev.previous, reasons,
      components: [...new Set(reasons.flatMap((r) => r.components))], override: this.override !== undefined,
      since: changed ? this.scheduler.now() : prev.since, ruleErrors: errors,
    });
  }
}

function degradableOperator<F>(degraded$: Observable<boolean>, fallback: ObservableInput<F> | (() => ObservableInput<F>)) {
  return <T>(source: Observable<T>): Observable<T | F> => new Observable<T | F>((subscriber) => {
    let inner: Subscription | undefined;
    subscriber.add(() => inner?.unsubscribe());
    subscriber.add(degraded$.subscribe({
      next: (degraded) => {
        inner?.unsubscribe();
        if (subscriber.closed) return;
        let chosen: Observable<T | F>;
        try {
          chosen = degraded ? from(typeof fallback === 'function' ? (fallback as () => ObservableInput<F>)() : fallback) : source;
        } catch (error) {
          // A fallback factory that throws (or returns no ObservableInput) fails this call.
          subscriber.error(error);
          return;
        }
        // A Subscriber chained to the downstream one is part of its teardown from the start, so an
        // end (even a synchronous one) reaches downstream first and tears the source down after.
        const relay = new Subscriber<T | F>(subscriber);
        inner = relay;
        chosen.subscribe(relay);
      },
      error: (e: unknown) => subscriber.error(e),
    }));
  });
}

function sameReport(a: ModeReport, b: ModeReport): boolean {
  return a.mode === b.mode && a.override === b.override && a.since === b.since && a.reasons.length === b.reasons.length &&
    a.ruleErrors.length === b.ruleErrors.length && a.ruleErrors.every((e, i) => e.rule === b.ruleErrors[i]!.rule && e.callback === b.ruleErrors[i]!.callback && e.message === b.ruleErrors[i]!.message) &&
    a.reasons.every((r, i) => r.reason === b.reasons[i]!.reason && r.mode === b.reasons[i]!.mode && r.components.join('\u0000') === b.reasons[i]!.components.join('\u0000'));
}
