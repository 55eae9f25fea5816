/**
 * Operation-mode rules: each rule looks at the system health (a ts-pattern pattern or a
 * predicate) and, when it matches, contributes a reason for DEGRADED or EMERGENCY. The mode is the
 * most severe mode among the matching rules, NORMAL when none matches.
 */
import { isMatching, match, P } from 'ts-pattern';
import type { HealthReport, SystemHealth } from './types.js';

export type OperationModeLevel = 'NORMAL' | 'DEGRADED' | 'EMERGENCY';

export interface ModeRule {
  /** The mode this rule asks for when it matches. */
  readonly mode: 'DEGRADED' | 'EMERGENCY';
  /** A ts-pattern pattern over `SystemHealth`, or a predicate. */
  readonly when: P.Pattern<SystemHealth> | ((health: SystemHealth) => boolean);
  /** Why, in words (or built from the health). */
  readonly reason: string | ((health: SystemHealth) => string);
  /** The components involved. Default: every component that is not healthy. */
  readonly components?: readonly string[] | ((health: SystemHealth) => readonly string[]);
}

/** One reason for the current mode. */
export interface ModeReason {
  readonly mode: 'DEGRADED' | 'EMERGENCY';
  readonly reason: string;
  readonly components: readonly string[];
  /** `rule` for a matching rule, `override` for `activateEmergency`. */
  readonly source: 'rule' | 'override';
}

const criticalDown = P.shape({ critical: true, status: 'unhealthy' });
const notHealthy = P.shape({ status: P.union('degraded', 'unhealthy') });

function namesWhere(health: SystemHealth, pattern: P.Pattern<HealthReport>): string[] {
  const test = isMatching(pattern as P.Pattern<unknown>);
  const names: string[] = [];
  for (const report of Object.values(health.components)) if (test(report as unknown)) names.push(report.name);
  return names;
}

/** The default rules: any critical component unhealthy → EMERGENCY; any component not healthy → DEGRADED. */
export const defaultModeRules: readonly ModeRule[] = [
  {
    mode: 'EMERGENCY',
    when: (h) => namesWhere(h, criticalDown).length > 0,
    reason: (h) => `critical component unhealthy: ${namesWhere(h, criticalDown).join(', ')}`,
    components: (h) => namesWhere(h, criticalDown),
  },
  {
    mode: 'DEGRADED',
    when: (h) => namesWhere(h, notHealthy).length > 0,
    reason: (h) => `component not healthy: ${namesWhere(h, notHealthy).join(', ')}`,
    components: (h) => namesWhere(h, notHealthy),
  },
];

/** The reasons of every rule that matches `health`, in rule order. */
export function evaluateRules(rules: readonly ModeRule[], health: SystemHealth): ModeReason[] {
  const reasons: ModeReason[] = [];
  for (const rule of rules) {
    const matched = typeof rule.when === 'function'
      ? (rule.when as (h: SystemHealth) => boolean)(health)
      : isMatching(rule.when as P.Pattern<unknown>)(health);
    if (!matched) continue;
    const reason = typeof rule.reason === 'function' ? rule.reason(health) : rule.reason;
    const components = rule.components === undefined ? namesWhere(health, notHealthy)
      : typeof rule.components === 'function' ? rule.components(health) : rule.components;
    reasons.push({ mode: rule.mode, reason, components, source: 'rule' });
  }
  return reasons;
}

/** The most severe mode the reasons ask for. */
export function modeOf(reasons: readonly ModeReason[]): OperationModeLevel {
  let mode: OperationModeLevel = 'NORMAL';
  for (const r of reasons) mode = severer(mode, r.mode);
  return mode;
}

export function severity(mode: OperationModeLevel): number {
  return match(mode).with('NORMAL', () => 0).with('DEGRADED', () => 1).with('EMERGENCY', () => 2).exhaustive();
}

function severer(a: OperationModeLevel, b: OperationModeLevel): OperationModeLevel {
  return severity(b) > severity(a) ? b : a;
}
