/**
 * Checkers for the simpler workloads: bank (transfers keep the total and no
 * balance goes negative), set (no acknowledged add is lost), monotonic (a
 * counter never goes backwards), and sequential (a client's writes in order
 * are never seen out of order).
 */
import { pairOperations, type HistoryEvent, type HistoryValue, type Operation } from '../history/history.ts';
import type { Anomaly, CheckResult } from './result.ts';

const describeOp = (o: Operation): HistoryValue => ({ process: o.process, f: o.f, input: o.input, output: o.output ?? null, status: o.status });

export interface BankOptions {
  /** The sum every consistent read must see. */
  readonly total: number;
  readonly allowNegative?: boolean;
}

/** Reads are {account: balance} maps of every account. */
export function checkBank(history: readonly HistoryEvent[], options: BankOptions): CheckResult {
  const anomalies: Anomaly[] = [];
  const reads = pairOperations(history).filter((o) => o.f === 'read' && o.status === 'ok');
  for (const r of reads) {
    const balances = r.output as Record<string, number> | null;
    if (!balances || typeof balances !== 'object') continue;
    const values = Object.values(balances);
    const total = values.reduce((a, b) => a + b, 0);
    if (total !== options.total) {
      anomalies.push({ kind: 'wrong-total', description: `read by process ${r.process} totals ${total}, expected ${options.total}`, ops: [describeOp(r)] });
    }
    if (!options.allowNegative) {
      const negative = Object.entries(balances).filter(([, v]) => v < 0);
      if (negative.length > 0) {
        anomalies.push({ kind: 'negative-balance', description: `read by process ${r.process} shows negative balances ${negative.map(([a, v]) => `${a}=${v}`).join(', ')}`, ops: [describeOp(r)] });
      }
    }
  }
  return { valid: anomalies.length === 0, anomalies, stats: { reads: reads.length } };
}

/** Adds (input: element) and final reads (output: all elements). */
export function checkSet(history: readonly HistoryEvent[]): CheckResult {
  const ops = pairOperations(history);
  const adds = ops.filter((o) => o.f === 'add');
  const reads = ops.filter((o) => o.f === 'read' && o.status === 'ok');
  const anomalies: Anomaly[] = [];
  if (reads.length === 0) {
    return { valid: 'unknown', anomalies, stats: { adds: adds.length, reads: 0 } };
  }
  const final = reads.reduce((a, b) => (b.completeIndex > a.completeIndex ? b : a));
  const present = new Set(((final.output ?? []) as HistoryValue[]).map((v) => JSON.stringify(v)));
  const attempted = new Set(adds.filter((a) => a.status !== 'fail').map((a) => JSON.stringify(a.input)));
  let lost = 0;
  let recovered = 0;
  for (const a of adds) {
    const key = JSON.stringify(a.input);
    if (a.status === 'ok' && !present.has(key)) {
      lost++;
      anomalies.push({ kind: 'lost', description: `acknowledged add of ${key} by process ${a.process} is missing from the final read`, ops: [describeOp(a)] });
    }
    if (a.status === 'info' && present.has(key)) recovered++;
  }
  for (const key of present) {
    if (!attempted.has(key)) anomalies.push({ kind: 'unexpected', description: `final read holds ${key}, which no add could have written`, ops: [describeOp(final)] });
  }
  return { valid: anomalies.length === 0, anomalies, stats: { adds: adds.length, lost, recovered, finalSize: present.size } };
}

export interface MonotonicOptions {
  /** Also require reads ordered in real time (one after another completed) never to go backwards. */
  readonly realtime?: boolean;
}

/** Reads of a counter (output: number) never decrease per process, and optionally across processes in real time. */
export function checkMonotonic(history: readonly HistoryEvent[], options: MonotonicOptions = {}): CheckResult {
  const reads = pairOperations(history).filter((o) => o.f === 'read' && o.status === 'ok' && typeof o.output === 'number');
  const anomalies: Anomaly[] = [];
  const lastByProcess = new Map<number, Operation>();
  for (const r of [...reads].sort((a, b) => a.invokeIndex - b.invokeIndex)) {
    const previous = lastByProcess.get(r.process);
    if (previous && (r.output as number) < (previous.output as number)) {
      anomalies.push({ kind: 'regression', description: `process ${r.process} read ${String(r.output)} after ${String(previous.output)}`, ops: [describeOp(previous), describeOp(r)] });
    }
    lastByProcess.set(r.process, r);
  }
  if (options.realtime) {
    const byCompletion = [...reads].sort((a, b) => a.completeTime - b.completeTime);
    let maxSeen: Operation | null = null;
    let j = 0;
    for (const r of [...reads].sort((a, b) => a.invokeTime - b.invokeTime)) {
      while (j < byCompletion.length && byCompletion[j]!.completeTime < r.invokeTime) {
        const done = byCompletion[j++]!;
        if (!maxSeen || (done.output as number) > (maxSeen.output as number)) maxSeen = done;
      }
      if (maxSeen && (r.output as number) < (maxSeen.output as number)) {
        anomalies.push({ kind: 'realtime-regression', description: `process ${r.process} read ${String(r.output)} after process ${maxSeen.process} had read ${String(maxSeen.output)}`, ops: [describeOp(maxSeen), describeOp(r)] });
      }
    }
  }
  return { valid: anomalies.length === 0, anomalies, stats: { reads: reads.length } };
}

/**
 * Sequential consistency of one writer's order (CockroachDB's "sequential"
 * test): a writer writes keys k1, k2, … one after another; a reader reads them
 * in reverse order (output: [key, present] pairs in reading order) and must
 * never see a later key without every earlier one.
 */
export function checkSequential(history: readonly HistoryEvent[]): CheckResult {
  const reads = pairOperations(history).filter((o) => o.f === 'read' && o.status === 'ok');
  const anomalies: Anomaly[] = [];
  for (const r of reads) {
    const observed = (r.output ?? []) as Array<[number, boolean]>;
    const seen = new Map(observed.map(([key, present]) => [key, present]));
    const keys = [...seen.keys()].sort((a, b) => a - b);
    for (let i = 1; i < keys.length; i++) {
      if (seen.get(keys[i]!) && !seen.get(keys[i - 1]!)) {
        anomalies.push({ kind: 'out-of-order', description: `process ${r.process} saw key ${keys[i]} without the earlier key ${keys[i - 1]}`, ops: [describeOp(r)] });
        break;
      }
    }
  }
  return { valid: anomalies.length === 0, anomalies, stats: { reads: reads.length } };
}
