/**
 * The shipped observability assets: the alert rules pass `promtool check rules` and their unit
 * tests, and every metric the rules and the dashboard read is one the exporter produces.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { seriesNames } from '../../src/prometheus/index.js';
import { metricNamesIn } from './promql.js';

const dir = fileURLToPath(new URL('../../examples/observability/', import.meta.url));
const RULES = `${dir}prometheus-rules.yml`;
const RULE_TESTS = `${dir}prometheus-rules.test.yml`;
const DASHBOARD = `${dir}grafana-dashboard.json`;
const produced = new Set(seriesNames());

function hasPromtool(): boolean {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

const promtool = hasPromtool();
if (!promtool) {
  if (process.env.CI === 'true') throw new Error('promtool is missing (install the Debian package `prometheus`): under CI=true the alert rules must be checked');
  console.warn('NOTICE: promtool not found; skipping `promtool check rules` (install the Debian package `prometheus`). Under CI=true this fails.');
}

describe('prometheus-rules.yml', () => {
  it.skipIf(!promtool)('passes promtool check rules', () => {
    const out = execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8', stdio: 'pipe' });
    expect(out).toMatch(/SUCCESS: \d+ rules found/);
  });

  it('tests a flapping breaker, a short open between two 15 s scrapes and a steady open', () => {
    const tests = parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: { interval: string; input_series: { series: string }[]; alert_rule_test: { alertname: string }[] }[] };
    const breakers = tests.tests.find((t) => t.input_series.some((s) => s.series.includes('name="flappy"')));
    expect(breakers?.interval).toBe('15s');
    for (const name of ['flappy', 'blip', 'steady']) expect(breakers?.input_series.some((s) => s.series.includes(`name="${name}"`)), name).toBe(true);
    expect(breakers?.alert_rule_test.map((t) => t.alertname)).toEqual(expect.arrayContaining(['CircuitBreakerOpen', 'CircuitBreakerOpened']));
  });

  it.skipIf(!promtool)('fires as its unit tests say (promtool test rules)', () => {
    const out = execFileSync('promtool', ['test', 'rules', RULE_TESTS], { encoding: 'utf8', stdio: 'pipe', cwd: dir });
    expect(out).toMatch(/SUCCESS/);
  });

  it('has the seed alerts plus retry storm and bulkhead saturation; breaker alerts on counters, not on the state gauge with for:', () => {
    const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { alert: string; expr: string; for?: string }[] }[] }).groups.flatMap((g) => g.rules);
    const byName = new Map(rules.map((r) => [r.alert, r]));
    expect(byName.get('CircuitBreakerOpen')?.for).toBeUndefined();
    expect(byName.get('CircuitBreakerOpen')?.expr).toContain('resilience_circuit_breaker_state_seconds_total');
    expect(byName.get('CircuitBreakerOpened')?.expr).toContain('resilience_circuit_breaker_transitions_total');
    expect(byName.get('HighErrorRate')?.for).toBe('5m');
    for (const alert of ['SlowResponse', 'RetryStorm', 'BulkheadSaturated']) expect(byName.has(alert), alert).toBe(true);
  });

  it('reads only metrics the exporter produces', () => {
    const rules = (parse(readFileSync(RULES, 'utf8')) as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) => g.rules);
    const names = rules.flatMap((r) => metricNamesIn(r.expr));
    expect(names.length).toBeGreaterThan(5);
    expect(names.filter((n) => !produced.has(n))).toEqual([]);
  });

  it('has unit-test input series named as the exporter names them', () => {
    const tests = parse(readFileSync(RULE_TESTS, 'utf8')) as { tests: { input_series: { series: string }[] }[] };
    const names = tests.tests.flatMap((t) => t.input_series.flatMap((s) => metricNamesIn(s.series)));
    expect(names.filter((n) => !produced.has(n))).toEqual([]);
  });
});

describe('grafana-dashboard.json', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { type: string; title: string; targets?: { expr: string }[] }[]; templating: { list: { query?: unknown }[] } };
  const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));

  it('reads only metrics the exporter produces', () => {
    const names = exprs.flatMap(metricNamesIn);
    expect(new Set(names).size).toBeGreaterThan(15);
    expect(names.filter((n) => !produced.has(n))).toEqual([]);
  });

  it('shows breaker states, success rate, retries, time-outs, bulkhead saturation, limiter rejections, health and mode', () => {
    const all = exprs.join('\n');
    for (const name of [
      'circuit_breaker_state_code', 'circuit_breaker_calls_total', 'retry_retries_total', 'time_limit_timeouts_total',
      'bulkhead_active_calls', 'rate_limiter_calls_total', 'health_status_code', 'operation_mode_code',
    ]) expect(all, name).toContain(`resilience_${name}`);
  });
});

describe('metricNamesIn', () => {
  it('finds metric names and nothing else', () => {
    const expr = 'histogram_quantile(0.95, sum by (name, le) (rate(a_bucket{name=~"$name",x="y z"}[5m]))) > 5 and on (name) b_total / clamp_min(c, 1e-9) > bool 0.5 * $__rate_interval';
    expect(metricNamesIn(expr).sort()).toEqual(['a_bucket', 'b_total', 'c']);
    expect(metricNamesIn('resilience_x{name="p",state="open"}')).toEqual(['resilience_x']);
  });
});
