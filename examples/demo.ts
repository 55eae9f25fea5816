/**
 * The live demo (`npm start`): a flaky upstream on loopback HTTP goes through phases — healthy,
 * outage, slow, recovery — while a client calls it through the whole stack:
 *
 *   tokenBucket → retryBackoff → circuitBreaker → bulkhead → timeLimit (per attempt) → fetch
 *
 * composed once by `pipeline()`, each request made by `fromAbortable` (so a timed-out request is aborted).
 *
 * Calls that fail (an error status, or the breaker saying no) are not dropped: `queueOnFailure`
 * puts them in a durable queue (a file store in a temporary directory), and the queue drains
 * them while the breaker is closed.
 *
 * The terminal shows every policy's state as it changes, every breaker transition, the health
 * monitor and the operation mode; an ops server on loopback serves the live dashboard page
 * (/dashboard, its URL is the first line of output), /metrics (Prometheus), /health/live,
 * /health/ready, /health/detailed (bearer token) and /events (server-sent events) while the demo
 * runs. A probe of the upstream drives recovery: when it turns healthy while the breaker is open,
 * `recoverWhen` ends the break at once. It ends by itself with a summary.
 *
 *   npm start                      # 20 s
 *   npm start -- --seconds=40      # longer phases
 *   npm start -- --redis           # two instances sharing a limit and a breaker on Redis (redisDemo.ts)
 *
 * Runs on the real clock (asyncScheduler): this is the one place where time is real.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filter, interval, map, takeUntil, timer, type Subscription } from 'rxjs';
import { Registry } from 'prom-client';
import {
  bulkhead, circuitBreaker, durableQueue, exponential, findResilienceError, fromAbortable, healthCheck, healthFromBreaker, healthFromBulkhead, healthMonitor,
  isQueued, isResilienceError, operationMode, pipeline, queueOnFailure, recoverWhen, retryBackoff, timeLimit, tokenBucket, type CircuitState,
} from 'rx-resilience';
import { fileStore } from 'rx-resilience/file-store';
import { healthEndpoints } from 'rx-resilience/http';
import { prometheusMetrics } from 'rx-resilience/prometheus';

if (process.argv.includes('--redis')) {
  const { redisDemo } = await import('./redisDemo.js');
  await redisDemo();
  process.exit(0);
}

const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 20);
if (!Number.isFinite(seconds) || seconds < 4) throw new Error('--seconds must be a number >= 4');
const phases = ['healthy', 'outage', 'slow', 'recovery'] as const;
type Phase = (typeof phases)[number];
const startedAt = Date.now();
const phaseNow = (): Phase => phases[Math.min(3, Math.floor(((Date.now() - startedAt) / 1000 / seconds) * 4))]!;

/** The flaky upstream: its behaviour depends on the phase. */
function startUpstream(): Promise<Server> {
  const server = createServer((_req, res) => {
    const phase = phaseNow();
    const reply = (status: number, body: string) => res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    if (phase === 'outage') return reply(503, 'down');
    if (phase === 'slow') return void setTimeout(() => reply(200, 'slow ok'), Math.random() < 0.5 ? 200 : 600);
    if (phase === 'recovery' && Math.random() < 0.1) return reply(503, 'flaky');
    return reply(200, 'ok');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const server = await startUpstream();
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

const breaker = circuitBreaker({
  name: 'upstream',
  strategy: { kind: 'count', size: 20, minimumCalls: 10, failureRateThreshold: 0.5, slowCallRateThreshold: 0.6 },
  slowCallDuration: 300,
  breakDuration: (opens) => Math.min(4_000, 1_000 * 2 ** (opens - 1)),
  halfOpenMaxCalls: 2,
  successThreshold: 2,
  isFailureResult: (status: number) => status >= 500,
});

// Every policy is built once, here, and shared by every call: a policy built inside per-call code
// protects nothing (a new bulkhead per call has 8 fresh slots for every call). `pipeline()` composes
// them in the recommended order: the token bucket paces logical calls; the retry makes up to 3
// attempts; the breaker judges each attempt; the bulkhead bounds requests in flight; each attempt
// gets 400 ms, then its HTTP request is aborted (docs/composing-policies.md).
const perAttempt = timeLimit({ name: 'attempt', duration: 400 });
const retry = retryBackoff({ name: 'retry', maxAttempts: 3, backoff: exponential({ initial: 50, max: 400, jitter: 'full' }) });
const pool = bulkhead({ name: 'pool', maxConcurrent: 8, maxQueued: 8, queueTimeout: 500 });
const limiter = tokenBucket({ name: 'rate', capacity: 10, refill: { tokens: 15, every: 1000 } });
const upstream = pipeline({ name: 'upstream', rateLimit: limiter, retry, breaker, bulkhead: pool, timeLimit: perAttempt });
// The attempt's value is the status code once the body is read; unsubscribing aborts the request.
const attempt = () =>
  fromAbortable(async (signal) => {
    const response = await fetch(url, { signal });
    await response.arrayBuffer();
    return response.status;
  });

const tally = { ok: 0, failed: 0, rejected: 0, retries: 0, timeouts: 0, limited: 0, full: 0 };

// Store and forward: a failed call (error status or rejected by the breaker) becomes a durable
// message; the queue redelivers it through the breaker whenever the breaker is closed.
const queueDir = mkdtempSync(join(tmpdir(), 'rxr-demo-'));
const queue = durableQueue<number>({ name: 'retry-later', store: fileStore({ dir: queueDir, fsync: 'batch' }), maxAttempts: 4, backoff: exponential({ initial: 200, max: 2_000 }) });
const failOnError = map((status: number) => {
  if (status >= 500) throw new Error(`HTTP ${status}`);
  return status;
});
const orQueue = queueOnFailure(queue, (n: number) => ({ payload: n }), {
  when: (error) => !isResilienceError(error, 'RATE_LIMITED') && !isResilienceError(error, 'BULKHEAD_FULL') && !isResilienceError(error, 'QUEUE_TIMEOUT'),
});
const queued = { queued: 0, delivered: 0, dead: 0 };

// Health and mode are subscriptions on the policies' streams; the ops server exposes them.
// A direct probe of the upstream (deep: it reports, it does not gate readiness) ...
const probe = healthCheck('upstream-probe', () => fetch(url).then((r) => r.status < 500), { interval: 1_000, timeLimit: 500, kind: 'deep', critical: false });
const monitor = healthMonitor({
  components: [healthFromBreaker(breaker, { critical: true }), healthFromBulkhead(pool), probe],
});
// ... ends an open breaker's break as soon as it turns healthy again (the trials still decide).
const recovery = recoverWhen(breaker, monitor.transitions$.pipe(filter((t) => t.component === 'upstream-probe'), map((t) => t.to === 'healthy')));
const mode = operationMode({ name: 'demo', health$: monitor.health$ });
const exporter = prometheusMetrics({ registry: new Registry() });
const unwatch = exporter.watch([upstream, monitor, mode]);
const token = 'demo-token';
const ops = healthEndpoints({ monitor, mode, token, metrics: exporter.exposition, dashboard: true, policies: [upstream] });
const opsServer = createServer(ops);
await new Promise<void>((resolve) => opsServer.listen(0, '127.0.0.1', resolve));
const opsUrl = `http://127.0.0.1:${(opsServer.address() as AddressInfo).port}`;
// The first line of output: open it in a browser while the demo runs.
console.log(`dashboard: ${opsUrl}/dashboard`);
let modeNow = 'NORMAL';
const modes: string[] = [];
const timeIn = new Map<CircuitState, number>();
let state: CircuitState = 'closed';
let stateSince = Date.now();
const log: string[] = [];
const tty = process.stdout.isTTY === true;
const elapsed = () => ((Date.now() - startedAt) / 1000).toFixed(1).padStart(5);

const subs: Subscription[] = [];
subs.push(
  breaker.state$.subscribe((next) => {
    timeIn.set(state, (timeIn.get(state) ?? 0) + Date.now() - stateSince);
    state = next;
    stateSince = Date.now();
  }),
  retry.events$.subscribe((e) => {
    if (e.type === 'retry') tally.retries++;
  }),
  perAttempt.events$.subscribe(() => tally.timeouts++),
  queue.events$.subscribe((e) => {
    if (e.type === 'delivered') queued.delivered++;
    else if (e.type === 'dead-lettered') queued.dead++;
  }),
  queue.drain(() => attempt().pipe(perAttempt, breaker, failOnError), { concurrency: 2, when: breaker.state$.pipe(map((s) => s === 'closed')) }).subscribe(),
  mode.mode$.subscribe((m) => {
    if (m.mode === modeNow) return;
    modeNow = m.mode;
    const line = `${elapsed()} s  [${phaseNow().padEnd(8)}]  mode ${m.mode}${m.reasons.length ? `: ${m.reasons.map((r) => r.reason).join('; ')}` : ''}`;
    modes.push(m.mode);
    log.push(line);
    if (!tty) console.log(line);
  }),
  breaker.events$.subscribe((e) => {
    if (e.type !== 'transition') return;
    const line = `${elapsed()} s  [${phaseNow().padEnd(8)}]  ${e.from} -> ${e.to}`;
    log.push(line);
    if (!tty) console.log(line);
  }),
);

// The client: one request every 50 ms through the whole stack, for `seconds`.
const end$ = timer(seconds * 1000);
subs.push(
  interval(50)
    .pipe(takeUntil(end$))
    .subscribe((n) => {
      attempt()
        .pipe(upstream, failOnError, orQueue(n))
        .subscribe({
          next: (result) => {
            if (isQueued(result)) queued.queued++;
            else tally.ok++;
          },
          error: (error: unknown) => {
            if (findResilienceError(error, 'CIRCUIT_OPEN') !== undefined) tally.rejected++;
            else if (isResilienceError(error, 'RATE_LIMITED')) tally.limited++;
            else if (isResilienceError(error, 'BULKHEAD_FULL') || isResilienceError(error, 'QUEUE_TIMEOUT')) tally.full++;
            else tally.failed++;
          },
        });
    }),
);

function view(): string {
  const s = breaker.stats();
  const pct = (x: number) => `${(x * 100).toFixed(0)}%`.padStart(4);
  return [
    `rx-resilience demo  ${elapsed()} s / ${seconds} s   upstream phase: ${phaseNow()}   dashboard: ${opsUrl}/dashboard`,
    `ops: ${opsUrl}/metrics  ${opsUrl}/health/ready  ${opsUrl}/events  (/health/detailed: Bearer ${token})`,
    `health: ${monitor.snapshot().status}   mode: ${modeNow}`,
    `breaker 'upstream': ${s.state.toUpperCase()}${s.nextAttemptAt === null ? '' : ' (half-open soon)'}`,
    `window: ${s.calls} calls, failure rate ${pct(s.failureRate)}, slow-call rate ${pct(s.slowCallRate)}`,
    `client: ${tally.ok} ok, ${tally.failed} failed, ${tally.rejected} rejected fast by the breaker`,
    `        ${tally.retries} retries, ${tally.timeouts} attempts timed out, ${tally.limited} rate limited, ${tally.full} turned away by the bulkhead`,
    `queue: ${queued.queued} failed calls queued, ${queued.delivered} delivered later, ${queued.dead} dead-lettered, ${queue.stats().pending} waiting`,
    `bulkhead: ${pool.stats().active} active, ${pool.stats().queued} queued   token bucket: ${limiter.stats().remaining.toFixed(1)} tokens left`,
    'transitions:',
    ...log.slice(-8).map((l) => `  ${l}`),
  ].join('\n');
}

const screen = tty
  ? interval(200).subscribe(() => process.stdout.write(`\x1b[H\x1b[2J${view()}\n`))
  : interval(2000).subscribe(() => console.log(view().split('\n').slice(2, 6).join(' | ')));
if (!tty) console.log(view().split('\n')[1]);

end$.subscribe(() => {
  screen.unsubscribe();
  // Let in-flight calls finish, then print the summary.
  timer(600).subscribe(() => {
    for (const sub of subs) sub.unsubscribe();
    recovery.unsubscribe();
    timeIn.set(state, (timeIn.get(state) ?? 0) + Date.now() - stateSince);
    const s = breaker.stats();
    if (tty) process.stdout.write(`\x1b[H\x1b[2J${view()}\n`);
    console.log('\nsummary');
    console.log(`  calls: ${tally.ok} ok, ${tally.failed} failed, ${tally.rejected} rejected while open (never reached upstream); failed and rejected calls were queued (below)`);
    console.log(`  retries: ${tally.retries}; attempts timed out: ${tally.timeouts}; rate limited: ${tally.limited}; bulkhead: ${tally.full}`);
    console.log(`  transitions: ${log.length}`);
    console.log(`  time per state: ${[...timeIn].map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
    console.log(`  breaker totals: ${JSON.stringify(s.totals)}, rejected ${s.rejected}`);
    console.log(`  durable queue: ${queued.queued} queued, ${queued.delivered} delivered, ${queued.dead} dead-lettered, ${queue.stats().pending + queue.stats().inFlight} still waiting`);
    console.log(`  operation modes entered: ${modes.join(' -> ') || 'none'}`);
    void exporter.metrics().then((text) => {
      const lines = text.split('\n').filter((l) => l.startsWith('resilience_circuit_breaker_calls_total'));
      console.log(`  /metrics (excerpt):\n${lines.map((l) => `    ${l}`).join('\n')}`);
      unwatch();
      ops.close();
      opsServer.close();
      breaker.reset();
      server.close();
      queue.close().subscribe({ complete: () => rmSync(queueDir, { recursive: true, force: true }) });
    });
  });
});
