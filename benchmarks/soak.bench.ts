/**
 * Soak: a composed pipeline (time limit → breaker → retry → bulkhead → token bucket, chaos
 * innermost) driven for 10^6 virtual calls on a virtual scheduler, with a chaos experiment running
 * over the middle of the run. It checks, and throws when one fails:
 * - nothing leaks: no call holds a bulkhead slot or waits in its queue or in the token bucket, and
 *   no action of any policy is left on the scheduler once the calls are over;
 * - the experiment's report equals what the callers saw (calls started while the faults were on,
 *   their errors and completions), and its injections equal the policies' own counts.
 * It prints the heap (after a forced GC, with `--expose-gc`) every tenth of the run: it should stay
 * flat. Measured and printed, never asserted: heap size is not a test.
 */
import { defer, map, Subject, Subscription, timer, type SchedulerAction, type SchedulerLike } from 'rxjs';
import {
  bulkhead,
  chaos,
  chaosExperiment,
  circuitBreaker,
  constant,
  errorFault,
  latencyFault,
  retryBackoff,
  seededRandom,
  timeLimit,
  tokenBucket,
  type ChaosExperimentReport,
} from '../src/index.js';

export interface SoakResult {
  readonly calls: number;
  readonly virtualMs: number;
  readonly caller: { readonly started: number; readonly errors: number; readonly completed: number; readonly all: { readonly values: number; readonly errors: number } };
  readonly report: ChaosExperimentReport;
  readonly injections: number;
  readonly leaks: { readonly active: number; readonly queued: number; readonly waiting: number; readonly pendingActions: number; readonly openCalls: number };
  /** heapUsed in MB at each tenth of the run (after GC when exposed). */
  readonly heapMb: readonly number[];
}

/** Calls started per virtual millisecond. */
const PER_MS = 2;

/**
 * A virtual-time scheduler on a binary heap (RxJS's `VirtualTimeScheduler` sorts its whole queue
 * on every schedule, too slow for 10^6 calls), counting the actions still pending.
 */
class HeapScheduler implements SchedulerLike {
  private time = 0;
  private seq = 0;
  private readonly heap: Task[] = [];
  pending = 0;

  now(): number {
    return this.time;
  }

  schedule<S>(work: (this: SchedulerAction<S>, state?: S) => void, delay = 0, state?: S): Subscription {
    const task = new Task(this, work as (this: SchedulerAction<unknown>, state?: unknown) => void, state);
    this.enqueue(task, delay);
    return task;
  }

  enqueue(task: Task, delay: number): void {
    task.at = this.time + Math.max(0, delay);
    task.seq = this.seq++;
    task.queued = true;
    this.pending++;
    const heap = this.heap;
    heap.push(task);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (before(heap[parent]!, heap[i]!)) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  /** Runs every task due up to `until` (inclusive), in time then scheduling order. */
  runUntil(until: number): void {
    const heap = this.heap;
    while (heap.length > 0 && heap[0]!.at <= until) {
      const task = this.pop();
      if (!task.queued) continue;
      task.queued = false;
      this.pending--;
      this.time = task.at;
      task.run();
    }
    if (until !== Number.POSITIVE_INFINITY) this.time = Math.max(this.time, until);
  }

  cancel(task: Task): void {
    if (!task.queued) return;
    task.queued = false;
    this.pending--;
  }

  private pop(): Task {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    }
    return top;
  }
}

const before = (a: Task, b: Task) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

class Task extends Subscription implements SchedulerAction<unknown> {
  at = 0;
  seq = 0;
  queued = false;

  constructor(
    private readonly scheduler: HeapScheduler,
    private readonly work: (this: SchedulerAction<unknown>, state?: unknown) => void,
    private state: unknown,
  ) {
    super(() => scheduler.cancel(this));
  }

  schedule(state?: unknown, delay = 0): Subscription {
    if (this.closed) return this;
    this.state = state;
    this.scheduler.cancel(this);
    this.scheduler.enqueue(this, delay);
    return this;
  }

  run(): void {
    this.work.call(this, this.state);
    if (!this.queued) this.unsubscribe();
  }
}

/** Drives `calls` calls (PER_MS per virtual ms) through the pipeline; the experiment covers the middle 40 %. */
export async function soak(calls: number, onTenth?: (heapMb: number) => void): Promise<SoakResult> {
  const scheduler = new HeapScheduler();
  const random = seededRandom(2026);
  const errors = chaos({ name: 'upstream-errors', rate: 0.1, fault: errorFault(), random, scheduler });
  const slow = chaos({ name: 'upstream-latency', rate: 0.05, fault: latencyFault(300), random, scheduler });
  const limit = timeLimit({ name: 'soak', duration: 100, scheduler });
  const breaker = circuitBreaker({ name: 'soak', strategy: { kind: 'count', size: 50, failureRateThreshold: 0.3, minimumCalls: 20 }, breakDuration: 200, scheduler });
  // An open breaker's retryAfter (up to 200 ms) is above maxDelay: the retry gives up at once instead of holding a slot.
  const retry = retryBackoff({ name: 'soak', maxAttempts: 3, backoff: constant(10), maxDelay: 50, scheduler });
  const pool = bulkhead({ name: 'soak', maxConcurrent: 40, maxQueued: 100, queueTimeout: 200, scheduler });
  const bucket = tokenBucket({ name: 'soak', capacity: 500, refill: { tokens: 2_500, every: 1_000 }, scheduler });

  const span = Math.ceil(calls / PER_MS);
  const abort$ = new Subject<boolean>();
  const experiment = chaosExperiment({ name: 'soak', inject: [errors, slow], duration: Math.round(span * 0.4), abortWhen: abort$, observe: [breaker], recoveryTimeout: 60_000, scheduler });

  const caller = { started: 0, errors: 0, completed: 0 };
  const all = { values: 0, errors: 0 };
  let reported = false;
  let open = 0;
  let report: ChaosExperimentReport | undefined;
  let windowCalls = 0;
  let windowErrors = 0;
  const heapMb: number[] = [];

  // The experiment starts at 20 % of the run, before the calls of that millisecond.
  const startAt = Math.round(span * 0.2);
  scheduler.schedule(() => {
    experiment.report$.subscribe((r) => {
      report = r;
      reported = true;
    });
  }, startAt);

  const stopAt = startAt + Math.round(span * 0.4);
  let aborted = false;
  const call = (i: number) => {
    // Caller side: the faults are on from the experiment's start until its duration ends or the
    // caller pulls the emergency stop; its errors and completions count until the report.
    const now = scheduler.now();
    const during = now >= startAt && now < stopAt && !aborted;
    if (during) caller.started++;
    open++;
    windowCalls++;
    defer(() => timer(2 + (i % 9), scheduler).pipe(map(() => i)))
      .pipe(slow, errors, limit, breaker, retry, pool, bucket, experiment.measure)
      .subscribe({
        next: () => all.values++,
        error: () => {
          open--;
          all.errors++;
          windowErrors++;
          if (during && !reported) caller.errors++;
        },
        complete: () => {
          open--;
          if (during && !reported) caller.completed++;
        },
      });
  };

  const tenth = Math.max(1, Math.floor(span / 10));
  for (let t = 0; t < span; t++) {
    scheduler.runUntil(t);
    for (let k = 0; k < PER_MS && t * PER_MS + k < calls; k++) call(t * PER_MS + k);
    if (windowCalls >= 10_000) {
      // The emergency stop: almost every caller failing. (Retries keep it far from firing here.)
      const stop = windowErrors / windowCalls > 0.95;
      aborted ||= stop;
      abort$.next(stop);
      windowCalls = 0;
      windowErrors = 0;
    }
    if ((t + 1) % tenth === 0) {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      const mb = process.memoryUsage().heapUsed / 2 ** 20;
      heapMb.push(Math.round(mb * 10) / 10);
      onTenth?.(mb);
      // Let the event loop breathe between tenths (output, GC finalizers).
      await Promise.resolve();
    }
  }
  scheduler.runUntil(Number.POSITIVE_INFINITY);

  const s = pool.stats();
  return {
    calls,
    virtualMs: scheduler.now(),
    caller: { ...caller, all },
    report: report!,
    injections: errors.stats().injections + slow.stats().injections,
    leaks: { active: s.active, queued: s.queued, waiting: bucket.stats().waiting, pendingActions: scheduler.pending, openCalls: open },
    heapMb,
  };
}

/** Throws when the run leaked or the report disagrees with the callers. */
export function checkSoak(r: SoakResult): void {
  const problems: string[] = [];
  for (const [what, n] of Object.entries(r.leaks)) if (n !== 0) problems.push(`leak: ${what} = ${n}`);
  if (r.report === undefined) problems.push('the experiment never reported');
  else {
    const { started, errors, completed } = r.caller;
    const c = r.report.calls;
    if (c.started !== started || c.errors !== errors || c.completed !== completed) {
      problems.push(`report calls ${JSON.stringify(c)} != caller ${JSON.stringify({ started, errors, completed })}`);
    }
    if (r.report.injections.total !== r.injections) problems.push(`report injections ${r.report.injections.total} != policies' ${r.injections}`);
  }
  if (r.caller.all.values + r.caller.all.errors < r.calls) problems.push(`only ${r.caller.all.values + r.caller.all.errors} of ${r.calls} calls ended`);
  if (problems.length > 0) throw new Error(`soak failed:\n  ${problems.join('\n  ')}`);
}

export default async function soakBench(): Promise<void> {
  const calls = Number(process.env.SOAK_CALLS ?? 1_000_000);
  const started = performance.now();
  const r = await soak(calls);
  const seconds = (performance.now() - started) / 1_000;
  checkSoak(r);
  const rep = r.report;
  console.log(`soak: ${r.calls} calls over ${r.virtualMs} virtual ms in ${seconds.toFixed(1)} s wall`);
  console.log(`  experiment: faults on ${rep.startedAt}..${rep.stoppedAt} ms, report at ${rep.reportedAt}, aborted ${rep.aborted}`);
  console.log(`  injections: ${JSON.stringify(rep.injections.byFault)} (policies agree: ${r.injections})`);
  console.log(`  callers during the faults: ${JSON.stringify(rep.calls)} (caller-side counts agree)`);
  const b = rep.breakers[0]!;
  console.log(`  breaker: ${b.transitions.length} transitions, time to recover ${b.timeToRecover} ms after the last injection`);
  console.log(`  leaks: ${JSON.stringify(r.leaks)}`);
  console.log(`  heap MB by tenth${(globalThis as { gc?: unknown }).gc === undefined ? ' (no --expose-gc: noisy)' : ''}: ${r.heapMb.join(' ')}`);
}
