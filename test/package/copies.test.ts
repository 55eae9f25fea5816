/**
 * Two copies of the library in one process (an application in ES modules whose dependency
 * requires the CommonJS build): the built dist is imported as ESM and required as CommonJS in one
 * child process, and the objects of one copy are handed to the other. Everything that reads
 * another object of the library reads it through `Symbol.for` keys (descriptor, error brand,
 * cache store, Prometheus families and claims), so each of these works in both directions.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BulkheadFullError, CircuitOpenError, isResilienceError, ResilienceError, TimeLimitError } from 'rx-resilience';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Runs `body` with `a` and `b` the two copies (and `aProm`, `bProm` their exporters); returns what it logs as JSON. */
function bothWays(body: string): Record<string, unknown>[] {
  return (['esm-to-cjs', 'cjs-to-esm'] as const).map((direction) => {
    const script = `
      import { createRequire } from 'node:module';
      import * as esm from 'rx-resilience';
      import * as esmProm from 'rx-resilience/prometheus';
      import * as rxjs from 'rxjs';
      import { Registry } from 'prom-client';
      const require = createRequire(process.cwd() + '/');
      const cjs = require('rx-resilience');
      const cjsProm = require('rx-resilience/prometheus');
      const [a, b, aProm, bProm] = ${direction === 'esm-to-cjs' ? '[esm, cjs, esmProm, cjsProm]' : '[cjs, esm, cjsProm, esmProm]'};
      const out = {};
      ${body}
      await new Promise((r) => setImmediate(r));
      console.log(JSON.stringify(out));
    `;
    return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' })) as Record<string, unknown>;
  });
}

describe('two copies of the library in one process (built dist, ESM and CommonJS)', () => {
  it('errors: instanceof and the guards hold across copies, by code', () => {
    for (const out of bothWays(`
      const breaker = a.circuitBreaker({ name: 'p', strategy: { kind: 'consecutive', failures: 1 } });
      rxjs.throwError(() => new Error('x')).pipe(breaker).subscribe({ error: () => {} });
      let e;
      rxjs.of(1).pipe(breaker).subscribe({ error: (x) => (e = x) });
      breaker.reset(); // cancels the half-open timer, which would keep the process alive for a minute
      out.open = [e instanceof b.CircuitOpenError, e instanceof b.ResilienceError, e instanceof Error, e instanceof b.BulkheadFullError, b.isResilienceError(e, 'CIRCUIT_OPEN'), b.isLocalRejection(e)];
      let config;
      try { a.bulkhead({ maxConcurrent: 0 }); } catch (x) { config = x; }
      out.config = [config instanceof b.ConfigError, config instanceof b.TimeLimitError, config.field];
    `)) {
      expect(out).toEqual({ open: [true, true, true, false, true, true], config: [true, false, 'maxConcurrent'] });
    }
  });

  it('a policy of one copy runs in the other, and its registry, health and metrics read it', () => {
    for (const out of bothWays(`
      const breaker = a.circuitBreaker({ name: 'payments' });
      const registry = b.resilienceRegistry();
      const handle = registry.register('payments', breaker);
      out.kind = registry.kindOf('payments');
      out.typed = registry.get('payments', 'circuit-breaker') === handle;
      const seen = [];
      rxjs.of(1, 2).pipe(handle, b.retryBackoff({ name: 'r' })).subscribe((v) => seen.push(v));
      out.seen = seen;
      breaker.isolate();
      out.health = b.healthFromBreaker(breaker).name;
      out.snapshot = registry.snapshot().payments.stats.state;
      const exporter = bProm.prometheusMetrics({ registry: new Registry() });
      exporter.watch(registry);
      out.metric = (await exporter.metrics()).includes('resilience_circuit_breaker_state{name="payments",state="isolated"} 1');
    `)) {
      expect(out).toEqual({ kind: 'circuit-breaker', typed: true, seen: [1, 2], health: 'payments', snapshot: 'isolated', metric: true });
    }
  });

  it("a fallback ladder serves from the other copy's cache", () => {
    for (const out of bothWays(`
      const scheduler = new rxjs.VirtualTimeScheduler();
      const prices = a.cache({ name: 'prices', ttl: 10, staleTtl: 1000, scheduler });
      const ladder = b.fallbackLadder({ cache: prices, scheduler });
      const seen = [];
      rxjs.of(5).pipe(ladder.forKey('k')).subscribe((r) => seen.push(r.source + ':' + r.value));
      scheduler.schedule(() => rxjs.throwError(() => new Error('down')).pipe(ladder.forKey('k')).subscribe((r) => seen.push(r.source + ':' + r.value)), 50);
      scheduler.flush();
      out.seen = seen;
      out.hits = prices.stats().stale;
    `)) {
      expect(out).toEqual({ seen: ['primary:5', 'stale:5'], hits: 1 });
    }
  });

  it("two copies' exporters share one prom-client registry: families shared, names claimed once", () => {
    for (const out of bothWays(`
      const registry = new Registry();
      const one = aProm.prometheusMetrics({ registry });
      const two = bProm.prometheusMetrics({ registry });
      one.watch(a.circuitBreaker({ name: 'first' }));
      two.watch(b.circuitBreaker({ name: 'second' }));
      const text = await registry.metrics();
      out.both = ['first', 'second'].map((n) => text.includes('resilience_circuit_breaker_state{name="' + n + '",state="closed"} 1'));
      try { two.watch(b.circuitBreaker({ name: 'first' })); out.clash = 'accepted'; } catch (e) { out.clash = e.code + ' ' + e.field; }
    `)) {
      expect(out).toEqual({ both: [true, true], clash: 'CONFIG_INVALID watch' });
    }
  });
});

describe('instanceof across copies (in process)', () => {
  /** An error as another copy builds it: the shared brand, its own classes. */
  const foreign = (code: string) => {
    const proto = Object.create(Error.prototype, { [Symbol.for('rx-resilience/error')]: { value: true } }) as object;
    return Object.assign(Object.create(proto) as object, { code, policy: 'p', message: 'm' });
  };

  it('matches an error of another copy by its code', () => {
    const open = foreign('CIRCUIT_OPEN');
    expect(open instanceof CircuitOpenError).toBe(true);
    expect(open instanceof ResilienceError).toBe(true);
    expect(open instanceof BulkheadFullError).toBe(false);
    expect(isResilienceError(open, 'CIRCUIT_OPEN')).toBe(true);
    expect(foreign('TIME_LIMIT') instanceof TimeLimitError).toBe(true);
  });

  it('keeps instanceof exact for everything else', () => {
    expect(new Error('x') instanceof ResilienceError).toBe(false);
    expect({ code: 'CIRCUIT_OPEN' } instanceof CircuitOpenError).toBe(false);
    expect((null as unknown) instanceof ResilienceError).toBe(false);
    expect(new CircuitOpenError('p', 'open', 1) instanceof CircuitOpenError).toBe(true);
    expect(new CircuitOpenError('p', 'open', 1) instanceof BulkheadFullError).toBe(false);
    class Mine extends CircuitOpenError {}
    expect(new CircuitOpenError('p', 'open', 1) instanceof Mine).toBe(false);
    expect(new Mine('p', 'open', 1) instanceof Mine).toBe(true);
    expect(foreign('CIRCUIT_OPEN') instanceof Mine).toBe(false);
  });
});
