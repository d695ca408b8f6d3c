/**
 * Dependencies between list-append transactions, inferred from each key's
 * version order (the longest read). Nodes are transactions that committed or
 * may have (ok and info); failed ones never took effect.
 *
 * - ww: T1 appended x, and T2 appended the element right after x;
 * - wr: T1 appended x, and T2 read a list ending in x;
 * - rw: T1 read a list ending in x (before appending to the key itself), and
 *   T2 appended the element right after x: T1 did not see T2's append;
 * - an append by a committed transaction (ok, or info with some append
 *   observed) that no read observed comes after
 *   the whole version order (lists only grow at the end): a ww edge from the
 *   writer of the last observed element, and an rw edge from each read that
 *   saw the whole order. Shorter reads reach it through the ww chain.
 * - rt (optional): T1 completed before T2 was invoked;
 * - process (optional): T1 ran before T2 on the same process.
 *
 * Every edge remembers why it exists, so a cycle can be told in words.
 */
import { DependencyGraph, po, rt, rw, wr, ww } from './graph.ts';
import type { AppendIndex, Read, Txn } from './list-append-txns.ts';
import { showList } from './list-append-direct.ts';

type Why =
  | { readonly kind: 'ww'; readonly key: string; readonly before: string; readonly after: string; readonly unobserved: boolean }
  | { readonly kind: 'wr'; readonly key: string; readonly elem: string }
  | { readonly kind: 'rw'; readonly key: string; readonly list: readonly string[]; readonly next: string; readonly unobserved: boolean }
  | { readonly kind: 'rt' }
  | { readonly kind: 'process'; readonly process: number };

export interface Dependencies {
  readonly graph: DependencyGraph;
  /** Explains the edge from → to of one kind bit. */
  explain(from: number, to: number, kind: number): string;
}

export interface DependencyOptions {
  readonly realtime: boolean;
  readonly process: boolean;
}

/** Builds the dependency graph of the transactions. */
export function inferDependencies(
  txns: readonly Txn[], index: AppendIndex, reads: readonly Read[], orders: ReadonlyMap<string, readonly string[]>,
  incompatible: ReadonlySet<Read>, options: DependencyOptions,
): Dependencies {
  const graph = new DependencyGraph(txns.length);
  const why = new Map<string, Why>();
  const add = (from: Txn, to: Txn, kind: number, reason: Why) => {
    if (from === to) return;
    graph.add(from.id, to.id, kind);
    const id = `${from.id}:${to.id}:${kind}`;
    if (!why.has(id)) why.set(id, reason);
  };
  const writerOf = (key: string, elem: string | undefined) => (elem === undefined ? undefined : index.writer.get(key)?.get(elem));

  for (const [key, versions] of orders) {
    for (let i = 1; i < versions.length; i++) {
      const a = writerOf(key, versions[i - 1]);
      const b = writerOf(key, versions[i]);
      if (a && b) add(a, b, ww, { kind: 'ww', key, before: versions[i - 1]!, after: versions[i]!, unobserved: false });
    }
  }
  for (const r of reads) {
    const last = r.list[r.list.length - 1];
    const w = writerOf(r.key, last);
    if (w && last !== undefined) add(w, r.txn, wr, { kind: 'wr', key: r.key, elem: last });
    if (!r.external) continue;
    const versions = orders.get(r.key) ?? [];
    const next = versions[r.list.length];
    const w2 = writerOf(r.key, next);
    // A read of another transaction's intermediate state is G1b, reported on its own: no rw edge back into it.
    if (w2 && next !== undefined && w2 !== w) add(r.txn, w2, rw, { kind: 'rw', key: r.key, list: r.list, next, unobserved: false });
  }
  addUnobserved(index, reads, orders, incompatible, add);
  const live = txns.filter((t) => t.op.status !== 'fail');
  if (options.realtime) addRealtime(live, (a, b) => add(a, b, rt, { kind: 'rt' }));
  if (options.process) addProcessOrder(live, (a, b) => add(a, b, po, { kind: 'process', process: a.op.process }));

  return {
    graph,
    explain(from, to, kind) {
      const a = txns[from]!.name;
      const b = txns[to]!.name;
      const reason = why.get(`${from}:${to}:${kind}`);
      switch (reason?.kind) {
        case 'ww': return reason.unobserved
          ? `${a} appended ${reason.before}, the last element any read saw of key ${reason.key}, and ${b} appended ${reason.after} to it, which no read saw, so later`
          : `${a} appended ${reason.before} to key ${reason.key}, and ${b} appended ${reason.after} right after it`;
        case 'wr': return `${a} appended ${reason.elem} to key ${reason.key}, which ${b} read`;
        case 'rw': return reason.unobserved
          ? `${a} read key ${reason.key} as ${showList(reason.list)}, missing ${reason.next}, which ${b} appended and committed`
          : `${a} read key ${reason.key} as ${showList(reason.list)}, missing ${reason.next}, which ${b} appended next`;
        case 'rt': return `${a} completed before ${b} began`;
        case 'process': return `${a} ran before ${b} on process ${reason.process}`;
        case undefined: return `${a} precedes ${b}`;
      }
    },
  };
}

/** Edges to committed appends no read observed (see the module comment). */
function addUnobserved(
  index: AppendIndex, reads: readonly Read[], orders: ReadonlyMap<string, readonly string[]>, incompatible: ReadonlySet<Read>,
  add: (from: Txn, to: Txn, kind: number, reason: Why) => void,
): void {
  const fullReads = new Map<string, Read[]>();
  for (const r of reads) {
    if (!r.external || r.list.length !== (orders.get(r.key)?.length ?? 0)) continue;
    const list = fullReads.get(r.key);
    if (list) list.push(r);
    else fullReads.set(r.key, [r]);
  }
  // An indeterminate transaction whose append someone read did commit. Other reads are prefixes of the orders.
  const committed = new Set<Txn>();
  const observedLists: Array<readonly [string, readonly string[]]> = [...orders, ...[...incompatible].map((r) => [r.key, r.list] as const)];
  for (const [key, list] of observedLists) {
    for (const e of list) {
      const w = index.writer.get(key)?.get(e);
      if (w) committed.add(w);
    }
  }
  for (const [key, byElem] of index.writer) {
    const versions = orders.get(key) ?? [];
    const observed = new Set(versions);
    const lastElem = versions[versions.length - 1];
    const lastWriter = lastElem === undefined ? undefined : byElem.get(lastElem);
    for (const [elem, w] of byElem) {
      if ((w.op.status !== 'ok' && !committed.has(w)) || observed.has(elem)) continue;
      if (lastWriter && lastElem !== undefined) add(lastWriter, w, ww, { kind: 'ww', key, before: lastElem, after: elem, unobserved: true });
      for (const r of fullReads.get(key) ?? []) {
        if (w !== lastWriter) add(r.txn, w, rw, { kind: 'rw', key, list: r.list, next: elem, unobserved: true });
      }
    }
  }
}

/**
 * Realtime order, transitively reduced: when T is invoked, an edge from each
 * transaction on the frontier (completed, and not already before another
 * completed one). Indeterminate transactions never complete, so they have no
 * outgoing realtime edges: they may have taken effect at any later time.
 */
function addRealtime(txns: readonly Txn[], add: (a: Txn, b: Txn) => void): void {
  const events: Array<{ readonly time: number; readonly invoke: boolean; readonly txn: Txn }> = [];
  for (const t of txns) {
    events.push({ time: t.op.invokeTime, invoke: true, txn: t });
    if (Number.isFinite(t.op.completeTime)) events.push({ time: t.op.completeTime, invoke: false, txn: t });
  }
  // At equal times an invocation comes first: touching transactions are concurrent.
  events.sort((x, y) => x.time - y.time || Number(y.invoke) - Number(x.invoke));
  let frontier = new Set<Txn>();
  const frontierAtInvoke = new Map<Txn, ReadonlySet<Txn>>();
  for (const e of events) {
    if (e.invoke) {
      frontierAtInvoke.set(e.txn, frontier);
      for (const f of frontier) add(f, e.txn);
      continue;
    }
    // e.txn follows everything that was on the frontier when it began; they leave it.
    const before = frontierAtInvoke.get(e.txn)!;
    const next = new Set<Txn>();
    for (const f of frontier) if (!before.has(f)) next.add(f);
    next.add(e.txn);
    frontier = next;
  }
}

/** Process order: each transaction after the previous ok one of its process (an info one may still commit later). */
function addProcessOrder(txns: readonly Txn[], add: (a: Txn, b: Txn) => void): void {
  const lastOk = new Map<number, Txn>();
  for (const t of [...txns].sort((a, b) => a.op.index - b.op.index)) {
    const previous = lastOk.get(t.op.process);
    if (previous) add(previous, t);
    if (t.op.status === 'ok') lastOk.set(t.op.process, t);
  }
}
