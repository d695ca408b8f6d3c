import { describe, expect, it } from 'vitest';
import type { HistoryValue } from '../history/event.ts';
import { checkBank } from './bank.ts';
import { history, type OpSpec } from './history.test-helper.ts';

const read = (p: number, balances: HistoryValue, at: [number, number], status?: OpSpec['status']): OpSpec => ({ p, f: 'read', in: null, out: balances, at, ...(status ? { status } : {}) });
const transfer = (p: number, from: string, to: string, amount: number, at: [number, number], status?: OpSpec['status']): OpSpec => ({ p, f: 'transfer', in: { from, to, amount }, at, ...(status ? { status } : {}) });

describe('checkBank', () => {
  it('checkBank accepts reads that conserve the total amid transfers', () => {
    const h = history([
      read(1, { a: 50, b: 50 }, [0, 1]), transfer(2, 'a', 'b', 20, [2, 5]), read(1, { a: 30, b: 70 }, [6, 7]),
      transfer(3, 'b', 'a', 5, [8, 9], 'info'), read(1, [35, 65], [10, 11]), read(4, { a: 999 }, [12, 13], 'info'),
    ]);
    const result = checkBank(h, { total: 100 });
    expect(result.anomalies).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.stats.reads).toBe(3);
  });

  it('checkBank flags a wrong total and a negative balance, naming the bad reads', () => {
    const h = history([read(1, { a: 60, b: 50 }, [0, 1]), read(2, { a: 110, b: -10 }, [2, 3]), read(3, { a: 50, b: 50 }, [4, 5])]);
    const result = checkBank(h, { total: 100 });
    expect(result.valid).toBe(false);
    expect(result.anomalies.map((a) => [a.kind, a.ops[0]!.process])).toEqual([['wrong-total', 1], ['negative-balance', 2]]);
    expect(result.anomalies[0]!.description).toMatch(/totals 110, not 100/);
    expect(result.anomalies[1]!.description).toMatch(/account b at -10/);
    expect(result.stats.badReads).toBe(2);
    expect(checkBank(h, { total: 100, allowNegative: true }).anomalies.map((a) => a.kind)).toEqual(['wrong-total']);
  });

  it('checkBank flags missing and unknown accounts when told the accounts', () => {
    const h = history([read(1, { a: 100 }, [0, 1]), read(2, { a: 50, b: 40, c: 10 }, [2, 3])]);
    expect(checkBank(h, { total: 100 }).valid).toBe(true);
    expect(checkBank(h, { total: 100, accounts: ['a', 'b'] }).anomalies.map((a) => a.kind)).toEqual(['missing-account', 'unexpected-account']);
  });

  it('checkBank rejects reads that are not balances', () => {
    expect(() => checkBank(history([read(1, 'oops', [0, 1])]), { total: 1 })).toThrow(/not balances/);
    expect(() => checkBank(history([read(1, { a: '5' }, [0, 1])]), { total: 1 })).toThrow(/not a number/);
  });
});
