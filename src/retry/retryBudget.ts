/**
 * Retry budget (Finagle's RetryBudget, Envoy and gRPC retry throttling): one object that many
 * `retryBackoff` operators share, so that a fleet of callers cannot multiply the load on a dying
 * service by its retry count.
 *
 * State scope: the budget (factory-call scope), shared by every retry it is passed to.
 *
 * Two accounts, both lazy (no timer):
 * - the ratio account: every first attempt deposits `ratio`, and a retry withdraws 1 while the
 *   balance of the last `window` ms is ≥ 1. Deposits and withdrawals live in 10 buckets of
 *   `window / 10` ms aligned on the scheduler's clock, so both expire together. Over any horizon,
 *   retries paid from it never exceed `ratio ·` first attempts.
 * - the reserve: a token bucket of `minPerSecond · window / 1000` retries that starts full and
 *   refills at `minPerSecond` per second, used only when the ratio account is short. It lets a
 *   quiet caller retry at all, and bounds what it adds over a horizon of T ms to
 *   `minPerSecond · (T + window) / 1000`.
 */
import { Observable, type SchedulerLike } from 'rxjs';
import { BucketWindow } from '../internal/bucketWindow.js';
import { StateCell } from '../internal/cell.js';
import { resolveScheduler } from '../internal/clock.js';
import { configuredName } from '../internal/names.js';
import { brand } from '../internal/policy.js';
import { checker, MAX_COUNT } from '../internal/validate.js';

export interface RetryBudgetConfig {
  readonly name?: string;
  /** Retries allowed per first attempt, over the window. Default 0.2. */
  readonly ratio?: number;
  /** Retries always allowed per second, whatever the traffic. Default 10. */
  readonly minPerSecond?: number;
  /** How long a deposit counts, in ms. Default 10 000. */
  readonly window?: number;
  readonly scheduler?: SchedulerLike;
}

export interface RetryBudgetStats {
  readonly name: string;
  /** Whole retries the budget would grant now. */
  readonly available: number;
  /** First attempts deposited since the budget was built. */
  readonly deposits: number;
  /** Retries granted and refused since the budget was built. */
  readonly granted: number;
  readonly refused: number;
}

/** A retry budget: pass it to `retryBackoff({ budget })`, as many times as you like. */
export interface RetryBudget {
  readonly name: string;
  /** Retries available (a whole number): replays the current value, then emits each change when the budget is used. */
  readonly state$: Observable<number>;
  stats(): RetryBudgetStats;
  /** Records a first attempt. `retryBackoff` calls it once per subscription. */
  deposit(): void;
  /** Takes one retry if the budget allows it; `retryBackoff` calls it before each retry. */
  tryWithdraw(): boolean;
}

const KEYS = ['name', 'ratio', 'minPerSecond', 'window', 'scheduler'];
const BUCKETS = 10;
/** Tolerance for sums of fractional deposits (0.1 · 10 must make 1). */
const EPSILON = 1e-9;

export interface ParsedRetryBudgetConfig {
  readonly name: string;
  readonly ratio: number;
  readonly minPerSecond: number;
  readonly window: number;
  readonly scheduler: SchedulerLike | undefined;
}

/** Checks `retryBudget()`'s config, with its defaults (ratio 0.2, 10 per second, 10 s window). */
export function parseRetryBudgetConfig(config: unknown): ParsedRetryBudgetConfig {
  const c = checker('retry-budget').object('', config, KEYS, true);
  const name = configuredName('retry-budget', c);
  const check = checker(name);
  return {
    name,
    ratio: check.number('ratio', c.ratio, 0.2, 0, 1000),
    minPerSecond: check.number('minPerSecond', c.minPerSecond, 10, 0, MAX_COUNT),
    window: check.duration('window', c.window, 10_000, false, BUCKETS),
    scheduler: check.scheduler('scheduler', c.scheduler),
  };
}

/**
 * Builds a retry budget shared by many `retryBackoff` operators: when retries would exceed
 * `ratio` of recent first attempts (plus a small reserve of `minPerSecond`), further retries are
 * refused and the original error surfaces.
 *
 * ```ts
 * import { retryBackoff, retryBudget } from 'rx-resilience';
 * const budget = retryBudget({ ratio: 0.2, minPerSecond: 10, window: 10_000 });
 * const retry = retryBackoff({ maxAttempts: 3, budget });   // pipe it into every call to the service
 * budget.state$.subscribe((n) => gauge.set(n));
 * ```
 * @throws ConfigError when the config is invalid.
 */
export function retryBudget(config: RetryBudgetConfig = {}): RetryBudget {
  const c = parseRetryBudgetConfig(config);
  return new Budget(c.name, c.ratio, c.minPerSecond, c.window, resolveScheduler(c.scheduler));
}

const CALLS = 0;
const TAKEN = 1;

class Budget implements RetryBudget {
  /** Deposits (calls) and withdrawals (retries taken from the ratio) in the window. */
  private readonly window: BucketWindow;
  private readonly capacity: number;
  private tokens: number;
  private refilledAt: number;
  private depositTotal = 0;
  private granted = 0;
  private refused = 0;
  private readonly cell: StateCell<number>;

  constructor(
    readonly name: string,
    private readonly ratio: number,
    private readonly minPerSecond: number,
    window: number,
    private readonly scheduler: SchedulerLike,
  ) {
    this.window = new BucketWindow(window, BUCKETS, 2);
    const now = scheduler.now();
    this.capacity = (minPerSecond * window) / 1000;
    this.tokens = this.capacity;
    this.refilledAt = now;
    this.cell = new StateCell(this.available());
  }

  get state$(): Observable<number> {
    return this.cell.changes$;
  }

  deposit(): void {
    this.window.add(this.advance(), CALLS);
    this.depositTotal++;
    this.cell.set(this.available());
  }

  tryWithdraw(): boolean {
    const now = this.advance();
    let ok = true;
    if (this.earned(now) >= 1 - EPSILON) {
      this.window.add(now, TAKEN);
    } else if (this.tokens >= 1 - EPSILON) {
      this.tokens = Math.max(0, this.tokens - 1);
    } else {
      ok = false;
    }
    if (ok) this.granted++;
    else this.refused++;
    this.cell.set(this.available());
    return ok;
  }

  stats(): RetryBudgetStats {
    this.advance();
    return { name: this.name, available: this.available(), deposits: this.depositTotal, granted: this.granted, refused: this.refused };
  }

  private available(): number {
    return Math.floor(Math.max(0, this.earned(this.scheduler.now())) + EPSILON) + Math.floor(this.tokens + EPSILON);
  }

  /** Retries the window's calls have earned and not yet spent. */
  private earned(now: number): number {
    return this.ratio * this.window.total(now, CALLS) - this.window.total(now, TAKEN);
  }

  /** Refills the reserve up to the scheduler's now, and returns that now. */
  private advance(): number {
    const now = this.scheduler.now();
    if (now > this.refilledAt) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) * this.minPerSecond) / 1000);
      this.refilledAt = now;
    }
    return now;
  }
}
brand(Budget.prototype, { kind: 'retry-budget', state: ['state$'], controls: ['deposit', 'tryWithdraw', 'stats'] });
