import { describe, expect, it } from 'vitest';
import { history, read, write } from './history.test-helper.ts';
import { checkLinearizable } from './linearizable.ts';
import { anomaliesPerKindMax } from './limits.ts';
import { registerModel } from './models.ts';
import { checkMonotonic } from './monotonic.ts';
import { AnomalyCollector, checkAll, combineResults, type CheckResult } from './result.ts';

const ok: CheckResult = { valid: true, anomalies: [], stats: { reads: 2 } };
const unknown: CheckResult = { valid: 'unknown', anomalies: [], stats: {}, notes: ['gave up'] };
const bad: CheckResult = { valid: false, anomalies: [{ kind: 'lost', description: 'x', ops: [] }], stats: { lost: 1 } };

describe('results', () => {
  it('combineResults is invalid over unknown over valid, and prefixes names', () => {
    expect(combineResults({ a: ok, b: ok }).valid).toBe(true);
    expect(combineResults({ a: ok, b: unknown }).valid).toBe('unknown');
    const all = combineResults({ a: ok, b: unknown, c: bad });
    expect(all.valid).toBe(false);
    expect(all.anomalies.map((a) => a.kind)).toEqual(['c/lost']);
    expect(all.stats).toEqual({ 'a.reads': 2, 'c.lost': 1 });
    expect(all.notes).toEqual(['b: gave up']);
    expect(all.parts.c).toBe(bad);
  });

  it('checkAll runs every checker on the same history', () => {
    const h = history([write(1, 1, [0, 1]), read(2, 2, [2, 3])]);
    const result = checkAll(h, {
      linearizable: (events) => checkLinearizable(registerModel, events),
      monotonic: (events) => checkMonotonic(events),
    });
    expect(result.valid).toBe(false);
    expect(result.anomalies.map((a) => a.kind)).toEqual(['linearizable/nonlinearizable']);
    expect(result.parts.monotonic?.valid).toBe(true);
    expect(result.stats['monotonic.reads']).toBe(1);
  });

  it('AnomalyCollector keeps a bounded number of each kind but counts them all', () => {
    const out = new AnomalyCollector();
    for (let i = 0; i < anomaliesPerKindMax + 5; i++) out.add({ kind: 'lost', description: `${i}`, ops: [] });
    out.add({ kind: 'unexpected', description: 'u', ops: [] });
    const result = out.result({ adds: 3 });
    expect(result.valid).toBe(false);
    expect(result.anomalies).toHaveLength(anomaliesPerKindMax + 1);
    expect(result.stats).toEqual({ adds: 3, 'anomalies.lost': anomaliesPerKindMax + 5, 'anomalies.unexpected': 1 });
    expect(new AnomalyCollector().result({}, true).valid).toBe('unknown');
    expect(new AnomalyCollector().result({}).valid).toBe(true);
  });
});
