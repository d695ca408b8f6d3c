/**
 * The sequential checker, after CockroachDB's Jepsen "sequential" test: a
 * writer inserts keys k1, k2, …, kn one after another, each in its own
 * transaction, so kj is committed only after every earlier key. A reader
 * reads them in reverse order (kn first); under sequential consistency it
 * must never see a key without every key written before it.
 *
 * Formats: `write` takes the key; a `read` takes the keys in reading order
 * (newest first, so the last listed was written first) and returns one value
 * per key in that order, null when absent. When the history records writes,
 * a key seen that no write could have created is flagged too.
 */
import { HistoryError, type HistoryEvent, type HistoryValue } from '../history/event.ts';
import { opRef, pairOperations, type Operation } from '../history/operation.ts';
import { canonical } from './canonical.ts';
import { describeOp } from './describe.ts';
import { AnomalyCollector, noReadsNote, type CheckResult } from './result.ts';

function observations(op: Operation): Array<{ readonly key: string; readonly present: boolean }> {
  const keys = op.input;
  const values = op.output;
  if (!Array.isArray(keys) || !Array.isArray(values) || keys.length !== values.length) {
    throw new HistoryError('malformed-op', `sequential: read #${op.index} must take a list of keys and return one value per key`);
  }
  return (keys as readonly HistoryValue[]).map((k, i) => ({ key: canonical(k), present: values[i] !== null }));
}

/** Checks that no read saw a key without all earlier keys of the writer's sequence. */
export function checkSequential(history: readonly HistoryEvent[]): CheckResult {
  const ops = pairOperations(history);
  const writes = ops.filter((o) => o.f === 'write');
  const writable = new Set(writes.filter((w) => w.status !== 'fail').map((w) => canonical(w.input)));
  const reads = ops.filter((o) => o.f === 'read' && o.status === 'ok');
  const out = new AnomalyCollector();
  for (const r of reads) {
    // Reading order is newest first: walking it backwards walks write order.
    const seen = observations(r).reverse();
    const gap = seen.findIndex((o) => !o.present);
    const later = gap === -1 ? -1 : seen.findIndex((o, i) => i > gap && o.present);
    if (later !== -1) {
      out.add({
        kind: 'out-of-order',
        description: `${describeOp(r)} saw key ${seen[later]!.key} but not ${seen[gap]!.key}, which was written before it`,
        ops: [opRef(r)],
      });
    }
    if (writes.length === 0) continue;
    for (const o of seen) {
      if (o.present && !writable.has(o.key)) {
        out.add({ kind: 'unexpected', description: `${describeOp(r)} saw key ${o.key}, which no write that may have succeeded created`, ops: [opRef(r)] });
      }
    }
  }
  return out.result({ reads: reads.length, writes: writes.length }, reads.length === 0, reads.length === 0 ? [noReadsNote] : []);
}
