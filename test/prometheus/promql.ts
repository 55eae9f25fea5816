/** The metric names a PromQL expression reads (enough PromQL for our rules and dashboard). */
const KEYWORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'group', 'count_values',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset',
]);

export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\{?\w+\}?/g, ' '); // dashboard variables
  const names = new Set<string>();
  for (const m of stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, word, call] = m;
    if (call !== undefined || KEYWORDS.has(word!) || /^(Inf|NaN)$/i.test(word!)) continue;
    // an exponent such as 1e-9 is not a name
    if (/^e\d*$/.test(word!) && /\d$/.test(stripped.slice(0, m.index))) continue;
    names.add(word!);
  }
  return [...names];
}
