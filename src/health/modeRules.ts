/**
 * Operation-mode rules: each rule looks at the system health (a ts-pattern pattern or a
 * predicate) and, when it matches, contributes a reason for DEGRADED or EMERGENCY. The mode is the
 * most severe mode among the matching rules, NORMAL when none matches.
 */
import { isMatching, match, P } from 'ts-pattern';
import { describeError } from '../internal/describeError.js';
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

/**
 * A rule callback that threw. A throwing `when` skips its rule (no one can say whether it
 * matches); a throwing `reason` or `components` keeps the matched rule, with a placeholder reason
 * or the default components. Either way the error is listed here, never lost.
 */
export interface RuleError {
  /** The rule's index in `rules`. */
  readonly rule: number;
  readonly mode: 'DEGRADED' | 'EMERGENCY';
  readonly callback: 'when' | 'reason' | 'components';
  readonly error: unknown;
  /** `error` in words (safe to serialise). */
  readonly message: string;
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

/** The reasons of every rule that matches `health`, in rule order, and the callbacks that threw. */
export function evaluateRules(rules: readonly ModeRule[], health: SystemHealth): { reasons: ModeReason[]; errors: RuleError[] } {
  const reasons: ModeReason[] = [];
  const errors: RuleError[] = [];
  rules.forEach((rule, index) => {
    const attempt = <R>(callback: RuleError['callback'], f: () => R): { value: R } | undefined => {
      try {
        return { value: f() };
      } catch (error) {
        errors.push({ rule: index, mode: rule.mode, callback, error, message: describeError(error) });
        return undefined;
      }
    };
    const matched = attempt('when', () => (typeof rule.when === 'function'
      ? (rule.when as (h: SystemHealth) => boolean)(health)
      : isMatching(rule.when as P.Pattern<unknown>)(health)));
    if (matched === undefined || !matched.value) return;
    const reason = attempt('reason', () => (typeof rule.reason === 'function' ? rule.reason(health) : rule.reason))?.value ??
      `rule ${index} (${rule.mode}) matched; its reason threw: ${errors[errors.length - 1]!.message}`;
    const given = rule.components;
    const components = (given === undefined ? undefined : attempt('components', () => (typeof given === 'function' ? given(health) : given))?.value) ??
      namesWhere(health, notHealthy);
    reasons.push({ mode: rule.mode, reason, components, source: 'rule' });
  });
  return { reasons, errors };
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
