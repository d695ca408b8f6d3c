/**
 * The shape every checker returns, and ways to combine checkers.
 *
 * `valid` is `true` (no anomaly found and the search was complete), `false`
 * (at least one anomaly) or `'unknown'` (no anomaly found, but a search ran
 * out of budget or the history holds too little to decide).
 */
import type { HistoryEvent, HistoryValue } from '../history/event.ts';
import type { OpRef } from '../history/operation.ts';
import { anomaliesPerKindMax } from './limits.ts';

export type Validity = boolean | 'unknown';

/** One step of a dependency cycle between transactions. */
export interface CycleStep {
  /** Operation indices of the two transactions. */
  readonly from: number;
  readonly to: number;
  /** ww, wr, rw (data dependencies), rt (realtime order) or process (process order). */
  readonly kind: string;
  /** The step in words: "T3 appended 1 to key x, which T7 read". */
  readonly explanation: string;
}

/** One thing a checker found wrong, with the operations that show it. */
export interface Anomaly {
  /** Short name: 'nonlinearizable', 'G1a', 'G-single', 'lost', 'wrong-total', … */
  readonly kind: string;
  /** The anomaly in words. */
  readonly description: string;
  /** The operations involved. */
  readonly ops: readonly OpRef[];
  /** The key (partition) it concerns, for checkers that partition by key. */
  readonly key?: HistoryValue;
  /** Dependency cycles: the steps in order, the last leading back to the first. */
  readonly cycle?: readonly CycleStep[];
  /** Linearizability: how many operations linearize before the search gets stuck, and the last of them. */
  readonly prefix?: { readonly length: number; readonly ops: readonly OpRef[] };
}

/** What every checker returns. */
export interface CheckResult {
  readonly valid: Validity;
  readonly anomalies: readonly Anomaly[];
  readonly stats: Readonly<Record<string, number>>;
  /** Why a result is 'unknown', and other things a reader should know. */
  readonly notes?: readonly string[];
}

/** The note of a result left 'unknown' because the history holds no read to judge. */
export const noReadsNote = 'no ok read: nothing to judge';

/** A checker with its options bound: a pure function of a history. */
export type Checker = (history: readonly HistoryEvent[]) => CheckResult;

/**
 * Collects anomalies, keeping at most `anomaliesPerKindMax` of each kind in
 * the report while counting all of them.
 */
export class AnomalyCollector {
  readonly #kept: Anomaly[] = [];
  readonly #counts = new Map<string, number>();

  add(anomaly: Anomaly): void {
    const count = (this.#counts.get(anomaly.kind) ?? 0) + 1;
    this.#counts.set(anomaly.kind, count);
    if (count <= anomaliesPerKindMax) this.#kept.push(anomaly);
  }

  get size(): number {
    let n = 0;
    for (const c of this.#counts.values()) n += c;
    return n;
  }

  /** Builds the result: invalid if anything was collected, else unknown if `unknown`, else valid. */
  result(stats: Record<string, number>, unknown = false, notes: readonly string[] = []): CheckResult {
    const all: Record<string, number> = { ...stats };
    for (const [kind, count] of this.#counts) all[`anomalies.${kind}`] = count;
    return {
      valid: this.#counts.size > 0 ? false : unknown ? 'unknown' : true,
      anomalies: this.#kept,
      stats: all,
      ...(notes.length > 0 ? { notes } : {}),
    };
  }
}

/** Several results as one: anomaly kinds and stats are prefixed with each part's name. */
export interface CombinedResult extends CheckResult {
  readonly parts: Readonly<Record<string, CheckResult>>;
}

/** Combines named results: invalid if any is invalid, else unknown if any is unknown. */
export function combineResults(parts: Readonly<Record<string, CheckResult>>): CombinedResult {
  const all = Object.values(parts);
  const valid: Validity = all.some((r) => r.valid === false) ? false : all.some((r) => r.valid === 'unknown') ? 'unknown' : true;
  const anomalies: Anomaly[] = [];
  const stats: Record<string, number> = {};
  const notes: string[] = [];
  for (const [name, r] of Object.entries(parts)) {
    for (const a of r.anomalies) anomalies.push({ ...a, kind: `${name}/${a.kind}` });
    for (const [k, v] of Object.entries(r.stats)) stats[`${name}.${k}`] = v;
    for (const note of r.notes ?? []) notes.push(`${name}: ${note}`);
  }
  return { valid, anomalies, stats, ...(notes.length > 0 ? { notes } : {}), parts };
}

/** Runs every named checker on one history and combines their results. */
export function checkAll(history: readonly HistoryEvent[], checkers: Readonly<Record<string, Checker>>): CombinedResult {
  const parts: Record<string, CheckResult> = {};
  for (const [name, check] of Object.entries(checkers)) parts[name] = check(history);
  return combineResults(parts);
}
