import { describe, expect, it } from 'vitest';
import { checkMonotonic } from './monotonic.ts';
import { history, read, type OpSpec } from './history.test-helper.ts';

const inc = (p: number, at: [number, number]): OpSpec => ({ p, f: 'add', in: 1, at });

describe('checkMonotonic', () => {
  it('checkMonotonic accepts growing and concurrent reads', () => {
    const h = history([read(1, null, [0, 1]), inc(2, [0, 4]), read(1, 1, [2, 3]), read(3, 0, [2, 5]), read(1, 1, [6, 7]), read(3, 2, [8, 9])]);
    expect(checkMonotonic(h, { realtime: true }).valid).toBe(true);
  });

  it('checkMonotonic flags a process reading a counter going backwards', () => {
    const result = checkMonotonic(history([read(1, 2, [0, 1]), read(2, 9, [0, 1]), read(1, 1, [2, 3])]));
    expect(result.anomalies.map((a) => a.kind)).toEqual(['regression']);
    expect(result.anomalies[0]!.ops.map((o) => o.output)).toEqual([2, 1]);
  });

  it('checkMonotonic flags a realtime regression across processes only when asked', () => {
    const across = history([read(1, 5, [0, 1]), read(2, 3, [2, 3])]);
    expect(checkMonotonic(across).valid).toBe(true);
    const result = checkMonotonic(across, { realtime: true });
    expect(result.anomalies.map((a) => a.kind)).toEqual(['realtime-regression']);
    // Overlapping reads are concurrent: either order is fine.
    expect(checkMonotonic(history([read(1, 5, [0, 2]), read(2, 3, [2, 3])]), { realtime: true }).valid).toBe(true);
  });

  it('checkMonotonic rejects non-numeric reads', () => {
    expect(() => checkMonotonic(history([read(1, 'x', [0, 1])]))).toThrow(/not a number/);
  });
});
