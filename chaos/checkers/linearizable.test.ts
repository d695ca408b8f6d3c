import { describe, expect, it } from 'vitest';
import { HistoryError, type HistoryValue } from '../history/event.ts';
import { cas, history, read, write, type OpSpec } from './history.test-helper.ts';
import { checkLinearizable } from './linearizable.ts';
import { casRegisterModel, kvModel, registerModel } from './models.ts';

describe('checkLinearizable register', () => {
  it('checkLinearizable accepts a concurrent history that has a linearization', () => {
    const h = history([write(1, 1, [0, 10]), read(2, 1, [1, 2]), write(3, 2, [5, 20]), read(2, 2, [21, 22]), read(1, 2, [23, 24])]);
    const result = checkLinearizable(registerModel, h);
    expect(result.anomalies).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('checkLinearizable accepts a read concurrent with a write seeing either value', () => {
    for (const seen of [null, 1]) {
      expect(checkLinearizable(registerModel, history([write(1, 1, [0, 10]), read(2, seen, [2, 3])])).valid).toBe(true);
    }
  });

  it('checkLinearizable treats operations that touch in time as concurrent', () => {
    expect(checkLinearizable(registerModel, history([write(1, 1, [0, 10]), read(2, null, [10, 20])])).valid).toBe(true);
    expect(checkLinearizable(registerModel, history([write(1, 1, [0, 10]), read(2, null, [11, 20])])).valid).toBe(false);
  });

  it('checkLinearizable does not treat a write of the current value as read-only', () => {
    // Valid: write 1, write 2, then the second write of 1 (touching write 2), then the read.
    const h = history([write(1, 1, [0, 1]), write(2, 1, [0, 2]), write(3, 2, [2, 3]), read(4, 1, [4, 5])]);
    expect(checkLinearizable(registerModel, h).valid).toBe(true);
  });

  it('checkLinearizable flags a stale read and explains it', () => {
    const h = history([write(1, 1, [0, 10]), write(1, 2, [20, 30]), read(2, 1, [40, 50])]);
    const result = checkLinearizable(registerModel, h);
    expect(result.valid).toBe(false);
    const anomaly = result.anomalies[0]!;
    expect(anomaly.kind).toBe('nonlinearizable');
    expect(anomaly.ops.map((o) => [o.f, o.input, o.output])).toEqual([['read', null, 1], ['write', 1, 1], ['write', 2, 2]]);
    expect(anomaly.description).toMatch(/p2 read → 1 .* observed a stale value: its only write, p1 write 1 .*, completed before p1 write 2/);
    expect(result.stats.searchSteps).toBe(0);
  });

  it('checkLinearizable explains a failed search with the longest linearizable prefix', () => {
    const h = history([write(1, 1, [0, 10]), write(1, 2, [20, 30]), read(2, 1, [40, 50])]);
    const result = checkLinearizable(registerModel, h, { refute: false });
    expect(result.valid).toBe(false);
    const anomaly = result.anomalies[0]!;
    expect(anomaly.ops[0]).toMatchObject({ process: 2, f: 'read', output: 1 });
    expect(anomaly.prefix?.length).toBe(2);
    expect(anomaly.prefix?.ops.map((o) => o.input)).toEqual([1, 2]);
    expect(anomaly.description).toMatch(/at most 2 of 3 operations linearize/);
    expect(anomaly.description).toMatch(/the register holds 2/);
    expect(anomaly.description).toMatch(/p2 read → 1 .* cannot take effect/);
    // With writes that repeat a value, quick refutation does not apply; the search still finds it.
    const repeated = history([write(1, 1, [0, 10]), write(1, 2, [20, 30]), write(3, 2, [31, 35]), read(2, 1, [40, 50])]);
    expect(checkLinearizable(registerModel, repeated).anomalies[0]!.description).toMatch(/operations linearize/);
  });

  it('checkLinearizable refutes reads of the future and of an overwritten initial value', () => {
    const future = checkLinearizable(registerModel, history([read(2, 1, [0, 5]), write(1, 1, [10, 20])]));
    expect(future.anomalies[0]!.description).toMatch(/whose only write, p1 write 1 .*, began after it completed/);
    const initial = checkLinearizable(registerModel, history([write(1, 1, [0, 5]), read(2, null, [10, 20])]));
    expect(initial.anomalies[0]!.description).toMatch(/observed the initial null after p1 write 1/);
    const unwritten = checkLinearizable(registerModel, history([write(1, 1, [0, 5]), read(2, 3, [0, 20])]));
    expect(unwritten.anomalies[0]!.description).toMatch(/observed a value no operation wrote/);
  });

  it('checkLinearizable flags a read of a value never written', () => {
    expect(checkLinearizable(registerModel, history([write(1, 1, [0, 10]), read(2, 7, [0, 20])])).valid).toBe(false);
    expect(checkLinearizable(registerModel, history([read(2, 0, [0, 20])])).valid).toBe(false);
  });

  it('checkLinearizable flags a lost write: a later read sees the value it overwrote', () => {
    const h = history([write(1, 'a', [0, 10]), write(2, 'b', [20, 30]), read(3, 'b', [40, 50]), read(3, 'a', [60, 70])]);
    expect(checkLinearizable(registerModel, h).valid).toBe(false);
  });

  it('checkLinearizable flags reads that disagree on the order of two writes', () => {
    const h = history([
      write(1, 1, [0, 100]), write(2, 2, [0, 100]),
      read(3, 1, [10, 20]), read(3, 2, [30, 40]), read(4, 2, [10, 20]), read(4, 1, [30, 40]),
    ]);
    expect(checkLinearizable(registerModel, h).valid).toBe(false);
  });

  it('checkLinearizable lets indeterminate writes take effect late, or never', () => {
    const late = history([write(1, 1, [0, 1]), write(2, 2, [2, 3], 'info'), read(3, 1, [50, 51]), read(3, 2, [60, 61])]);
    expect(checkLinearizable(registerModel, late).valid).toBe(true);
    const never = history([write(1, 1, [0, 1]), write(2, 2, [2, 3], 'info'), read(3, 1, [50, 51])]);
    expect(checkLinearizable(registerModel, never).valid).toBe(true);
    const open = history([write(1, 1, [0, 1]), write(2, 2, [2, 3], 'open'), read(3, 2, [50, 51])]);
    expect(checkLinearizable(registerModel, open).valid).toBe(true);
    // But not before it was invoked.
    const early = history([write(1, 1, [0, 1]), read(3, 2, [2, 3]), write(2, 2, [10, 11], 'info')]);
    expect(checkLinearizable(registerModel, early).valid).toBe(false);
    // And it takes effect once: after it is overwritten it cannot come back.
    const twice = history([write(2, 2, [0, 1], 'info'), read(3, 2, [2, 3]), write(1, 1, [4, 5]), read(3, 2, [6, 7])]);
    expect(checkLinearizable(registerModel, twice).valid).toBe(false);
  });

  it('checkLinearizable treats failed writes as never having happened', () => {
    const h = history([write(1, 1, [0, 1]), write(2, 2, [2, 3], 'fail'), read(3, 2, [50, 51])]);
    expect(checkLinearizable(registerModel, h).valid).toBe(false);
  });

  it('checkLinearizable ignores indeterminate reads', () => {
    const h = history([write(1, 1, [0, 1]), read(2, 'garbage', [2, 3], 'info')]);
    expect(checkLinearizable(registerModel, h).valid).toBe(true);
  });

  it('checkLinearizable answers unknown when the step budget runs out', () => {
    const h = history([write(1, 1, [0, 10]), write(2, 2, [0, 10]), read(3, 2, [20, 30])]);
    const result = checkLinearizable(registerModel, h, { stepBudget: 2 });
    expect(result.valid).toBe('unknown');
    expect(result.stats.unknownPartitions).toBe(1);
    expect(result.notes?.[0]).toMatch(/gave up after/);
  });

  it('checkLinearizable rejects operations the model does not know', () => {
    expect(() => checkLinearizable(registerModel, history([cas(1, null, 1, [0, 1])]))).toThrow(HistoryError);
  });
});

describe('checkLinearizable cas-register', () => {
  it('checkLinearizable accepts a chain of compare-and-sets', () => {
    const h = history([cas(1, null, 1, [0, 1]), cas(2, 1, 2, [2, 3]), read(3, 2, [4, 5]), cas(2, 1, 3, [6, 7], 'fail')]);
    expect(checkLinearizable(casRegisterModel, h).valid).toBe(true);
  });

  it('checkLinearizable flags two compare-and-sets that both won from the same value', () => {
    const h = history([cas(1, null, 1, [0, 10]), cas(2, null, 2, [0, 10])]);
    const result = checkLinearizable(casRegisterModel, h);
    expect(result.valid).toBe(false);
    expect(result.anomalies[0]!.description).toMatch(/cas-register is not linearizable/);
  });

  it('checkLinearizable flags a compare-and-set that succeeded against a stale value', () => {
    const h = history([write(1, 'a', [0, 1]), write(1, 'b', [2, 3]), cas(2, 'a', 'c', [4, 5]), read(3, 'c', [6, 7])]);
    expect(checkLinearizable(casRegisterModel, h).valid).toBe(false);
  });

  it('checkLinearizable lets an indeterminate compare-and-set explain a later read', () => {
    const h = history([write(1, 'a', [0, 1]), cas(2, 'a', 'c', [2, 3], 'info'), read(3, 'c', [10, 11])]);
    expect(checkLinearizable(casRegisterModel, h).valid).toBe(true);
    const wrongExpectation = history([write(1, 'a', [0, 1]), cas(2, 'z', 'c', [2, 3], 'info'), read(3, 'c', [10, 11])]);
    expect(checkLinearizable(casRegisterModel, wrongExpectation).valid).toBe(false);
  });
});

describe('checkLinearizable kv', () => {
  const kw = (p: number, key: string, v: HistoryValue, at: [number, number], status?: OpSpec['status']): OpSpec => ({ p, f: 'write', in: [key, v], at, ...(status ? { status } : {}) });
  const kr = (p: number, key: string, v: HistoryValue, at: [number, number]): OpSpec => ({ p, f: 'read', in: [key, null], out: [key, v], at });
  const kc = (p: number, key: string, from: HistoryValue, to: HistoryValue, at: [number, number]): OpSpec => ({ p, f: 'cas', in: [key, [from, to]], at });

  it('checkLinearizable checks each key on its own', () => {
    const h = history([kw(1, 'a', 1, [0, 1]), kw(2, 'b', 2, [0, 1]), kr(3, 'a', 1, [2, 3]), kr(3, 'b', 2, [4, 5]), kc(4, 'a', 1, 5, [6, 7]), kr(3, 'a', 5, [8, 9])]);
    const result = checkLinearizable(kvModel, h);
    expect(result.valid).toBe(true);
    expect(result.stats.partitions).toBe(2);
  });

  it('checkLinearizable names the key of a violation', () => {
    const h = history([kw(1, 'a', 1, [0, 1]), kw(1, 'b', 1, [2, 3]), kw(2, 'b', 2, [4, 5]), kr(3, 'a', 1, [6, 7]), kr(3, 'b', 1, [8, 9])]);
    const result = checkLinearizable(kvModel, h);
    expect(result.valid).toBe(false);
    expect(result.anomalies).toHaveLength(1);
    expect(result.anomalies[0]!.key).toBe('b');
    expect(result.anomalies[0]!.description).toMatch(/kv key "b"/);
  });

  it('checkLinearizable rejects a read that returns another key', () => {
    const h = history([{ p: 1, f: 'read', in: ['a', null], out: ['b', 1], at: [0, 1] }]);
    expect(() => checkLinearizable(kvModel, h)).toThrow(/returned key "b"/);
  });
});
