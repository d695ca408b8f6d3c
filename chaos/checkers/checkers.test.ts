import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  casRegisterModel, checkBank, checkLinearizable, checkListAppend, checkMonotonic, checkSequential, checkSet, kvModel,
  registerModel, type HistoryValue,
} from '../index.ts';
import { history, type OpSpec } from './test-history.test-helper.ts';

const r = (p: number, out: HistoryValue, at: [number, number], status?: 'ok' | 'info'): OpSpec => ({ p, f: 'read', in: null, out, at, ...(status ? { status } : {}) });
const w = (p: number, v: HistoryValue, at: [number, number], status?: 'ok' | 'info' | 'fail'): OpSpec => ({ p, f: 'write', in: v, at, ...(status ? { status } : {}) });
const txn = (p: number, micro: HistoryValue[], at: [number, number], status?: 'ok' | 'info' | 'fail'): OpSpec => ({ p, f: 'txn', in: micro, out: micro, at, ...(status ? { status } : {}) });

describe('linearizability', () => {
  it('accepts a concurrent register history that has a linearization', () => {
    const h = history([w(1, 1, [0, 10]), r(2, 1, [1, 2]), w(3, 2, [5, 20]), r(2, 2, [21, 22]), r(1, 2, [23, 24])]);
    expect(checkLinearizable(registerModel, h).valid).toBe(true);
  });

  it('flags a stale read', () => {
    const h = history([w(1, 1, [0, 1]), w(1, 2, [2, 3]), r(2, 1, [4, 5])]);
    const result = checkLinearizable(registerModel, h);
    expect(result.valid).toBe(false);
    expect(result.anomalies[0]!.kind).toBe('nonlinearizable');
    expect(result.anomalies[0]!.description).toMatch(/read/);
  });

  it('lets indeterminate writes take effect late or never', () => {
    expect(checkLinearizable(registerModel, history([w(1, 1, [0, 1]), w(2, 2, [2, 3], 'info'), r(3, 2, [50, 51])])).valid).toBe(true);
    expect(checkLinearizable(registerModel, history([w(1, 1, [0, 1]), w(2, 2, [2, 3], 'info'), r(3, 1, [50, 51])])).valid).toBe(true);
    // A failed write never happened.
    expect(checkLinearizable(registerModel, history([w(1, 1, [0, 1]), w(2, 2, [2, 3], 'fail'), r(3, 2, [50, 51])])).valid).toBe(false);
  });

  it('flags a non-linearizable compare-and-set', () => {
    const cas = (p: number, from: HistoryValue, to: HistoryValue, at: [number, number]): OpSpec => ({ p, f: 'cas', in: [from, to], at });
    const ok = history([cas(1, null, 1, [0, 1]), cas(2, 1, 2, [2, 3]), r(3, 2, [4, 5])]);
    expect(checkLinearizable(casRegisterModel, ok).valid).toBe(true);
    const bad = history([cas(1, null, 1, [0, 1]), cas(2, null, 2, [2, 3])]);
    expect(checkLinearizable(casRegisterModel, bad).valid).toBe(false);
  });

  it('checks keys independently', () => {
    const kw = (p: number, key: string, v: HistoryValue, at: [number, number]): OpSpec => ({ p, f: 'write', in: [key, v], at });
    const kr = (p: number, key: string, v: HistoryValue, at: [number, number]): OpSpec => ({ p, f: 'read', in: [key, null], out: [key, v], at });
    const good = history([kw(1, 'a', 1, [0, 1]), kw(2, 'b', 2, [0, 1]), kr(3, 'a', 1, [2, 3]), kr(3, 'b', 2, [4, 5])]);
    const result = checkLinearizable(kvModel, good);
    expect(result.valid).toBe(true);
    expect(result.stats.partitions).toBe(2);
    expect(checkLinearizable(kvModel, history([kw(1, 'a', 1, [0, 1]), kr(3, 'b', 1, [2, 3])])).valid).toBe(false);
  });

  const serialHistory = fc.record({
    ops: fc.array(fc.tuple(fc.boolean(), fc.nat(5)), { minLength: 1, maxLength: 40 }),
    windows: fc.array(fc.tuple(fc.nat(30), fc.nat(30)), { minLength: 40, maxLength: 40 }),
  }).map(({ ops, windows }) => {
    // A real serial execution at times 100·i, with each operation's window widened randomly around it.
    let value: HistoryValue = null;
    return ops.map(([isWrite, v], i): OpSpec => {
      const [before, after] = windows[i]!;
      const at: [number, number] = [100 * i - before, 100 * i + after + 1];
      if (isWrite) {
        value = v;
        return w(i % 7, v, at);
      }
      return r(i % 7, value, at);
    });
  });

  it('accepts every history produced by a serial execution', () => {
    fc.assert(fc.property(serialHistory, (ops) => {
      // One operation at a time per process: give each its own process.
      const h = history(ops.map((o, i) => ({ ...o, p: i })));
      expect(checkLinearizable(registerModel, h).valid).toBe(true);
    }), { numRuns: 300 });
  });

  it('always flags a read of a value never written', () => {
    fc.assert(fc.property(serialHistory, fc.nat(100), (ops, at) => {
      const h = history([...ops.map((o, i) => ({ ...o, p: i })), r(999, 'never', [at * 40, at * 40 + 5])]);
      expect(checkLinearizable(registerModel, h).valid).toBe(false);
    }), { numRuns: 200 });
  });

  it('handles a few thousand operations at concurrency 10', () => {
    const ops: OpSpec[] = [];
    let value: HistoryValue = null;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 5000; i++) {
      const t = i * 10;
      const at: [number, number] = [t - Math.floor(rand() * 50), t + 1 + Math.floor(rand() * 50)];
      if (rand() < 0.3) {
        value = i;
        ops.push(w(i % 10, i, at));
      } else ops.push(r(i % 10, value, at));
    }
    const withProcesses = ops.map((o, i) => ({ ...o, p: i }));
    const started = performance.now();
    const result = checkLinearizable(registerModel, history(withProcesses));
    const ms = performance.now() - started;
    expect(result.valid).toBe(true);
    expect(ms).toBeLessThan(20_000);
  });
});

describe('list-append (Elle)', () => {
  const final = (at: [number, number], reads: Array<[string, number[]]>) => txn(9, reads.map(([k, v]) => ['r', k, v]), at);

  it('accepts a serializable history', () => {
    const h = history([
      txn(1, [['append', 'x', 1], ['r', 'x', [1]]], [0, 1]),
      txn(2, [['r', 'x', [1]], ['append', 'x', 2]], [2, 3]),
      txn(3, [['r', 'x', [1, 2]], ['append', 'y', 1]], [4, 5]),
      final([6, 7], [['x', [1, 2]], ['y', [1]]]),
    ]);
    const result = checkListAppend(h, { realtime: true });
    expect(result.anomalies).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('flags G0 (write cycle)', () => {
    const h = history([
      txn(1, [['append', 'x', 1], ['append', 'y', 2]], [0, 10]),
      txn(2, [['append', 'x', 2], ['append', 'y', 1]], [0, 10]),
      final([11, 12], [['x', [1, 2]], ['y', [1, 2]]]),
    ]);
    expect(checkListAppend(h).anomalies.map((a) => a.kind)).toContain('G0');
  });

  it('flags G1a (aborted read)', () => {
    const h = history([txn(1, [['append', 'x', 1]], [0, 1], 'fail'), txn(2, [['r', 'x', [1]]], [2, 3])]);
    expect(checkListAppend(h).anomalies.map((a) => a.kind)).toContain('G1a');
  });

  it('flags G1b (intermediate read)', () => {
    const h = history([txn(1, [['append', 'x', 1], ['append', 'x', 2]], [0, 10]), txn(2, [['r', 'x', [1]]], [2, 3])]);
    expect(checkListAppend(h).anomalies.map((a) => a.kind)).toContain('G1b');
  });

  it('flags G1c (circular information flow)', () => {
    const h = history([
      txn(1, [['append', 'x', 1], ['r', 'y', [1]]], [0, 10]),
      txn(2, [['append', 'y', 1], ['r', 'x', [1]]], [0, 10]),
    ]);
    expect(checkListAppend(h).anomalies.map((a) => a.kind)).toContain('G1c');
  });

  it('flags read skew as G-single', () => {
    const h = history([
      txn(1, [['r', 'x', []], ['r', 'y', [1]]], [0, 10]),
      txn(2, [['append', 'x', 1], ['append', 'y', 1]], [0, 10]),
      final([11, 12], [['x', [1]], ['y', [1]]]),
    ]);
    expect(checkListAppend(h).anomalies.map((a) => a.kind)).toContain('G-single');
  });

  it('flags a lost update', () => {
    const h = history([
      txn(1, [['r', 'x', []], ['append', 'x', 1]], [0, 10]),
      txn(2, [['r', 'x', []], ['append', 'x', 2]], [0, 10]),
      final([11, 12], [['x', [1, 2]]]),
    ]);
    const kinds = checkListAppend(h).anomalies.map((a) => a.kind);
    expect(kinds).toContain('G-single');
  });

  it('flags write skew as G2 and explains the cycle', () => {
    const h = history([
      txn(1, [['r', 'x', []], ['append', 'y', 1]], [0, 10]),
      txn(2, [['r', 'y', []], ['append', 'x', 1]], [0, 10]),
      final([11, 12], [['x', [1]], ['y', [1]]]),
    ]);
    const anomaly = checkListAppend(h).anomalies.find((a) => a.kind === 'G2');
    expect(anomaly).toBeDefined();
    expect(anomaly!.description).toMatch(/read key "x" without 1/);
  });

  it('flags incompatible orders and internal inconsistency', () => {
    const h = history([
      txn(1, [['append', 'x', 1]], [0, 1]),
      txn(2, [['append', 'x', 2]], [2, 3]),
      txn(3, [['r', 'x', [1, 2]]], [4, 5]),
      txn(4, [['r', 'x', [2, 1]]], [6, 7]),
      txn(5, [['append', 'z', 9], ['r', 'z', []]], [8, 9]),
    ]);
    const kinds = checkListAppend(h).anomalies.map((a) => a.kind);
    expect(kinds).toContain('incompatible-order');
    expect(kinds).toContain('internal');
  });

  it('treats info transactions as possibly committed, never as aborted', () => {
    const h = history([txn(1, [['append', 'x', 1]], [0, 1], 'info'), txn(2, [['r', 'x', [1]]], [2, 3])]);
    expect(checkListAppend(h).valid).toBe(true);
  });

  it('flags a stale read only under realtime order (strict serializability)', () => {
    const h = history([txn(1, [['append', 'x', 1]], [0, 1]), txn(2, [['r', 'x', []]], [2, 3]), final([4, 5], [['x', [1]]])]);
    expect(checkListAppend(h).valid).toBe(true);
    expect(checkListAppend(h, { realtime: true }).anomalies.map((a) => a.kind)).toContain('G-single-realtime');
  });

  it('checks 2,000 transactions quickly', () => {
    const ops: OpSpec[] = [];
    const lists = new Map<string, number[]>();
    for (let i = 0; i < 2000; i++) {
      const key = `k${i % 20}`;
      const list = lists.get(key) ?? [];
      const micro: HistoryValue[] = [['r', key, [...list]], ['append', key, i]];
      list.push(i);
      lists.set(key, list);
      ops.push(txn(i % 10, micro, [i * 10, i * 10 + 5]));
    }
    const started = performance.now();
    const result = checkListAppend(history(ops), { realtime: true });
    expect(result.valid).toBe(true);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe('bank', () => {
  it('flags wrong totals and negative balances', () => {
    const read = (p: number, balances: Record<string, number>, at: [number, number]): OpSpec => ({ p, f: 'read', in: null, out: balances, at });
    const good = history([read(1, { a: 50, b: 50 }, [0, 1])]);
    expect(checkBank(good, { total: 100 }).valid).toBe(true);
    const bad = history([read(1, { a: 60, b: 50 }, [0, 1]), read(2, { a: 110, b: -10 }, [2, 3])]);
    const kinds = checkBank(bad, { total: 100 }).anomalies.map((a) => a.kind);
    expect(kinds).toEqual(['wrong-total', 'negative-balance']);
  });
});

describe('set', () => {
  it('flags a lost acknowledged add and unexpected elements', () => {
    const add = (p: number, v: number, at: [number, number], status?: 'ok' | 'info' | 'fail'): OpSpec => ({ p, f: 'add', in: v, at, ...(status ? { status } : {}) });
    const h = history([add(1, 1, [0, 1]), add(2, 2, [0, 1]), add(3, 3, [0, 1], 'info'), add(4, 4, [0, 1], 'fail'), r(5, [1, 3, 7], [10, 11])]);
    const result = checkSet(h);
    expect(result.valid).toBe(false);
    expect(result.anomalies.map((a) => a.kind).sort()).toEqual(['lost', 'unexpected']);
    expect(result.stats.recovered).toBe(1);
    expect(checkSet(history([add(1, 1, [0, 1]), r(5, [1], [10, 11])])).valid).toBe(true);
  });
});

describe('monotonic', () => {
  it('flags a counter going backwards for one client and across clients in real time', () => {
    expect(checkMonotonic(history([r(1, 1, [0, 1]), r(1, 2, [2, 3])])).valid).toBe(true);
    expect(checkMonotonic(history([r(1, 2, [0, 1]), r(1, 1, [2, 3])])).anomalies[0]!.kind).toBe('regression');
    const across = history([r(1, 5, [0, 1]), r(2, 3, [2, 3])]);
    expect(checkMonotonic(across).valid).toBe(true);
    expect(checkMonotonic(across, { realtime: true }).anomalies[0]!.kind).toBe('realtime-regression');
  });
});

describe('sequential', () => {
  it('flags a later key seen without an earlier one', () => {
    const read = (out: Array<[number, boolean]>): OpSpec => ({ p: 1, f: 'read', in: null, out, at: [0, 1] });
    expect(checkSequential(history([read([[3, false], [2, true], [1, true]])])).valid).toBe(true);
    expect(checkSequential(history([read([[3, true], [2, false], [1, true]])])).anomalies[0]!.kind).toBe('out-of-order');
  });
});
