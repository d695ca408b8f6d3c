import { describe, expect, it } from 'vitest';
import { HistoryError, type HistoryValue } from '../history/event.ts';
import { history, txn, type OpSpec } from './history.test-helper.ts';
import { checkListAppend, type ListAppendOptions } from './list-append.ts';

const r = (key: string, list: number[] | null): HistoryValue => ['r', key, list];
const a = (key: string, elem: number): HistoryValue => ['append', key, elem];
/** A final read by process 9 of the given keys. */
const final = (at: [number, number], lists: Record<string, number[]>): OpSpec => txn(9, Object.entries(lists).map(([k, l]) => r(k, l)), at);
const kinds = (ops: OpSpec[], options?: ListAppendOptions) => checkListAppend(history(ops), options).anomalies.map((x) => x.kind);

describe('checkListAppend valid histories', () => {
  it('checkListAppend accepts a serial history, also under realtime and process order', () => {
    const ops = [
      txn(1, [a('x', 1), r('x', [1])], [0, 1]),
      txn(2, [r('x', [1]), a('x', 2)], [2, 3]),
      txn(1, [r('x', [1, 2]), a('y', 1), r('y', [1])], [4, 5]),
      txn(3, [r('z', null)], [6, 7]),
      final([8, 9], { x: [1, 2], y: [1] }),
    ];
    const result = checkListAppend(history(ops), { realtime: true, process: true });
    expect(result.anomalies).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.stats['edges.ww']).toBe(1);
    expect(result.stats.components).toBe(0);
  });

  it('checkListAppend accepts concurrent transactions in any serializable order', () => {
    // T2 began after T1 but serializes before it: fine for serializability.
    const ops = [txn(1, [r('x', [1]), a('y', 1)], [0, 10]), txn(2, [a('x', 1), r('y', [])], [1, 5]), final([20, 21], { x: [1], y: [1] })];
    expect(kinds(ops)).toEqual([]);
  });

  it('checkListAppend treats info transactions as possibly committed, never as aborted', () => {
    const seen = [txn(1, [a('x', 1)], [0, 1], 'info'), txn(2, [r('x', [1])], [2, 3])];
    expect(kinds(seen)).toEqual([]);
    const unseen = [txn(1, [a('x', 1)], [0, 1], 'info'), txn(2, [r('x', [])], [2, 3])];
    expect(kinds(unseen, { realtime: true })).toEqual([]);
    const open = [txn(1, [a('x', 1)], [0, 1], 'open'), txn(2, [r('x', [1])], [2, 3])];
    expect(kinds(open, { realtime: true })).toEqual([]);
  });
});

describe('checkListAppend anomalies', () => {
  it('checkListAppend flags G0, a write cycle', () => {
    const ops = [
      txn(1, [a('x', 1), a('y', 2)], [0, 10]),
      txn(2, [a('x', 2), a('y', 1)], [0, 10]),
      final([11, 12], { x: [1, 2], y: [1, 2] }),
    ];
    const result = checkListAppend(history(ops));
    expect(result.anomalies.map((x) => x.kind)).toEqual(['G0']);
    const g0 = result.anomalies[0]!;
    expect(g0.cycle?.map((s) => s.kind)).toEqual(['ww', 'ww']);
    expect(g0.description).toMatch(/T\d+ appended 1 to key "x", and T\d+ appended 2 right after it/);
  });

  it('checkListAppend flags G1a, an aborted read', () => {
    const result = checkListAppend(history([txn(1, [a('x', 1)], [0, 1], 'fail'), txn(2, [r('x', [1])], [2, 3])]));
    expect(result.anomalies.map((x) => x.kind)).toEqual(['G1a']);
    expect(result.anomalies[0]!.ops.map((o) => o.status)).toEqual(['ok', 'fail']);
  });

  it('checkListAppend flags G1b, an intermediate read', () => {
    const ops = [txn(1, [a('x', 1), a('x', 2)], [0, 10]), txn(2, [r('x', [1])], [2, 3]), final([11, 12], { x: [1, 2] })];
    expect(kinds(ops)).toEqual(['G1b']);
  });

  it('checkListAppend flags G1c, circular information flow', () => {
    const ops = [txn(1, [a('x', 1), r('y', [1])], [0, 10]), txn(2, [a('y', 1), r('x', [1])], [0, 10])];
    const result = checkListAppend(history(ops));
    expect(result.anomalies.map((x) => x.kind)).toEqual(['G1c']);
    expect(result.anomalies[0]!.description).toMatch(/appended 1 to key "y", which T\d+ read/);
  });

  it('checkListAppend flags read skew as G-single', () => {
    const ops = [
      txn(1, [r('x', []), r('y', [1])], [0, 10]),
      txn(2, [a('x', 1), a('y', 1)], [0, 10]),
      final([11, 12], { x: [1], y: [1] }),
    ];
    const result = checkListAppend(history(ops));
    expect(result.anomalies.map((x) => x.kind)).toEqual(['G-single']);
    expect(result.anomalies[0]!.cycle?.map((s) => s.kind).sort()).toEqual(['rw', 'wr']);
  });

  it('checkListAppend flags a lost update, directly and as G-single', () => {
    const ops = [
      txn(1, [r('x', []), a('x', 1)], [0, 10]),
      txn(2, [r('x', []), a('x', 2)], [0, 10]),
      final([11, 12], { x: [1, 2] }),
    ];
    expect(kinds(ops).sort()).toEqual(['G-single', 'lost-update']);
  });

  it('checkListAppend flags write skew as G2 and tells the cycle in words', () => {
    const ops = [
      txn(1, [r('x', []), a('y', 1)], [0, 10]),
      txn(2, [r('y', []), a('x', 1)], [0, 10]),
      final([11, 12], { x: [1], y: [1] }),
    ];
    const result = checkListAppend(history(ops));
    expect(result.anomalies.map((x) => x.kind)).toEqual(['G2']);
    const g2 = result.anomalies[0]!;
    expect(g2.description).toMatch(/^G2 \(a cycle with two or more anti-dependencies, as in write skew\)/);
    expect(g2.description).toMatch(/T\d+ read key "x" as \[\], missing 1, which T\d+ appended next/);
    expect(g2.description).toMatch(/T\d+ read key "y" as \[\], missing 1, which T\d+ appended next/);
    expect(g2.cycle).toHaveLength(2);
  });

  it('checkListAppend reports G-single and G2 separately when two G-single cycles share a transaction', () => {
    // T1 and T2 form a read skew on x/y; T1 and T3 another on z/w. No simple cycle has two rw edges.
    const ops = [
      txn(1, [r('x', []), r('y', [1]), r('z', []), r('w', [1])], [0, 10]),
      txn(2, [a('x', 1), a('y', 1)], [0, 10]),
      txn(3, [a('z', 1), a('w', 1)], [0, 10]),
      final([11, 12], { x: [1], y: [1], z: [1], w: [1] }),
    ];
    expect(kinds(ops)).toEqual(['G-single']);
  });

  it('checkListAppend flags a stale read only under realtime order (strict serializability)', () => {
    const ops = [txn(1, [a('x', 1)], [0, 1]), txn(2, [r('x', [])], [2, 3]), final([4, 5], { x: [1] })];
    expect(kinds(ops)).toEqual([]);
    const result = checkListAppend(history(ops), { realtime: true });
    expect(result.anomalies.map((x) => x.kind)).toEqual(['G-single-realtime']);
    expect(result.anomalies[0]!.description).toMatch(/completed before T\d+ began/);
  });

  it('checkListAppend flags a process reading behind its own earlier write under process order', () => {
    const ops = [txn(1, [a('x', 1)], [0, 1]), txn(1, [r('x', [])], [2, 3]), final([4, 5], { x: [1] })];
    expect(kinds(ops)).toEqual([]);
    expect(kinds(ops, { process: true })).toEqual(['G-single-process']);
  });

  it('checkListAppend places committed appends no read saw after the observed order', () => {
    // T2 read y as [] though T1, which it read x from, had appended 2 to y: nobody read y again.
    const unseen = [txn(1, [a('x', 1), a('y', 2)], [0, 10]), txn(2, [r('x', [1]), r('y', [])], [0, 10])];
    const result = checkListAppend(history(unseen));
    expect(result.anomalies.map((x) => x.kind)).toEqual(['G-single']);
    expect(result.anomalies[0]!.description).toMatch(/missing 2, which T\d+ appended and committed/);
    // An indeterminate writer is known to have committed once any of its appends is read.
    const info = [txn(1, [a('x', 1), a('y', 2)], [0, 10], 'info'), txn(2, [r('x', [1]), r('y', [])], [0, 10])];
    expect(kinds(info)).toEqual(['G-single']);
    const infoUnread = [txn(1, [a('x', 1), a('y', 2)], [0, 10], 'info'), txn(2, [r('x', []), r('y', [])], [0, 10])];
    expect(kinds(infoUnread)).toEqual([]);
  });

  it('checkListAppend flags a read that holds a later append of a transaction without its earlier one', () => {
    const ops = [txn(1, [a('x', 1), a('x', 2)], [0, 10]), txn(2, [r('x', [2])], [11, 12])];
    expect(kinds(ops)).toEqual(['incompatible-order']);
    const swapped = [txn(1, [a('x', 1), a('x', 2)], [0, 10]), txn(2, [r('x', [2, 1])], [11, 12])];
    expect(kinds(swapped)).toContain('incompatible-order');
  });

  it('checkListAppend flags incompatible orders', () => {
    const ops = [
      txn(1, [a('x', 1)], [0, 1]),
      txn(2, [a('x', 2)], [2, 3]),
      txn(3, [r('x', [1, 2])], [4, 5]),
      txn(4, [r('x', [2, 1])], [6, 7]),
    ];
    const result = checkListAppend(history(ops));
    expect(result.anomalies.map((x) => x.kind)).toContain('incompatible-order');
    expect(result.anomalies.find((x) => x.kind === 'incompatible-order')!.key).toBe('x');
  });

  it('checkListAppend flags internal inconsistency', () => {
    expect(kinds([txn(5, [a('z', 9), r('z', [])], [8, 9])])).toEqual(['internal']);
    // A second read must equal the first plus the transaction's own appends.
    const reread = [txn(1, [a('x', 1)], [0, 1]), txn(2, [r('x', []), a('x', 2), r('x', [1, 2])], [2, 3])];
    expect(kinds(reread)).toContain('internal');
    expect(kinds([txn(1, [a('x', 1)], [0, 1]), txn(2, [r('x', [1]), a('x', 2), r('x', [1, 2])], [2, 3])])).toEqual([]);
  });

  it('checkListAppend flags duplicate and unknown elements', () => {
    const dup = [txn(1, [a('x', 1)], [0, 1]), txn(2, [r('x', [1, 1])], [2, 3])];
    expect(kinds(dup)).toContain('duplicate-elements');
    expect(kinds([txn(2, [r('x', [42])], [2, 3])])).toEqual(['garbage-read']);
  });

  it('checkListAppend rejects malformed transactions and reused elements', () => {
    expect(() => checkListAppend(history([txn(1, [['put', 'x', 1]], [0, 1])]))).toThrow(HistoryError);
    expect(() => checkListAppend(history([txn(1, [r('x', 5 as unknown as number[])], [0, 1])]))).toThrow(/not a list/);
    expect(() => checkListAppend(history([txn(1, [a('x', 1)], [0, 1]), txn(2, [a('x', 1)], [2, 3])]))).toThrow(/elements must be unique/);
    // A failed attempt may be retried with the same element.
    expect(kinds([txn(1, [a('x', 1)], [0, 1], 'fail'), txn(2, [a('x', 1)], [2, 3]), txn(3, [r('x', [1])], [4, 5])])).toEqual([]);
  });

  it('checkListAppend reports a cycle even when the class searches run out of budget', () => {
    const ops = [txn(1, [r('x', []), a('y', 1)], [0, 10]), txn(2, [r('y', []), a('x', 1)], [0, 10]), final([11, 12], { x: [1], y: [1] })];
    expect(kinds(ops, { cycleSearchVisitsMax: 0 })).toEqual(['cycle']);
  });
});
