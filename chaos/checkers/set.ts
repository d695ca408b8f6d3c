/**
 * The set checker: clients add unique elements, then read the whole set.
 *
 * Judged on the final reads (ok reads invoked after every determinate add
 * completed; failing that, the last read to complete): every acknowledged
 * add must be present, else it is lost; an indeterminate add may or may not
 * be (present: recovered); nothing may be present that no add attempted or
 * that only failed adds attempted (unexpected).
 *
 * Formats: `add` takes the element; an ok `read` returns a list of elements.
 */
import { HistoryError, type HistoryEvent, type HistoryValue } from '../history/event.ts';
import { opRef, pairOperations, type Operation } from '../history/operation.ts';
import { canonical } from './canonical.ts';
import { describeOp } from './describe.ts';
import { AnomalyCollector, noReadsNote, type CheckResult } from './result.ts';

function elementsOf(read: Operation): Set<string> {
  if (!Array.isArray(read.output)) throw new HistoryError('malformed-op', `set: read #${read.index} returned ${JSON.stringify(read.output)}, not a list`);
  return new Set((read.output as readonly HistoryValue[]).map(canonical));
}

/** The reads a set history is judged on. */
function finalReads(adds: readonly Operation[], reads: readonly Operation[]): { reads: Operation[]; note?: string } {
  let lastAdd = -Infinity;
  for (const a of adds) if (Number.isFinite(a.completeTime)) lastAdd = Math.max(lastAdd, a.completeTime);
  const after = reads.filter((r) => r.invokeTime >= lastAdd);
  if (after.length > 0) return { reads: after };
  const last = reads.reduce((x, y) => (y.completeTime > x.completeTime ? y : x));
  return { reads: [last], note: `no read began after every add completed; judged on the last read (#${last.index})` };
}

/** Checks a set history. */
export function checkSet(history: readonly HistoryEvent[]): CheckResult {
  const ops = pairOperations(history);
  const adds = ops.filter((o) => o.f === 'add');
  const reads = ops.filter((o) => o.f === 'read' && o.status === 'ok');
  const out = new AnomalyCollector();
  const stats = { adds: adds.length, acknowledged: adds.filter((a) => a.status === 'ok').length, finalReads: 0, lost: 0, recovered: 0, unexpected: 0 };
  if (reads.length === 0) return out.result(stats, true, [noReadsNote]);
  const judged = finalReads(adds, reads);
  stats.finalReads = judged.reads.length;
  const contents = judged.reads.map((r) => ({ read: r, elements: elementsOf(r) }));
  const attempted = new Set<string>();
  for (const a of adds) {
    const e = canonical(a.input);
    if (a.status !== 'fail') attempted.add(e);
    const missing = contents.filter((c) => !c.elements.has(e));
    if (a.status === 'ok' && missing.length > 0) {
      stats.lost++;
      out.add({
        kind: 'lost',
        description: `acknowledged ${describeOp(a)} is missing from final read${missing.length > 1 ? 's' : ''} ${missing.map((c) => `#${c.read.index}`).join(', ')}`,
        ops: [opRef(a), ...missing.map((c) => opRef(c.read))],
      });
    }
    if (a.status === 'info' && missing.length < contents.length) stats.recovered++;
  }
  for (const c of contents) {
    for (const e of c.elements) {
      if (attempted.has(e)) continue;
      stats.unexpected++;
      out.add({ kind: 'unexpected', description: `final read #${c.read.index} holds ${e}, which no add that may have succeeded wrote`, ops: [opRef(c.read)] });
    }
  }
  return out.result(stats, false, judged.note ? [judged.note] : []);
}
