/**
 * An Elle-style checker for list-append transactions (Kingsbury & Alvaro,
 * "Elle: Inferring Isolation Anomalies from Experimental Observations",
 * VLDB 2020). A transaction is a list of micro-operations
 * `['append', key, value]` and `['r', key, [values…]]`. Because appends are
 * unique and reads return whole lists, each key's version order is the
 * longest list read, and dependencies can be inferred exactly:
 *
 *   ww: T1 appended x, T2 appended the next element after x
 *   wr: T1 appended x, T2 read a list ending in x
 *   rw: T1 read a list ending in x, T2 appended the next element after x
 *
 * Cycles are classified G0 (ww only), G1c (ww and wr), G-single (exactly one
 * rw), G2 (more rw); non-cyclic anomalies: G1a (aborted read), G1b
 * (intermediate read), incompatible orders, duplicates, internal
 * inconsistency. `info` transactions may have committed: their appends count.
 */
import { pairOperations, type HistoryEvent, type HistoryValue, type Operation } from '../history/history.ts';
import { DependencyGraph, type EdgeKind } from './graph.ts';
import type { Anomaly, CheckResult } from './result.ts';

type Key = string;
type Elem = string;
type MicroOp = readonly ['append', HistoryValue, HistoryValue] | readonly ['r', HistoryValue, HistoryValue[] | null];

interface Txn {
  readonly id: number;
  readonly op: Operation;
  readonly micro: readonly MicroOp[];
}

export interface ListAppendOptions {
  /** Add realtime edges (a transaction that completed before another began precedes it): strict serializability. */
  readonly realtime?: boolean;
}

const k = (v: HistoryValue): Key => JSON.stringify(v);
const e = (v: HistoryValue): Elem => JSON.stringify(v);

function describeTxn(t: Txn): string {
  return `T${t.id}(p${t.op.process} ${t.op.status}: ${t.micro.map((m) => `${m[0]} ${JSON.stringify(m[1])} ${JSON.stringify(m[2])}`).join('; ')})`;
}

export function checkListAppend(history: readonly HistoryEvent[], options: ListAppendOptions = {}): CheckResult {
  const ops = pairOperations(history).filter((o) => o.f === 'txn');
  const txns: Txn[] = ops.map((op, id) => ({
    id, op, micro: ((op.status === 'ok' ? op.output : op.input) ?? []) as unknown as MicroOp[],
  }));
  const anomalies: Anomaly[] = [];
  const report = (kind: string, description: string, involved: Txn[]) =>
    anomalies.push({ kind, description, ops: involved.map((t) => ({ process: t.op.process, status: t.op.status, value: (t.op.output ?? t.op.input) as HistoryValue })) });

  // Who appended each element, and each transaction's appends per key in order.
  const writer = new Map<Key, Map<Elem, Txn>>();
  const appendsOf = new Map<number, Map<Key, Elem[]>>();
  for (const t of txns) {
    const own = new Map<Key, Elem[]>();
    appendsOf.set(t.id, own);
    for (const m of t.micro) {
      if (m[0] !== 'append') continue;
      const key = k(m[1]);
      const el = e(m[2]);
      let byElem = writer.get(key);
      if (!byElem) writer.set(key, (byElem = new Map()));
      const previous = byElem.get(el);
      if (previous && previous.id !== t.id) report('duplicate-append', `${el} was appended to key ${key} by two transactions`, [previous, t]);
      byElem.set(el, t);
      let list = own.get(key);
      if (!list) own.set(key, (list = []));
      list.push(el);
    }
  }

  // Reads of committed transactions; internal consistency.
  const committed = txns.filter((t) => t.op.status === 'ok');
  const reads: Array<{ txn: Txn; key: Key; list: Elem[] }> = [];
  for (const t of committed) {
    const ownSoFar = new Map<Key, Elem[]>();
    for (const m of t.micro) {
      const key = k(m[1]);
      if (m[0] === 'append') {
        const l = ownSoFar.get(key) ?? [];
        l.push(e(m[2]));
        ownSoFar.set(key, l);
        continue;
      }
      if (m[2] === null || m[2] === undefined) continue;
      const list = (m[2] as HistoryValue[]).map(e);
      const own = ownSoFar.get(key) ?? [];
      const suffix = list.slice(list.length - own.length);
      if (own.length > 0 && (list.length < own.length || suffix.some((x, i) => x !== own[i]))) {
        report('internal', `${describeTxn(t)} read ${key} as [${list.join(',')}] after appending [${own.join(',')}] itself`, [t]);
      }
      if (new Set(list).size !== list.length) report('duplicate-element', `${describeTxn(t)} read ${key} with a duplicated element`, [t]);
      reads.push({ txn: t, key, list });
    }
  }

  // Version order per key: the longest read; every read must be a prefix of it.
  const order = new Map<Key, Elem[]>();
  for (const r of reads) {
    const best = order.get(r.key);
    if (!best || r.list.length > best.length) order.set(r.key, r.list);
  }
  for (const r of reads) {
    const best = order.get(r.key)!;
    if (r.list.some((x, i) => best[i] !== x)) {
      report('incompatible-order', `key ${r.key}: [${r.list.join(',')}] read by ${describeTxn(r.txn)} is not a prefix of [${best.join(',')}]`, [r.txn]);
    }
  }

  // G1a and G1b.
  for (const r of reads) {
    for (const el of r.list) {
      const w = writer.get(r.key)?.get(el);
      if (w && w.op.status === 'fail' && w.id !== r.txn.id) {
        report('G1a', `${describeTxn(r.txn)} read ${el} of key ${r.key}, appended by aborted ${describeTxn(w)}`, [r.txn, w]);
      }
    }
    const last = r.list[r.list.length - 1];
    if (last === undefined) continue;
    const w = writer.get(r.key)?.get(last);
    if (w && w.id !== r.txn.id) {
      const theirs = appendsOf.get(w.id)?.get(r.key) ?? [];
      if (theirs[theirs.length - 1] !== last) {
        report('G1b', `${describeTxn(r.txn)} read ${last} of key ${r.key}, an intermediate append of ${describeTxn(w)}`, [r.txn, w]);
      }
    }
  }

  // Dependency graph among transactions that committed or may have.
  const graph = new DependencyGraph();
  const inGraph = (t: Txn) => t.op.status !== 'fail';
  for (const [key, versions] of order) {
    for (let i = 1; i < versions.length; i++) {
      const a = writer.get(key)?.get(versions[i - 1]!);
      const b = writer.get(key)?.get(versions[i]!);
      if (a && b && inGraph(a) && inGraph(b)) {
        graph.addEdge(a.id, b.id, 'ww', `T${a.id} appended ${versions[i - 1]} to key ${key}, and T${b.id} appended ${versions[i]} after it`);
      }
    }
  }
  for (const r of reads) {
    const versions = order.get(r.key)!;
    const last = r.list[r.list.length - 1];
    if (last !== undefined) {
      const w = writer.get(r.key)?.get(last);
      if (w && inGraph(w)) graph.addEdge(w.id, r.txn.id, 'wr', `T${w.id} appended ${last} to key ${r.key}, which T${r.txn.id} read`);
    }
    const nextElem = versions[r.list.length];
    if (nextElem !== undefined) {
      const w = writer.get(r.key)?.get(nextElem);
      if (w && inGraph(w)) {
        graph.addEdge(r.txn.id, w.id, 'rw', `T${r.txn.id} read key ${r.key} without ${nextElem}, which T${w.id} appended next`);
      }
    }
  }
  if (options.realtime) addRealtimeEdges(graph, txns.filter(inGraph));

  // Cycles.
  const allKinds = new Set<EdgeKind>(['ww', 'wr', 'rw', 'rt']);
  const describeCycle = (cycle: Array<{ from: number; to: number; kind: EdgeKind }>) =>
    cycle.map((edge) => graph.reasons.get(`${edge.from}->${edge.to}:${edge.kind}`) ?? `T${edge.from} ${edge.kind} T${edge.to}`).join('; ');
  const tierComponents = new Map<string, number[][]>();
  for (const component of graph.components(allKinds)) {
    const within = new Set(component);
    const cycle = findCycle(graph, within, tierComponents);
    if (!cycle) continue;
    const rw = cycle.edges.filter((x) => x.kind === 'rw').length;
    const wr = cycle.edges.some((x) => x.kind === 'wr');
    const rt = cycle.edges.some((x) => x.kind === 'rt');
    const kind = (rw === 0 ? (wr ? 'G1c' : 'G0') : rw === 1 ? 'G-single' : 'G2') + (rt ? '-realtime' : '');
    report(kind, `cycle: ${describeCycle(cycle.edges)}`, cycle.edges.map((x) => txns[x.from]!));
  }

  return {
    valid: anomalies.length === 0,
    anomalies,
    stats: { transactions: txns.length, committed: committed.length, keys: order.size, edges: graph.edgeCount() },
  };
}

/** The most specific cycle in a component: ww only, then ww+wr, then one rw, then any. */
function findCycle(
  graph: DependencyGraph, within: ReadonlySet<number>, tierComponents: Map<string, number[][]>,
): { edges: Array<{ from: number; to: number; kind: EdgeKind }> } | null {
  const tiers: Array<Set<EdgeKind>> = [new Set(['ww']), new Set(['ww', 'wr']), new Set(['ww', 'wr', 'rt'])];
  for (const allowed of tiers) {
    const name = [...allowed].join('+');
    let components = tierComponents.get(name);
    if (!components) tierComponents.set(name, (components = graph.components(allowed)));
    for (const sub of components) {
      const inSub = new Set(sub.filter((n) => within.has(n)));
      if (inSub.size < 2) continue;
      const start = [...inSub][0]!;
      for (const [to, kinds] of graph.out.get(start) ?? []) {
        const kind = [...kinds].find((x) => allowed.has(x));
        if (!kind || !inSub.has(to)) continue;
        const back = graph.shortestPath(to, start, allowed, inSub);
        if (back) return { edges: [{ from: start, to, kind }, ...back] };
      }
    }
  }
  // Exactly one rw edge: an rw edge a→b and a path b→a without rw.
  const noRw = new Set<EdgeKind>(['ww', 'wr', 'rt']);
  for (const { from, to } of graph.edgesOfKind(within, 'rw')) {
    const back = graph.shortestPath(to, from, noRw, within);
    if (back) return { edges: [{ from, to, kind: 'rw' }, ...back] };
  }
  const any = new Set<EdgeKind>(['ww', 'wr', 'rw', 'rt']);
  const start = [...within][0]!;
  for (const [to, kinds] of graph.out.get(start) ?? []) {
    if (!within.has(to)) continue;
    const kind = [...kinds].find((x) => any.has(x))!;
    const back = graph.shortestPath(to, start, any, within);
    if (back) return { edges: [{ from: start, to, kind }, ...back] };
  }
  return null;
}

/** Realtime order: T1 → T2 when T1 completed before T2 was invoked (edges from the frontier only). */
function addRealtimeEdges(graph: DependencyGraph, txns: readonly Txn[]): void {
  const events: Array<{ time: number; kind: 'invoke' | 'complete'; txn: Txn }> = [];
  for (const t of txns) {
    events.push({ time: t.op.invokeTime, kind: 'invoke', txn: t });
    if (t.op.completeTime !== Infinity) events.push({ time: t.op.completeTime, kind: 'complete', txn: t });
  }
  events.sort((a, b) => a.time - b.time || (a.kind === b.kind ? 0 : a.kind === 'invoke' ? -1 : 1));
  let frontier = new Set<number>();
  const seenAtInvoke = new Map<number, Set<number>>();
  for (const ev of events) {
    if (ev.kind === 'invoke') {
      seenAtInvoke.set(ev.txn.id, new Set(frontier));
      for (const p of frontier) graph.addEdge(p, ev.txn.id, 'rt', `T${p} completed before T${ev.txn.id} began`);
    } else {
      const before = seenAtInvoke.get(ev.txn.id) ?? new Set();
      frontier = new Set([...frontier].filter((x) => !before.has(x)));
      frontier.add(ev.txn.id);
    }
  }
}
