import { describe, expect, it } from 'vitest';
import type { HistoryValue } from '../history/event.ts';
import { history, type OpSpec } from './history.test-helper.ts';
import { checkSequential } from './sequential.ts';

const write = (key: string, at: [number, number], status?: OpSpec['status']): OpSpec => ({ p: 1, f: 'write', in: key, at, ...(status ? { status } : {}) });
/** A reverse-order read of k3, k2, k1 returning the values seen. */
const read = (values: HistoryValue[], at: [number, number]): OpSpec => ({ p: 2, f: 'read', in: ['k3', 'k2', 'k1'], out: values, at });

describe('checkSequential', () => {
  it('checkSequential accepts reads that see a prefix of the write order', () => {
    const h = history([write('k1', [0, 1]), read([null, null, 'v'], [1, 2]), write('k2', [2, 3]), read([null, 'v', 'v'], [3, 4]), write('k3', [4, 5]), read(['v', 'v', 'v'], [5, 6])]);
    expect(checkSequential(h).valid).toBe(true);
  });

  it('checkSequential flags a later key seen without an earlier one', () => {
    const result = checkSequential(history([write('k1', [0, 1]), write('k2', [2, 3]), write('k3', [4, 5]), read(['v', null, 'v'], [5, 6])]));
    expect(result.anomalies.map((a) => a.kind)).toEqual(['out-of-order']);
    expect(result.anomalies[0]!.description).toMatch(/saw key "k3" but not "k2"/);
  });

  it('checkSequential flags a key whose write failed', () => {
    const result = checkSequential(history([write('k1', [0, 1]), write('k2', [2, 3], 'fail'), read([null, 'v', 'v'], [5, 6])]));
    expect(result.anomalies.map((a) => a.kind)).toEqual(['unexpected']);
  });

  it('checkSequential rejects reads whose values do not match their keys', () => {
    expect(() => checkSequential(history([read(['v'], [0, 1])]))).toThrow(/one value per key/);
  });
});
