/**
 * Timers per call: 10 000 sequential calls through one time limit (and one hedge), none of which
 * comes near its deadline. Counted twice: the actions the policy asks its scheduler for (through a
 * counting scheduler), and the real timers started in the process meanwhile (`setTimeout` and
 * `setInterval` counted while the calls run), which is what a timer costs.
 */
import { asyncScheduler, defer, firstValueFrom, timeout, type SchedulerAction, type SchedulerLike, type Subscription } from 'rxjs';
import { hedge, timeLimit } from '../src/index.js';
import { fn, noop } from './reference.js';
import { addRow, type Figure } from './rows.js';

const CALLS = 10_000;
/** Long against a call (µs), short against the loop (tens of ms): lazily kept timers fire and re-arm. */
const DURATION = 50;

class CountingScheduler implements SchedulerLike {
  scheduled = 0;

  now(): number {
    return asyncScheduler.now();
  }

  schedule<S>(work: (this: SchedulerAction<S>, state?: S) => void, delay?: number, state?: S): Subscription {
    this.scheduled++;
    return asyncScheduler.schedule(work, delay, state);
  }
}

/** Runs `op` `CALLS` times in sequence; returns the real timers started meanwhile. */
async function timersStarted(op: () => Promise<unknown>): Promise<number> {
  const realTimeout = globalThis.setTimeout;
  const realInterval = globalThis.setInterval;
  let started = 0;
  globalThis.setTimeout = ((...args: Parameters<typeof setTimeout>) => (started++, realTimeout(...args))) as typeof setTimeout;
  globalThis.setInterval = ((...args: Parameters<typeof setInterval>) => (started++, realInterval(...args))) as typeof setInterval;
  try {
    for (let i = 0; i < CALLS; i++) await op().catch(noop);
  } finally {
    globalThis.setTimeout = realTimeout;
    globalThis.setInterval = realInterval;
  }
  return started;
}

async function count(label: string, build: (scheduler: SchedulerLike) => () => Promise<unknown>): Promise<Figure> {
  const scheduler = new CountingScheduler();
  const timers = await timersStarted(build(scheduler));
  console.log(`  ${label.padEnd(24)} ${String(timers).padStart(6)} timers started, ${String(scheduler.scheduled).padStart(6)} actions scheduled`);
  return { label, value: timers, unit: 'timers', detail: `${scheduler.scheduled} actions scheduled` };
}

export async function timersBench(): Promise<void> {
  console.log(`\ntimers for 10 000 sequential calls, deadline ${DURATION} ms`);
  const limit = await count('rx-resilience timeLimit', (scheduler) => {
    const policy = timeLimit({ name: 'timers', duration: DURATION, scheduler });
    return () => firstValueFrom(defer(fn).pipe(policy));
  });
  const rxjs = await count('RxJS timeout', (scheduler) => () => firstValueFrom(defer(fn).pipe(timeout({ first: DURATION, scheduler }))));
  const hedged = await count('rx-resilience hedge', (scheduler) => {
    const policy = hedge({ name: 'timers', delay: DURATION, scheduler });
    return () => firstValueFrom(defer(fn).pipe(policy));
  });
  addRow({
    id: 'time-limit-timers',
    section: 'hot paths',
    path: `timeLimit, 10 000 sequential calls (deadline ${DURATION} ms): timers started`,
    ours: limit,
    peers: [rxjs],
    target: '≤ 100',
    met: limit.value <= 100,
  });
  addRow({
    id: 'hedge-timers',
    section: 'hot paths',
    path: `hedge, 10 000 sequential calls (delay ${DURATION} ms): timers started`,
    ours: hedged,
    peers: [],
    target: '≤ 100',
    met: hedged.value <= 100,
  });
}
