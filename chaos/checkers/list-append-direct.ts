/**
 * List-append anomalies visible without a dependency graph: each key's
 * version order and reads incompatible with it, reads inconsistent with the
 * transaction's own writes, duplicated or unknown elements, aborted reads
 * (G1a), intermediate reads (G1b) and lost updates.
 */
import type { HistoryValue } from '../history/event.ts';
import { opRef } from '../history/operation.ts';
import type { AnomalyCollector } from './result.ts';
import type { AppendIndex, Read, Txn } from './list-append-txns.ts';

/** The key as a value again, from its canonical text. */
export function keyValue(key: string): HistoryValue {
  return JSON.parse(key) as HistoryValue;
}

/** How many elements of a long list a description shows (the tail, which is what matters). */
const listTailShown = 6;

/** A list of canonical elements as text, eliding the front of long ones. */
export function showList(list: readonly string[]): string {
  if (list.length <= listTailShown + 2) return `[${list.join(',')}]`;
  return `[…${list.length - listTailShown} elements…,${list.slice(-listTailShown).join(',')}]`;
}

/** Each key's version order: the longest list any committed transaction read. */
export function versionOrders(reads: readonly Read[]): Map<string, readonly string[]> {
  const order = new Map<string, readonly string[]>();
  for (const r of reads) {
    const best = order.get(r.key);
    if (!best || r.list.length > best.length) order.set(r.key, r.list);
  }
  return order;
}

function isPrefix(list: readonly string[], of: readonly string[]): boolean {
  if (list.length > of.length) return false;
  for (let i = 0; i < list.length; i++) if (list[i] !== of[i]) return false;
  return true;
}

/**
 * Every read must be a prefix of the key's version order; reports the first
 * that is not, per key, and returns all that are not.
 */
export function checkIncompatibleOrders(reads: readonly Read[], orders: ReadonlyMap<string, readonly string[]>, out: AnomalyCollector): Set<Read> {
  const incompatible = new Set<Read>();
  const reported = new Set<string>();
  const longestBy = new Map<string, Read>();
  for (const r of reads) if (orders.get(r.key) === r.list) longestBy.set(r.key, r);
  for (const r of reads) {
    const order = orders.get(r.key)!;
    if (isPrefix(r.list, order)) continue;
    incompatible.add(r);
    if (reported.has(r.key)) continue;
    reported.add(r.key);
    const longest = longestBy.get(r.key)!;
    out.add({
      kind: 'incompatible-order',
      description: `key ${r.key}: ${r.txn.name} read ${showList(r.list)} but ${longest.txn.name} read ${showList(order)}; neither is a prefix of the other, so the two disagree on the order of appends`,
      ops: [opRef(r.txn.op), opRef(longest.txn.op)],
      key: keyValue(r.key),
    });
  }
  return incompatible;
}

/**
 * A transaction's appends to a key are in its own order: wherever the version
 * order holds one of them, it holds the one before it too, earlier. (That
 * nothing else comes between them is left to the cycle search: it shows as G0.)
 */
export function checkAppendOrder(index: AppendIndex, txns: readonly Txn[], orders: ReadonlyMap<string, readonly string[]>, reads: readonly Read[], out: AnomalyCollector): void {
  const positions = new Map<string, ReadonlyMap<string, number>>();
  for (const [key, versions] of orders) positions.set(key, new Map(versions.map((e, i) => [e, i] as const)));
  for (const [id, byKey] of index.appendsOf) {
    const t = txns[id]!;
    if (t.op.status === 'fail') continue;
    for (const [key, elems] of byKey) {
      const position = positions.get(key);
      if (!position) continue;
      for (let i = 1; i < elems.length; i++) {
        const at = position.get(elems[i]!);
        const before = position.get(elems[i - 1]!);
        if (at === undefined || (before !== undefined && before < at)) continue;
        const reader = reads.find((r) => r.key === key && r.list.length > at)!;
        out.add({
          kind: 'incompatible-order',
          description: `key ${key}: ${t.name} appended ${elems[i - 1]} and then ${elems[i]}, but ${reader.txn.name} read ${showList(reader.list)}`,
          ops: [opRef(t.op), opRef(reader.txn.op)],
          key: keyValue(key),
        });
        break;
      }
    }
  }
}

/** A transaction must see its own appends, and a key it read again must only have grown by them. */
export function checkInternal(txns: readonly Txn[], out: AnomalyCollector): void {
  for (const t of txns) {
    if (t.op.status !== 'ok') continue;
    const known = new Map<string, string[]>();
    const own = new Map<string, string[]>();
    for (const m of t.micro) {
      if (m.f === 'append') {
        known.get(m.key)?.push(m.elem);
        own.set(m.key, [...(own.get(m.key) ?? []), m.elem]);
        continue;
      }
      if (m.list === null) continue;
      const expected = known.get(m.key);
      const mine = own.get(m.key) ?? [];
      const consistent = expected
        ? expected.length === m.list.length && expected.every((e, i) => m.list![i] === e)
        : mine.length <= m.list.length && mine.every((e, i) => m.list![m.list!.length - mine.length + i] === e);
      if (!consistent) {
        const wanted = expected ? `expected ${showList(expected)}` : `expected it to end with its own appends ${showList(mine)}`;
        out.add({ kind: 'internal', description: `${t.name} read key ${m.key} as ${showList(m.list)}; ${wanted}`, ops: [opRef(t.op)], key: keyValue(m.key) });
      }
      known.set(m.key, [...m.list]);
    }
  }
}

/** An element a read should not hold: a second copy, one appended by an aborted transaction, or one nobody appended. */
interface BadElement {
  readonly position: number;
  readonly elem: string;
  readonly problem: 'duplicate' | 'aborted' | 'garbage';
  readonly failed?: Txn;
}

function badElements(key: string, list: readonly string[], index: AppendIndex): BadElement[] {
  const bad: BadElement[] = [];
  const seen = new Set<string>();
  const aborted = new Set<Txn>();
  const writers = index.writer.get(key);
  list.forEach((elem, position) => {
    if (seen.has(elem)) bad.push({ position, elem, problem: 'duplicate' });
    seen.add(elem);
    if (writers?.has(elem)) return;
    const failed = index.failedWriter.get(key)?.get(elem);
    if (!failed) bad.push({ position, elem, problem: 'garbage' });
    else if (!aborted.has(failed)) (aborted.add(failed), bad.push({ position, elem, problem: 'aborted', failed }));
  });
  return bad;
}

function reportBadElement(r: Read, bad: BadElement, others: number, out: AnomalyCollector): void {
  const also = others > 0 ? ` (and ${others} later read${others > 1 ? 's' : ''} of it)` : '';
  const seen = `${r.txn.name} read key ${r.key} as ${showList(r.list)}${also}`;
  const key = keyValue(r.key);
  switch (bad.problem) {
    case 'duplicate': return out.add({ kind: 'duplicate-elements', description: `${seen}, which holds ${bad.elem} twice`, ops: [opRef(r.txn.op)], key });
    case 'garbage': return out.add({ kind: 'garbage-read', description: `${seen}, including ${bad.elem}, which no transaction appended`, ops: [opRef(r.txn.op)], key });
    case 'aborted': return out.add({
      kind: 'G1a',
      description: `aborted read: ${seen}, including ${bad.elem}, which ${bad.failed!.name} appended before it failed`,
      ops: [opRef(r.txn.op), opRef(bad.failed!.op)],
      key,
    });
  }
}

/**
 * Reads must hold each element once, and only elements some transaction
 * that did not fail appended (else G1a, or garbage). Reads compatible with
 * the version order are prefixes of it, so the order is scanned once per key
 * and each bad element reported with the first read that holds it; the
 * incompatible reads are scanned one by one.
 */
export function checkElements(
  reads: readonly Read[], orders: ReadonlyMap<string, readonly string[]>, incompatible: ReadonlySet<Read>, index: AppendIndex, out: AnomalyCollector,
): void {
  for (const [key, order] of orders) {
    const bad = badElements(key, order, index);
    if (bad.length === 0) continue;
    const readers = reads.filter((r) => r.key === key && !incompatible.has(r));
    for (const b of bad) {
      const holding = readers.filter((r) => r.list.length > b.position);
      reportBadElement(holding[0]!, b, holding.length - 1, out);
    }
  }
  for (const r of incompatible) for (const b of badElements(r.key, r.list, index)) reportBadElement(r, b, 0, out);
}

/** A read must not end in an element its writer later followed with another append to the same key (G1b). */
export function checkIntermediateReads(reads: readonly Read[], index: AppendIndex, out: AnomalyCollector): void {
  for (const r of reads) {
    const last = r.list[r.list.length - 1];
    if (last === undefined) continue;
    const w = index.writer.get(r.key)?.get(last);
    if (!w || w === r.txn) continue;
    const theirs = index.appendsOf.get(w.id)?.get(r.key) ?? [];
    const final = theirs[theirs.length - 1];
    if (final === last) continue;
    out.add({
      kind: 'G1b',
      description: `intermediate read: ${r.txn.name} read key ${r.key} ending in ${last}, but ${w.name} went on to append ${final} to it, so ${last} was never a committed state`,
      ops: [opRef(r.txn.op), opRef(w.op)],
      key: keyValue(r.key),
    });
  }
}

/** Two committed transactions that read the same state of a key and both appended to it: one update is lost. */
export function checkLostUpdates(reads: readonly Read[], index: AppendIndex, out: AnomalyCollector): void {
  const byState = new Map<string, Read[]>();
  for (const r of reads) {
    if (!r.external || !index.appendsOf.get(r.txn.id)?.has(r.key)) continue;
    const state = JSON.stringify([r.key, r.list]);
    const same = byState.get(state);
    if (same) {
      if (!same.some((s) => s.txn === r.txn)) same.push(r);
    } else byState.set(state, [r]);
  }
  for (const group of byState.values()) {
    if (group.length < 2) continue;
    const first = group[0]!;
    const names = group.map((r) => r.txn.name).join(', ');
    out.add({
      kind: 'lost-update',
      description: `${names} all read key ${first.key} as ${showList(first.list)} and then appended to it; in a serial order each would have seen the others' appends`,
      ops: group.map((r) => opRef(r.txn.op)),
      key: keyValue(first.key),
    });
  }
}
