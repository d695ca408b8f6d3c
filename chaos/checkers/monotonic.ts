/**
 * The monotonic checker: a counter only grows, so each process's successive
 * reads of it never go backwards; optionally, neither do reads ordered in
 * real time across processes (a read invoked after another completed).
 *
 * Format: an ok `read` returns a number (null: never written, read as 0).
 * Other functions (increments) are ignored.
 */
import { HistoryError, type HistoryEvent } from '../history/event.ts';
import { opRef, pairOperations, type Operation } from '../history/operation.ts';
import { describeOp } from './describe.ts';
import { AnomalyCollector, noReadsNote, type CheckResult } from './result.ts';

export interface MonotonicOptions {
  /** Also require reads ordered in real time, across processes, never to go backwards. */
  readonly realtime?: boolean;
}

interface CounterRead {
  readonly op: Operation;
  readonly value: number;
}

function counterReads(ops: readonly Operation[]): CounterRead[] {
  return ops.filter((o) => o.f === 'read' && o.status === 'ok').map((op) => {
    const v = op.output ?? 0;
    if (typeof v !== 'number') throw new HistoryError('malformed-op', `monotonic: read #${op.index} returned ${JSON.stringify(v)}, not a number`);
    return { op, value: v };
  });
}

/** Checks that counter reads never go backwards. */
export function checkMonotonic(history: readonly HistoryEvent[], options: MonotonicOptions = {}): CheckResult {
  const reads = counterReads(pairOperations(history));
  const out = new AnomalyCollector();
  const last = new Map<number, CounterRead>();
  for (const r of reads) {
    const previous = last.get(r.op.process);
    if (previous && r.value < previous.value) {
      out.add({ kind: 'regression', description: `${describeOp(r.op)} went back from ${previous.value}, read just before by ${describeOp(previous.op)}`, ops: [opRef(previous.op), opRef(r.op)] });
    }
    last.set(r.op.process, r);
  }
  if (options.realtime) checkRealtime(reads, out);
  return out.result({ reads: reads.length, processes: last.size }, reads.length === 0, reads.length === 0 ? [noReadsNote] : []);
}

/** A read must not be below any read that completed before it was invoked. */
function checkRealtime(reads: readonly CounterRead[], out: AnomalyCollector): void {
  const byCompletion = [...reads].sort((a, b) => a.op.completeTime - b.op.completeTime);
  const byInvocation = [...reads].sort((a, b) => a.op.invokeTime - b.op.invokeTime);
  let highest: CounterRead | null = null;
  let j = 0;
  for (const r of byInvocation) {
    while (j < byCompletion.length && byCompletion[j]!.op.completeTime < r.op.invokeTime) {
      const done = byCompletion[j++]!;
      if (!highest || done.value > highest.value) highest = done;
    }
    if (highest && r.value < highest.value && highest.op.process !== r.op.process) {
      out.add({
        kind: 'realtime-regression',
        description: `${describeOp(r.op)} began after ${describeOp(highest.op)} had completed, yet read less`,
        ops: [opRef(highest.op), opRef(r.op)],
      });
    }
  }
}
