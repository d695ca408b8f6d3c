import { describe, expect, it } from 'vitest';
import type { HistoryValue } from '../history/event.ts';
import { history, read, type OpSpec } from './history.test-helper.ts';
import { checkSet } from './set.ts';

const add = (p: number, v: HistoryValue, at: [number, number], status?: OpSpec['status']): OpSpec => ({ p, f: 'add', in: v, at, ...(status ? { status } : {}) });

describe('checkSet', () => {
  it('checkSet accepts a final read holding every acknowledged add, and counts recovered ones', () => {
    const h = history([add(1, 1, [0, 1]), add(2, 2, [0, 3], 'info'), add(3, 3, [0, 1], 'info'), add(4, 4, [0, 1], 'fail'), read(5, [3, 1], [10, 11])]);
    const result = checkSet(h);
    expect(result.anomalies).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.stats).toMatchObject({ adds: 4, acknowledged: 1, lost: 0, recovered: 1, finalReads: 1 });
  });

  it('checkSet flags a lost acknowledged add', () => {
    const h = history([add(1, 1, [0, 1]), add(2, 2, [0, 1]), read(5, [1], [10, 11])]);
    const result = checkSet(h);
    expect(result.valid).toBe(false);
    expect(result.anomalies.map((a) => a.kind)).toEqual(['lost']);
    expect(result.anomalies[0]!.ops.map((o) => o.f)).toEqual(['add', 'read']);
    expect(result.anomalies[0]!.description).toMatch(/p2 add 2/);
  });

  it('checkSet flags elements no add could have written, including failed ones', () => {
    const h = history([add(1, 1, [0, 1]), add(4, 4, [0, 1], 'fail'), read(5, [1, 4, 7], [10, 11])]);
    expect(checkSet(h).anomalies.map((a) => a.kind)).toEqual(['unexpected', 'unexpected']);
  });

  it('checkSet judges every read after the last add, and ignores earlier ones', () => {
    const h = history([add(1, 1, [0, 5]), read(2, [], [1, 2]), read(2, [1], [10, 11]), read(3, [], [10, 12])]);
    const result = checkSet(h);
    expect(result.stats.finalReads).toBe(2);
    expect(result.anomalies.map((a) => a.kind)).toEqual(['lost']);
  });

  it('checkSet falls back to the last read, and is unknown without any read', () => {
    const h = history([add(1, 1, [0, 50]), read(2, [1], [1, 40])]);
    const result = checkSet(h);
    expect(result.valid).toBe(true);
    expect(result.notes?.[0]).toMatch(/judged on the last read/);
    expect(checkSet(history([add(1, 1, [0, 1])])).valid).toBe('unknown');
  });
});
