/**
 * The dashboard page in real Chromium (the Debian `chromium` package, driven by playwright-core):
 * scripted phases run against a loopback upstream through a breaker, a retry, a bulkhead and a
 * token bucket; the page must show them live, reconnect after the server drops it and show what
 * it missed, and work from another origin with `cors`. Screenshots of each phase go to
 * `test-artifacts/dashboard/` (gitignored); `DASHBOARD_SCREENSHOT=<file>` also writes the
 * recovered phase there (how docs/dashboard.png is made).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { catchError, defer, lastValueFrom, of, Subject } from 'rxjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkhead, circuitBreaker, healthFromBreaker, healthFromBulkhead, healthMonitor, operationMode, recoverWhen, retryBackoff, tokenBucket } from 'rx-resilience';
import { dashboard, healthEndpoints } from 'rx-resilience/http';
import { serveOn, type Served } from './sse.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present) {
  if (process.env.CI === 'true') throw new Error(`Chromium is missing at ${CHROMIUM} (install the Debian package \`chromium\`): under CI=true the dashboard must be tested`);
  console.warn(`NOTICE: no Chromium at ${CHROMIUM}; skipping the dashboard browser tests. Under CI=true this fails.`);
}
const ARTIFACTS = 'test-artifacts/dashboard';
/** Generous: a loaded 2-core machine may take seconds to start a browser or paint. */
const WAIT = 30_000;

let browser: Browser | undefined;
beforeAll(async () => {
  if (!present) return;
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'], timeout: 90_000 });
}, 120_000);
afterAll(async () => {
  await browser?.close();
});

/** A loopback upstream whose answers follow the phase. */
async function upstream(): Promise<{ served: Served; url: string; phase: { now: 'healthy' | 'outage' } }> {
  const phase = { now: 'healthy' as 'healthy' | 'outage' };
  const served = await serveOn((_req, res) => res.writeHead(phase.now === 'outage' ? 503 : 200).end(phase.now));
  return { served, url: `http://127.0.0.1:${served.port}/`, phase };
}

function stack() {
  const breaker = circuitBreaker({ name: 'upstream', strategy: { kind: 'consecutive', failures: 3 }, breakDuration: 600_000, isFailureResult: (status: number) => status >= 500 });
  const retry = retryBackoff({ name: 'retry', maxAttempts: 2, backoff: () => 1 });
  const pool = bulkhead({ name: 'pool', maxConcurrent: 4, maxQueued: 4 });
  const limiter = tokenBucket({ name: 'rate', capacity: 100, refill: { tokens: 100, every: 1_000 } });
  const monitor = healthMonitor({ components: [healthFromBreaker(breaker, { critical: true }), healthFromBulkhead(pool)] });
  const mode = operationMode({ name: 'shop', health$: monitor.health$ });
  return { breaker, retry, pool, limiter, monitor, mode };
}

/** Watches a page for console errors, page errors and requests outside `origins`. */
function watchPage(page: Page, origins: readonly string[]) {
  const errors: string[] = [];
  const foreign: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => !origins.includes(new URL(r.url()).origin) && foreign.push(r.url()));
  return { errors, foreign };
}

describe.skipIf(!present)('dashboard in Chromium', () => {
  it('shows the phases live (breaker timeline closed → open → half-open → closed, mode banner), reconnects after a drop and shows what it missed', async () => {
    const up = await upstream();
    const s = stack();
    const healthy = new Subject<boolean>();
    const link = recoverWhen(s.breaker, healthy);
    const endpoints = healthEndpoints({ monitor: s.monitor, mode: s.mode, policies: [s.breaker, s.retry, s.pool, s.limiter], dashboard: true, maxRate: 10 });
    const server: Server = createServer(endpoints);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const call = () => lastValueFrom(defer(() => fetch(up.url).then(async (r) => (await r.arrayBuffer(), r.status))).pipe(s.breaker, s.retry, s.pool, s.limiter, catchError(() => of(-1))));
    const page = await browser!.newPage({ viewport: { width: 1280, height: 800 } });
    const seen = watchPage(page, [origin]);
    const timelineIs = (states: string) => page.waitForSelector(`[data-testid="timeline-upstream"][data-states="${states}"]`, { timeout: WAIT });
    const banner = (mode: string) => page.waitForSelector(`header[data-mode="${mode}"]`, { timeout: WAIT });
    const shot = (name: string) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });
    try {
      await page.goto(`${origin}/dashboard`, { timeout: WAIT });
      // Phase 1: healthy.
      for (let i = 0; i < 5; i++) await call();
      await timelineIs('closed');
      await banner('NORMAL');
      await page.waitForSelector('#conn[data-state="connected"]', { timeout: WAIT });
      await page.waitForSelector('[data-testid="policy-pool"] >> text=occupancy 0 / 4', { timeout: WAIT });
      await page.waitForSelector('[data-testid="policy-rate"] >> text=/tokens \\d+ \\/ 100/', { timeout: WAIT });
      await page.waitForSelector('[data-testid="policy-retry"] >> text=successes 5', { timeout: WAIT });
      await shot('1-healthy');

      // Phase 2: outage, the breaker opens; a critical component unhealthy is EMERGENCY.
      up.phase.now = 'outage';
      for (let i = 0; i < 4; i++) await call();
      expect(s.breaker.stats().state).toBe('open');
      await timelineIs('closed,open');
      await banner('EMERGENCY');
      // An open breaker's retryAfter (10 min) is past the retry's maxDelay: a give-up, by reason.
      await page.waitForSelector('[data-testid="policy-retry"] >> text=max-delay 1', { timeout: WAIT });
      // The window is cleared on opening: the rates that opened it are kept (5 successes, then 3 failures).
      await page.waitForSelector('text=last trip: failure rate 37.5 %', { timeout: WAIT });
      await shot('2-outage');

      // Phase 3: the upstream is back; its health signal ends the break (half-open), a trial closes it.
      up.phase.now = 'healthy';
      healthy.next(true);
      await timelineIs('closed,open,half-open');
      await banner('DEGRADED');
      await shot('3-half-open');
      await call();
      await timelineIs('closed,open,half-open,closed');
      await banner('NORMAL');
      await shot('4-recovered');
      if (process.env.DASHBOARD_SCREENSHOT !== undefined) await page.screenshot({ path: process.env.DASHBOARD_SCREENSHOT });
      expect(seen.errors).toEqual([]);
      expect(seen.foreign).toEqual([]);

      // Phase 4: the server drops every connection; while the page is away the breaker is
      // isolated by hand; it reconnects with Last-Event-ID and shows the events it missed.
      server.closeAllConnections();
      await page.waitForSelector('#conn[data-state="disconnected"]', { timeout: WAIT });
      await shot('5-disconnected');
      s.breaker.isolate();
      await page.waitForSelector('#conn[data-state="connected"]', { timeout: WAIT });
      await timelineIs('closed,open,half-open,closed,isolated');
      await page.waitForSelector('#events li:has-text("upstream closed → isolated")', { timeout: WAIT });
      await banner('EMERGENCY');
      await shot('6-reconnected');
      expect(seen.foreign).toEqual([]);
    } finally {
      await page.close();
      link.unsubscribe();
      endpoints.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await up.served.stop();
    }
  }, 180_000);

  it('works from another origin when cors lists it, with the standalone dashboard() handler', async () => {
    const s = stack();
    const ops = healthEndpoints({ monitor: s.monitor, mode: s.mode, policies: [s.breaker, s.pool] });
    const opsServed = await serveOn(ops);
    const opsOrigin = `http://127.0.0.1:${opsServed.port}`;
    // The page is served by a second server (another port: another origin).
    const pageServed = await serveOn(dashboard({ events: `${opsOrigin}/events` }));
    const pageOrigin = `http://localhost:${pageServed.port}`;
    const page = await browser!.newPage();
    const seen = watchPage(page, [opsOrigin, pageOrigin]);
    try {
      // Without cors the browser blocks the stream: the page says it is disconnected.
      await page.goto(`${pageOrigin}/dashboard`, { timeout: WAIT });
      await page.waitForSelector('#conn[data-state="disconnected"]', { timeout: WAIT });
      expect(await page.locator('[data-testid="policy-upstream"]').count()).toBe(0);
      expect(seen.foreign).toEqual([]);
      ops.close();
      await opsServed.stop();

      const allowed = healthEndpoints({ monitor: s.monitor, mode: s.mode, policies: [s.breaker, s.pool], cors: { origins: [pageOrigin] } });
      const again = await serveOn(allowed);
      const other = `http://127.0.0.1:${again.port}`;
      const seen2 = watchPage(page, [other, pageOrigin]);
      await page.goto(`${pageOrigin}/dashboard?source=${encodeURIComponent(`${other}/events`)}`, { timeout: WAIT });
      await page.waitForSelector('#conn[data-state="connected"]', { timeout: WAIT });
      await page.waitForSelector('[data-testid="timeline-upstream"][data-states="closed"]', { timeout: WAIT });
      await page.waitForSelector('[data-testid="policy-pool"]', { timeout: WAIT });
      await page.screenshot({ path: `${ARTIFACTS}/cross-origin.png`, fullPage: true });
      expect(seen2.errors).toEqual([]);
      expect(seen2.foreign).toEqual([]);
      allowed.close();
      await again.stop();
    } finally {
      await page.close();
      await pageServed.stop();
    }
  }, 120_000);
});
