/**
 * Chaos: a policy that injects a fault into a share of the calls piped through it.
 *
 * State scope: the policy (factory-call scope) holds the switch, the engagements, the random
 * source and the counts, shared by every pipeline it is piped into; a call (one subscription)
 * holds at most one latency timer and its source's subscription.
 *
 * A call is drawn only while the policy is active (switched on, engaged when enlisted, under
 * `maxInjections`): one draw of `random()` per such call, injected when the draw is below `rate`.
 * So a seeded source replays the same injections for the same sequence of calls. A call that is
 * not injected goes straight to its source, with nothing added.
 */
import { Observable, type SchedulerLike, type Subscriber, Subscription } from 'rxjs';
import { EventBus, Outbox, WatchedCell } from '../internal/cell.js';
import { resolveScheduler, scheduleOnce } from '../internal/clock.js';
import { definePolicy, policyPrototype } from '../internal/policy.js';
import { clampDelay } from '../internal/validate.js';
import { parseChaosConfig, type ParsedChaosConfig } from './config.js';
import type { Chaos, ChaosCall, ChaosEvent, ChaosFault, ChaosState, ChaosStats } from './types.js';

export interface ChaosConfig {
  readonly name?: string;
  /** Share of the calls to inject, in [0, 1]: each active call is injected when `random() < rate`. */
  readonly rate: number;
  /** What to inject: `latencyFault(ms)`, `errorFault()`, `resultFault(() => value)` or `behaviorFault(() => {})`. */
  readonly fault: ChaosFault;
  /**
   * The kill switch: a boolean, or an `Observable<boolean>` (off until it emits `true`, off for good
   * when it errors; anything but `true` is off). Default true.
   */
  readonly enabled?: boolean | Observable<boolean>;
  /** Injections allowed over the policy's life; none after that. Default unbounded. */
  readonly maxInjections?: number;
  /** Random source in [0, 1), e.g. `seededRandom(42)`. A draw outside [0, 1) injects nothing. Default `Math.random`. */
  readonly random?: () => number;
  readonly scheduler?: SchedulerLike;
}

/**
 * Injects `fault` into a share `rate` of the calls while it is active. An injection is reported
 * in `events$` (before the fault acts) and counted in `stats()` and `state$`.
 *
 * ```text
 * source:                                        --a|
 * chaos({ rate: 1, fault: latencyFault(3) }):    -----a|     (source subscribed at frame 3)
 * chaos({ rate: 1, fault: errorFault() }):       #           (source never subscribed)
 * ```
 *
 * ```ts
 * import { defer, of } from 'rxjs';
 * import { chaos, latencyFault, seededRandom } from 'rx-resilience';
 * const slow = chaos({ name: 'db-latency', rate: 0.1, fault: latencyFault(500), random: seededRandom(7) });
 * defer(() => of('row')).pipe(slow).subscribe((row) => console.log(row)); // 'row', 500 ms late one time in ten
 * ```
 * A fault callback that throws (the error or result factory, the behaviour, the latency
 * function) or a `random` that throws makes that call error with the thrown value.
 * @throws ConfigError when the config is invalid.
 */
export function chaos(config: ChaosConfig): Chaos {
  return definePolicy<Chaos>(new ChaosCore(parseChaosConfig(config)), PROTO);
}

const PROTO = policyPrototype({ kind: 'chaos', state: ['state$'], streams: ['events$'], controls: ['stats', 'enlist', 'engage'] });

class ChaosCore {
  readonly name: string;
  private readonly outbox = new Outbox();
  private readonly bus = new EventBus<ChaosEvent>(this.outbox);
  private readonly cell: WatchedCell<ChaosState>;
  private readonly scheduler: SchedulerLike;
  private enabled: boolean;
  private enlisted = false;
  private engaged = 0;
  private calls = 0;
  private injections = 0;

  constructor(private readonly c: ParsedChaosConfig) {
    this.name = c.name;
    this.scheduler = resolveScheduler(c.scheduler);
    this.enabled = c.enabled === true;
    this.cell = new WatchedCell(() => this.state(), this.outbox);
    if (typeof c.enabled !== 'boolean') {
      // Followed for the policy's life: a switch is usually hot (a subject, a config or a mode stream).
      c.enabled.subscribe({ next: (on) => this.setEnabled(on === true), error: () => this.setEnabled(false) });
    }
  }

  get state$(): Observable<ChaosState> {
    return this.cell.changes$;
  }

  get events$(): Observable<ChaosEvent> {
    return this.bus.events$;
  }

  private get active(): boolean {
    return this.enabled && (!this.enlisted || this.engaged > 0) && this.injections < this.c.maxInjections;
  }

  private state(): ChaosState {
    return { fault: this.c.fault.kind, enabled: this.enabled, active: this.active, injections: this.injections };
  }

  stats(): ChaosStats {
    const c = this.c;
    return { name: this.name, ...this.state(), rate: c.rate, maxInjections: Number.isFinite(c.maxInjections) ? c.maxInjections : null, calls: this.calls, enlisted: this.enlisted };
  }

  enlist(): void {
    this.change(() => (this.enlisted = true));
  }

  engage(): Subscription {
    this.change(() => this.engaged++);
    return new Subscription(() => this.change(() => this.engaged--));
  }

  private setEnabled(on: boolean): void {
    this.change(() => (this.enabled = on));
  }

  private change(apply: () => unknown): void {
    this.outbox.run(() => {
      apply();
      this.cell.refresh();
    });
  }

  apply<T>(source: Observable<T>): Observable<T> {
    return new Observable<T>((subscriber) => {
      const n = ++this.calls;
      if (!this.active) return source.subscribe(subscriber);
      let draw: number;
      try {
        draw = this.c.random();
      } catch (thrown) {
        subscriber.error(thrown);
        return undefined;
      }
      // A draw outside [0, 1) (NaN included) injects nothing.
      if (!(draw >= 0 && draw < 1 && draw < this.c.rate)) return source.subscribe(subscriber);
      return this.inject(source, subscriber, { policy: this.name, call: n, at: this.scheduler.now() });
    });
  }

  /** Counts and reports the injection, then lets the fault act on the call. */
  private inject<T>(source: Observable<T>, subscriber: Subscriber<T>, call: ChaosCall): Subscription | undefined {
    const fault = this.c.fault;
    let delay: number | undefined;
    let thrown: { readonly error: unknown } | undefined;
    if (fault.kind === 'latency') {
      try {
        delay = clampDelay(typeof fault.delay === 'number' ? fault.delay : fault.delay(call));
      } catch (error) {
        thrown = { error };
      }
    }
    // Counted even when the latency function threw: the call was chosen, and it errors below.
    this.outbox.run(() => {
      this.injections++;
      if (this.bus.observed) this.bus.emit({ type: 'injection', policy: this.name, at: call.at, fault: fault.kind, call: call.call, ...(delay === undefined ? {} : { delay }) });
      this.cell.refresh();
    });
    if (thrown !== undefined) {
      subscriber.error(thrown.error);
      return undefined;
    }
    try {
      switch (fault.kind) {
        case 'latency':
          subscriber.add(scheduleOnce(this.scheduler, delay!, () => subscriber.add(source.subscribe(subscriber))));
          return undefined;
        case 'error':
          subscriber.error(fault.error(call));
          return undefined;
        case 'result': {
          const value = fault.result(call) as T;
          subscriber.next(value);
          subscriber.complete();
          return undefined;
        }
        case 'behavior':
          fault.behavior(call);
          return source.subscribe(subscriber);
      }
    } catch (thrown) {
      subscriber.error(thrown);
      return undefined;
    }
  }
}
