/**
 * List-append transactions as the checker sees them: each operation's
 * micro-ops compiled (keys and elements as canonical JSON text), who
 * appended every element, and every read a committed transaction observed.
 *
 * A transaction is an operation with f 'txn' whose value is a list of
 * micro-ops: `['append', key, element]` and `['r', key, list]`. The
 * invocation carries `null` for each read's list; the ok completion carries
 * what was read (null for a key never written, the same as an empty list).
 * Elements appended to a key must be unique across the whole history, so
 * that a read names exactly who wrote what.
 */
import { HistoryError, type HistoryValue } from '../history/event.ts';
import type { Operation } from '../history/operation.ts';
import { canonical } from './canonical.ts';

export type MicroOp =
  | { readonly f: 'append'; readonly key: string; readonly elem: string }
  | { readonly f: 'r'; readonly key: string; readonly list: readonly string[] | null };

export interface Txn {
  /** Position in the transaction list: the graph's node number. */
  readonly id: number;
  readonly op: Operation;
  readonly micro: readonly MicroOp[];
  /** "T<operation index>", how reports name it. */
  readonly name: string;
}

/** A read a committed transaction observed. */
export interface Read {
  readonly txn: Txn;
  readonly key: string;
  readonly list: readonly string[];
  /** True when the transaction had not yet appended to the key itself. */
  readonly external: boolean;
}

export interface AppendIndex {
  /** key → element → the transaction that appended it (one that did not fail). */
  readonly writer: ReadonlyMap<string, ReadonlyMap<string, Txn>>;
  /** key → element → a failed transaction that appended it. */
  readonly failedWriter: ReadonlyMap<string, ReadonlyMap<string, Txn>>;
  /** Transaction id → key → its appends, in order. */
  readonly appendsOf: ReadonlyMap<number, ReadonlyMap<string, readonly string[]>>;
}

function malformed(op: Operation, what: string): never {
  throw new HistoryError('malformed-op', `list-append: ${what} in operation #${op.index}`);
}

function compileMicro(op: Operation, raw: HistoryValue, useResult: boolean): MicroOp {
  if (!Array.isArray(raw) || raw.length !== 3) return malformed(op, `micro-op ${JSON.stringify(raw)} is not [f, key, value]`);
  const [f, key, value] = raw as readonly HistoryValue[];
  if (f === 'append') return { f: 'append', key: canonical(key), elem: canonical(value) };
  if (f !== 'r') return malformed(op, `micro-op function ${JSON.stringify(f)} is neither append nor r`);
  if (!useResult) return { f: 'r', key: canonical(key), list: null };
  if (value === null || value === undefined) return { f: 'r', key: canonical(key), list: [] };
  if (!Array.isArray(value)) return malformed(op, `read of key ${canonical(key)} returned ${JSON.stringify(value)}, not a list`);
  return { f: 'r', key: canonical(key), list: (value as readonly HistoryValue[]).map(canonical) };
}

/** Compiles every 'txn' operation; reads count only in ok completions. */
export function compileTxns(ops: readonly Operation[]): Txn[] {
  const txns: Txn[] = [];
  for (const op of ops) {
    if (op.f !== 'txn') continue;
    const ok = op.status === 'ok';
    const value = ok ? op.output : op.input;
    if (!Array.isArray(value)) return malformed(op, 'a transaction must be a list of micro-ops');
    const micro = (value as readonly HistoryValue[]).map((m) => compileMicro(op, m, ok));
    txns.push({ id: txns.length, op, micro, name: `T${op.index}` });
  }
  return txns;
}

/** Indexes appends; two transactions that may both have committed must not append the same element. */
export function indexAppends(txns: readonly Txn[]): AppendIndex {
  const writer = new Map<string, Map<string, Txn>>();
  const failedWriter = new Map<string, Map<string, Txn>>();
  const appendsOf = new Map<number, Map<string, string[]>>();
  for (const t of txns) {
    const own = new Map<string, string[]>();
    appendsOf.set(t.id, own);
    const target = t.op.status === 'fail' ? failedWriter : writer;
    for (const m of t.micro) {
      if (m.f !== 'append') continue;
      let byElem = target.get(m.key);
      if (!byElem) target.set(m.key, (byElem = new Map()));
      const previous = byElem.get(m.elem);
      if (previous && t.op.status !== 'fail') {
        throw new HistoryError('duplicate-append', `list-append: ${m.elem} appended to key ${m.key} by both ${previous.name} and ${t.name}; elements must be unique`);
      }
      byElem.set(m.elem, t);
      let list = own.get(m.key);
      if (!list) own.set(m.key, (list = []));
      list.push(m.elem);
    }
  }
  return { writer, failedWriter, appendsOf };
}

/** Every read of every ok transaction, marking those made before the transaction's own appends to the key. */
export function collectReads(txns: readonly Txn[]): Read[] {
  const reads: Read[] = [];
  for (const t of txns) {
    if (t.op.status !== 'ok') continue;
    const appended = new Set<string>();
    for (const m of t.micro) {
      if (m.f === 'append') appended.add(m.key);
      else if (m.list !== null) reads.push({ txn: t, key: m.key, list: m.list, external: !appended.has(m.key) });
    }
  }
  return reads;
}
