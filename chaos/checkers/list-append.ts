/**
 * An Elle-style checker for list-append transactions (Kingsbury & Alvaro,
 * "Elle: Inferring Isolation Anomalies from Experimental Observations",
 * VLDB 2020). Appends are unique and reads return whole lists, so each key's
 * version order is simply its longest read, and dependencies between
 * transactions can be inferred exactly rather than guessed.
 *
 * Reported: incompatible orders, internal inconsistency, duplicate and
 * unknown elements, G1a (aborted read), G1b (intermediate read), lost
 * updates, and dependency cycles classified as G0, G1c, G-single and G2
 * (with -realtime/-process variants when asked for strict serializability).
 * Indeterminate (`info`) transactions may have committed: their appends
 * count, they are never an aborted write, and their reads are unknown.
 */
import type { HistoryEvent } from '../history/event.ts';
import { opRef, pairOperations } from '../history/operation.ts';
import { classifyComponent, SearchBudget, type CycleClass, type FoundCycle } from './cycles.ts';
import { kindName, po, rt } from './graph.ts';
import {
  checkAppendOrder, checkElements, checkIncompatibleOrders, checkInternal, checkIntermediateReads, checkLostUpdates, versionOrders,
} from './list-append-direct.ts';
import { inferDependencies, type Dependencies } from './list-append-deps.ts';
import { collectReads, compileTxns, indexAppends, type Txn } from './list-append-txns.ts';
import { AnomalyCollector, type Anomaly, type CheckResult } from './result.ts';

export interface ListAppendOptions {
  /** Add realtime edges: check strict serializability rather than serializability. */
  readonly realtime?: boolean;
  /** Add process-order edges: each process sees its own earlier transactions. */
  readonly process?: boolean;
  /** Breadth-first visits allowed, over the whole check, for classifying cycles (`cycleSearchVisitsMax` by default). */
  readonly cycleSearchVisitsMax?: number;
}

const classMeaning: Readonly<Record<CycleClass, string>> = {
  'G0': 'write cycle',
  'G1c': 'circular information flow',
  'G-single': 'a cycle with exactly one anti-dependency, as in read skew or a lost update',
  'G2': 'a cycle with two or more anti-dependencies, as in write skew',
  'cycle': 'a dependency cycle, not classified within the search budget',
};

/** Checks a list-append history for the anomalies above. */
export function checkListAppend(history: readonly HistoryEvent[], options: ListAppendOptions = {}): CheckResult {
  const txns = compileTxns(pairOperations(history));
  const index = indexAppends(txns);
  const reads = collectReads(txns);
  const orders = versionOrders(reads);
  const out = new AnomalyCollector();
  const incompatible = checkIncompatibleOrders(reads, orders, out);
  checkAppendOrder(index, txns, orders, reads, out);
  checkInternal(txns, out);
  checkElements(reads, orders, incompatible, index, out);
  checkIntermediateReads(reads, index, out);
  checkLostUpdates(reads, index, out);

  const deps = inferDependencies(txns, index, reads, orders, incompatible, { realtime: options.realtime ?? false, process: options.process ?? false });
  const orderKinds = (options.realtime ? rt : 0) | (options.process ? po : 0);
  const components = deps.graph.components(~0);
  const budget = new SearchBudget(options.cycleSearchVisitsMax);
  for (const component of components) {
    const found = classifyComponent(deps.graph, component, { orderKinds, budget });
    for (const cycle of found) out.add(cycleAnomaly(txns, deps, cycle));
  }

  const count = (status: string) => txns.filter((t) => t.op.status === status).length;
  const edges = deps.graph.edgeCounts();
  return out.result({
    transactions: txns.length, ok: count('ok'), info: count('info'), fail: count('fail'), keys: orders.size, reads: reads.length,
    components: components.length,
    ...Object.fromEntries(Object.entries(edges).map(([k, v]) => [`edges.${k}`, v])),
  });
}

function cycleAnomaly(txns: readonly Txn[], deps: Dependencies, cycle: FoundCycle): Anomaly {
  const steps = cycle.edges.map((e) => ({
    from: txns[e.from]!.op.index, to: txns[e.to]!.op.index, kind: kindName(e.kind), explanation: deps.explain(e.from, e.to, e.kind),
  }));
  const names = cycle.edges.map((e) => txns[e.from]!.name);
  const description = `${cycle.name} (${classMeaning[cycle.cls]}): ${steps.map((s) => s.explanation).join('; ')}. ` +
    `So ${[...names, names[0]].join(' < ')}: no serial order of these transactions exists.`;
  return { kind: cycle.name, description, ops: cycle.edges.map((e) => opRef(txns[e.from]!.op)), cycle: steps };
}
