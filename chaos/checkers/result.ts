/** The shape every checker returns. */
import type { HistoryValue } from '../history/history.ts';

export interface Anomaly {
  readonly kind: string;
  readonly description: string;
  /** The operations involved (their values, as recorded). */
  readonly ops: readonly HistoryValue[];
}

export interface CheckResult {
  readonly valid: boolean | 'unknown';
  readonly anomalies: readonly Anomaly[];
  readonly stats: Readonly<Record<string, number>>;
}

/** Combines results: invalid if any is invalid, unknown if any is unknown. */
export function combineResults(results: Readonly<Record<string, CheckResult>>): CheckResult & { readonly parts: Readonly<Record<string, CheckResult>> } {
  const all = Object.values(results);
  const valid = all.some((r) => r.valid === false) ? false : all.some((r) => r.valid === 'unknown') ? 'unknown' : true;
  const anomalies = Object.entries(results).flatMap(([name, r]) => r.anomalies.map((a) => ({ ...a, kind: `${name}/${a.kind}` })));
  const stats: Record<string, number> = {};
  for (const [name, r] of Object.entries(results)) for (const [k, v] of Object.entries(r.stats)) stats[`${name}.${k}`] = v;
  return { valid, anomalies, stats, parts: results };
}
