/**
 * Chaos experiment: turns a set of chaos policies on for a while, stops them all at once when
 * `abortWhen` fires (the emergency stop), and reports what happened.
 *
 * State scope: the experiment (factory-call scope) holds its config and the runs in progress;
 * each subscription to `report$` is one run, holding its engagements of the policies, its
 * subscriptions (breakers, injections, `abortWhen`), its timers and its counts. Every path that
 * ends a run (the duration elapsing, an abort, an error, an unsubscribe) first releases the
 * engagements, so the faults are off before anything else happens.
 */
import { Observable, type SchedulerLike, Subscription, type Subscriber, tap } from 'rxjs';
import { resolveScheduler, scheduleOnce } from '../internal/clock.js';
import { brand } from '../internal/policy.js';
import { parseChaosExperimentConfig, type ObservedBreaker, type ParsedExperimentConfig } from './config.js';
import { breakerReport, emptyByFault, type BreakerTimeline } from './report.js';
import type { Chaos, ChaosEvent, ChaosFaultKind } from './types.js';

export type { ObservedBreaker } from './config.js';

export interface ChaosExperimentConfig {
  readonly name?: string;
  /** The chaos policies the experiment turns on (at least one). They inject only during a run from now on. */
  readonly inject: readonly Chaos[];
  /** How long the faults stay on, in ms. */
  readonly duration: number;
  /** The emergency stop: `true`, or a non-empty string (the reason), stops every fault at once. An error stops them too. */
  readonly abortWhen?: Observable<boolean | string>;
  /** Circuit breakers to watch: their transitions and time to recover go in the report. */
  readonly observe?: readonly ObservedBreaker[];
  /** After the faults stop, wait up to this many ms for every observed breaker to close. Default 0. */
  readonly recoveryTimeout?: number;
  readonly scheduler?: SchedulerLike;
}

/** One observed breaker in the report. */
export interface ExperimentBreakerReport {
  readonly name: string;
  /** Its state when the report was made. */
  readonly state: string;
  readonly transitions: readonly { readonly from: string; readonly to: string; readonly at: number }[];
  /**
   * ms from the last injection to the first moment the breaker was closed after it (0 when it was
   * closed then); `null` without an injection, or when it was not closed by the report.
   */
  readonly timeToRecover: number | null;
}

export interface ChaosExperimentReport {
  readonly experiment: string;
  /** Scheduler times: the run started, the faults were turned off, the report was made. */
  readonly startedAt: number;
  readonly stoppedAt: number;
  readonly reportedAt: number;
  readonly aborted: boolean;
  /** Why it was aborted (`'abortWhen emitted true'`, the string `abortWhen` emitted, `'abortWhen errored'`); null otherwise. */
  readonly abortReason: string | null;
  /** With `'abortWhen errored'`: the error. */
  readonly abortError?: unknown;
  readonly injections: { readonly total: number; readonly byFault: Readonly<Record<ChaosFaultKind, number>>; readonly byPolicy: Readonly<Record<string, number>> };
  readonly lastInjectionAt: number | null;
  /** Calls through `measure` that started while the faults were on, and those of them that ended (by the report) with an error or a completion. */
  readonly calls: { readonly started: number; readonly errors: number; readonly completed: number };
  readonly breakers: readonly ExperimentBreakerReport[];
}

export interface ChaosExperiment {
  readonly name: string;
  /** Subscribing runs the experiment; it emits one report at the end, then completes. Unsubscribing stops it. */
  readonly report$: Observable<ChaosExperimentReport>;
  /** Pipe it where your callers see results (outermost): the report counts the calls and errors it sees. */
  readonly measure: <T>(source: Observable<T>) => Observable<T>;
}

/**
 * Builds an experiment. Each subscription to `report$` runs it: the listed policies inject for
 * `duration` ms (or until `abortWhen` fires), then the report follows (after waiting for the
 * observed breakers to close, up to `recoveryTimeout`).
 *
 * ```text
 * abortWhen:   f------t
 * faults:      [on----]            (off at the abort, whatever the duration)
 * report$:     -------r|           (recoveryTimeout 0)
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function chaosExperiment(config: ChaosExperimentConfig): ChaosExperiment {
  const c = parseChaosExperimentConfig(config);
  for (const policy of c.inject) policy.enlist();
  return new Experiment(c);
}

class Experiment implements ChaosExperiment {
  readonly name: string;
  readonly scheduler: SchedulerLike;
  /** Runs whose faults are on: `measure` counts for them. */
  readonly running = new Set<Run>();
  readonly report$: Observable<ChaosExperimentReport>;
  readonly measure: <T>(source: Observable<T>) => Observable<T>;

  constructor(readonly c: ParsedExperimentConfig) {
    this.name = c.name;
    this.scheduler = resolveScheduler(c.scheduler);
    this.report$ = new Observable<ChaosExperimentReport>((subscriber) => {
      const run = new Run(this, subscriber);
      run.start();
      return () => run.dispose();
    });
    this.measure = <T>(source: Observable<T>) => new Observable<T>((subscriber) => (this.running.size === 0 ? source.subscribe(subscriber) : this.counted(source, subscriber)));
  }

  private counted<T>(source: Observable<T>, subscriber: Subscriber<T>): Subscription {
    const runs = [...this.running];
    for (const run of runs) run.started++;
    return source
      .pipe(
        tap({
          error: () => {
            for (const run of runs) if (!run.reported) run.errors++;
          },
          complete: () => {
            for (const run of runs) if (!run.reported) run.completed++;
          },
        }),
      )
      .subscribe(subscriber);
  }
}
brand(Experiment.prototype, { kind: 'chaos-experiment', streams: ['report$'] });

class Run {
  started = 0;
  errors = 0;
  completed = 0;
  reported = false;
  private phase: 'running' | 'recovering' | 'done' = 'running';
  private readonly subscriptions = new Subscription();
  /** Faults on: the duration timer and `abortWhen` (ended when the faults go off). */
  private readonly live = new Subscription();
  private engagements: Subscription[] = [];
  private readonly startedAt: number;
  private stoppedAt = 0;
  private abort: { readonly reason: string; readonly error?: unknown } | undefined;
  private readonly byFault = emptyByFault();
  private readonly byPolicy: Record<string, number> = {};
  private total = 0;
  private lastInjectionAt: number | null = null;
  private readonly breakers: BreakerTimeline[];

  constructor(
    private readonly experiment: Experiment,
    private readonly subscriber: Subscriber<ChaosExperimentReport>,
  ) {
    this.startedAt = experiment.scheduler.now();
    this.breakers = experiment.c.observe.map((b) => ({ name: b.name, entries: [] }));
  }

  start(): void {
    const { c, scheduler } = this.experiment;
    try {
      c.observe.forEach((breaker, i) => this.subscriptions.add(breaker.state$.subscribe({ next: (state) => this.onState(i, state), error: () => undefined })));
      for (const policy of c.inject) this.subscriptions.add(policy.events$.subscribe((event) => this.onInjection(event)));
      this.subscriptions.add(this.live);
      if (c.abortWhen !== undefined) {
        this.live.add(
          c.abortWhen.subscribe({
            next: (value) => {
              if (value === true || (typeof value === 'string' && value !== '')) this.stop({ reason: value === true ? 'abortWhen emitted true' : value });
            },
            error: (error: unknown) => this.stop({ reason: 'abortWhen errored', error }),
          }),
        );
      }
      // Already aborted (abortWhen replayed `true`): the faults are never turned on.
      if (this.phase !== 'running') return;
      this.experiment.running.add(this);
      for (const policy of c.inject) this.engagements.push(policy.engage());
      this.live.add(scheduleOnce(scheduler, c.duration, () => this.stop(undefined)));
    } catch (error) {
      this.dispose();
      this.subscriber.error(error);
    }
  }

  /** Faults off (first of all), then the report at once or once the breakers have closed. */
  private stop(abort: Run['abort']): void {
    if (this.phase !== 'running') return;
    this.phase = 'recovering';
    this.abort = abort;
    this.stoppedAt = this.experiment.scheduler.now();
    this.release();
    this.live.unsubscribe();
    const timeout = this.experiment.c.recoveryTimeout;
    if (timeout === 0 || this.allClosed()) return this.report();
    this.subscriptions.add(scheduleOnce(this.experiment.scheduler, timeout, () => this.report()));
  }

  private onInjection(event: ChaosEvent): void {
    if (this.phase !== 'running') return;
    this.total++;
    this.byFault[event.fault]++;
    this.byPolicy[event.policy] = (this.byPolicy[event.policy] ?? 0) + 1;
    this.lastInjectionAt = event.at;
  }

  private onState(i: number, state: string): void {
    if (this.phase === 'done') return;
    this.breakers[i]!.entries.push({ state, at: this.experiment.scheduler.now() });
    if (this.phase === 'recovering' && this.allClosed()) this.report();
  }

  private allClosed(): boolean {
    return this.breakers.every((b) => b.entries.at(-1)?.state === 'closed');
  }

  private report(): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.reported = true;
    const a = this.abort;
    const report: ChaosExperimentReport = {
      experiment: this.experiment.name,
      startedAt: this.startedAt,
      stoppedAt: this.stoppedAt,
      reportedAt: this.experiment.scheduler.now(),
      aborted: a !== undefined,
      abortReason: a?.reason ?? null,
      ...(a !== undefined && 'error' in a ? { abortError: a.error } : {}),
      injections: { total: this.total, byFault: { ...this.byFault }, byPolicy: { ...this.byPolicy } },
      lastInjectionAt: this.lastInjectionAt,
      calls: { started: this.started, errors: this.errors, completed: this.completed },
      breakers: this.breakers.map((b) => breakerReport(b, this.lastInjectionAt)),
    };
    this.dispose();
    this.subscriber.next(report);
    this.subscriber.complete();
  }

  /** Turns the faults off. Safe to call any number of times. */
  private release(): void {
    this.experiment.running.delete(this);
    const engagements = this.engagements;
    this.engagements = [];
    for (const engagement of engagements) engagement.unsubscribe();
  }

  /** Ends the run on any path: faults off first, then every subscription and timer. */
  dispose(): void {
    this.phase = 'done';
    this.reported = true;
    try {
      this.release();
    } finally {
      this.subscriptions.unsubscribe();
      this.live.unsubscribe();
    }
  }
}
