/**
 * Properties: histories from real serial executions are always judged valid
 * (and the linearizability witness really is a legal order); a read of a
 * value nobody wrote is always flagged; and on tiny histories the checkers
 * agree with brute force (linearizability exactly; list-append soundly:
 * whatever it flags has no serial order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { HistoryEvent, HistoryValue } from '../history/event.ts';
import { pairOperations, type Operation } from '../history/operation.ts';
import { bruteLinearizable, bruteSerializable } from './brute.test-helper.ts';
import { layOut, planListAppend, planRegister, rng, type Planned } from './generate.test-helper.ts';
import { checkLinearizable, checkPartition } from './linearizable.ts';
import { checkListAppend } from './list-append.ts';
import { casRegisterModel, kvModel, registerModel, type RegisterModel } from './models.ts';
import { canonical } from './canonical.ts';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const runs = { numRuns: 120 };

/** Appends an operation by a fresh process to a history, keeping events in time order. */
function withExtra(events: readonly HistoryEvent[], f: string, input: HistoryValue, output: HistoryValue, at: readonly [number, number]): HistoryEvent[] {
  const process = 1 + Math.max(0, ...events.map((e) => (typeof e.process === 'number' ? e.process : 0)));
  const extra: Array<Omit<HistoryEvent, 'index'>> = [
    { type: 'invoke', process, f, value: input, time: at[0] },
    { type: 'ok', process, f, value: output, time: at[1] },
  ];
  return [...events, ...extra]
    .sort((a, b) => a.time - b.time || (a.type === 'invoke' ? 1 : 0) - (b.type === 'invoke' ? 1 : 0))
    .map((e, index) => ({ ...e, index }));
}

/** True when `order` is a legal sequential run of the register model that respects real time. */
function legalWitness(model: RegisterModel, ops: readonly Operation[], order: readonly number[]): boolean {
  let state = model.init();
  for (let i = 0; i < order.length; i++) {
    const op = ops[order[i]!]!;
    const next = model.step(state, model.prepare(op)!);
    if (next === undefined) return false;
    state = next;
    for (let j = i + 1; j < order.length; j++) if (ops[order[j]!]!.completeTime < op.invokeTime) return false;
  }
  return ops.every((o, i) => o.status !== 'ok' || order.includes(i));
}

describe('linearizability properties', () => {
  const cases: Array<[string, RegisterModel, boolean, number]> = [['register', registerModel, false, 0], ['cas-register', casRegisterModel, true, 0], ['kv', kvModel, true, 3]];
  for (const [name, model, cas, keys] of cases) {
    it(`checkLinearizable accepts every ${name} history from a serial execution`, () => {
      fc.assert(fc.property(seed, fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 12 }), (s, ops, width) => {
        const r = rng(s);
        const h = layOut(planRegister(r, { ops, cas, keys, infoRate: 0.1, failRate: 0.05 }), r, { spacing: 10, windowMax: width * 10 });
        const result = checkLinearizable(model, h);
        expect(result.anomalies).toEqual([]);
        expect(result.valid).toBe(true);
      }), runs);
    });
  }

  it('checkPartition returns a witness order that is legal and respects real time', () => {
    fc.assert(fc.property(seed, fc.integer({ min: 1, max: 60 }), (s, n) => {
      const r = rng(s);
      const ops = pairOperations(layOut(planRegister(r, { ops: n, cas: true, keys: 0, infoRate: 0.15, failRate: 0 }), r, { spacing: 10, windowMax: 80 }));
      const result = checkPartition(casRegisterModel, ops);
      if (result.outcome?.verdict !== 'linearizable') throw new Error(`expected linearizable, got ${result.outcome?.verdict}`);
      expect(legalWitness(casRegisterModel, result.ops, result.outcome.order)).toBe(true);
    }), runs);
  });

  it('checkLinearizable always flags a read of a value never written', () => {
    fc.assert(fc.property(seed, fc.integer({ min: 0, max: 60 }), fc.nat(), (s, ops, where) => {
      const r = rng(s);
      const h = layOut(planRegister(r, { ops, cas: true, keys: 0, infoRate: 0.2, failRate: 0.1 }), r, { spacing: 10, windowMax: 50 });
      const end = h.length > 0 ? h[h.length - 1]!.time : 0;
      const at = where % (end + 1);
      const bad = withExtra(h, 'read', null, 'never-written', [at, at + 5]);
      expect(checkLinearizable(casRegisterModel, bad).valid).toBe(false);
      expect(checkLinearizable(casRegisterModel, bad, { refute: false }).valid).toBe(false);
    }), runs);
  });

  it('checkLinearizable agrees with brute force on tiny random histories', () => {
    const op = fc.record({
      f: fc.constantFrom('read', 'write', 'cas'),
      a: fc.constantFrom(null, 1, 2),
      b: fc.constantFrom(1, 2, 3),
      status: fc.constantFrom<Planned['status']>('ok', 'ok', 'ok', 'info', 'fail'),
      start: fc.integer({ min: 0, max: 30 }),
      length: fc.integer({ min: 1, max: 15 }),
    });
    fc.assert(fc.property(fc.array(op, { minLength: 1, maxLength: 6 }), (specs) => {
      const events: Array<Omit<HistoryEvent, 'index'>> = [];
      specs.forEach((o, process) => {
        const input: HistoryValue = o.f === 'read' ? null : o.f === 'write' ? o.b : [o.a, o.b];
        const output: HistoryValue = o.f === 'read' ? o.a : input;
        events.push({ type: 'invoke', process, f: o.f, value: input, time: o.start });
        events.push({ type: o.status, process, f: o.f, value: o.status === 'ok' ? output : input, time: o.start + o.length });
      });
      events.sort((x, y) => x.time - y.time || (x.type === 'invoke' ? 1 : 0) - (y.type === 'invoke' ? 1 : 0));
      const h = events.map((e, index) => ({ ...e, index }));
      const expected = bruteLinearizable(pairOperations(h));
      expect(checkLinearizable(casRegisterModel, h).valid).toBe(expected);
      expect(checkLinearizable(casRegisterModel, h, { refute: false }).valid).toBe(expected);
    }), { numRuns: 1000 });
  });
});

/** Perturbs some ok reads of a list-append plan: drops, truncates or reorders what they saw. */
function perturb(plan: readonly Planned[], s: number): Planned[] {
  const r = rng(s);
  return plan.map((p) => {
    if (p.status !== 'ok' || r() < 0.4) return p;
    const output = (p.output as HistoryValue[]).map((m) => {
      const [f, k, v] = m as [string, HistoryValue, HistoryValue];
      if (f !== 'r' || !Array.isArray(v) || r() < 0.5) return m;
      const list = [...(v as HistoryValue[])];
      const roll = r();
      if (roll < 0.4) list.pop();
      else if (roll < 0.7) list.reverse();
      else list.splice(0, 1);
      return ['r', k, list];
    });
    return { ...p, output };
  });
}

describe('list-append properties', () => {
  it('checkListAppend accepts every history from a serial execution, even with realtime and process order', () => {
    fc.assert(fc.property(seed, fc.integer({ min: 1, max: 80 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 10 }), (s, txns, keys, width) => {
      const r = rng(s);
      const h = layOut(planListAppend(r, { txns, keys, microOpsMax: 4, infoRate: 0.1, failRate: 0.1 }), r, { spacing: 10, windowMax: width * 10 });
      const result = checkListAppend(h, { realtime: true, process: true });
      expect(result.anomalies).toEqual([]);
      expect(result.valid).toBe(true);
    }), runs);
  });

  it('checkListAppend always flags a read of an element never appended', () => {
    fc.assert(fc.property(seed, fc.integer({ min: 0, max: 40 }), (s, txns) => {
      const r = rng(s);
      const h = layOut(planListAppend(r, { txns, keys: 3, microOpsMax: 4, infoRate: 0.1, failRate: 0.1 }), r, { spacing: 10, windowMax: 40 });
      const end = h.length > 0 ? h[h.length - 1]!.time : 0;
      const micro: HistoryValue = [['r', 'k0', ['never-appended']]];
      const result = checkListAppend(withExtra(h, 'txn', micro, micro, [end + 1, end + 2]));
      expect(result.valid).toBe(false);
      expect(result.anomalies.map((a) => a.kind)).toContain('garbage-read');
    }), runs);
  });

  it('checkListAppend flags only histories that have no serial order, and nearly all that have none (tiny perturbed histories)', () => {
    const numRuns = 500;
    let flagged = 0;
    let missed = 0;
    fc.assert(fc.property(seed, seed, fc.integer({ min: 2, max: 6 }), fc.boolean(), (s, t, txns, realtime) => {
      const r = rng(s);
      const plan = perturb(planListAppend(r, { txns, keys: 2, microOpsMax: 3, infoRate: 0.2, failRate: 0.15 }), t);
      const h = layOut(plan, r, { spacing: 10, windowMax: 30 });
      const result = checkListAppend(h, { realtime });
      const serializable = bruteSerializable(pairOperations(h), realtime);
      if (result.valid === false) {
        flagged++;
        expect(serializable, JSON.stringify(result.anomalies.map((a) => a.description))).toBe(false);
      } else if (!serializable) missed++;
    }), { numRuns });
    expect(flagged).toBeGreaterThan(numRuns / 20);
    // Inference from observations cannot be complete in general, but on histories this small it should rarely miss.
    expect(missed).toBeLessThanOrEqual(numRuns / 50);
  });
});

describe('canonical', () => {
  it('canonical ignores object key order and nothing else', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => {
      const value = v as HistoryValue;
      expect(JSON.parse(canonical(value))).toEqual(JSON.parse(JSON.stringify(value)));
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const reversed = Object.fromEntries(Object.entries(value).reverse()) as HistoryValue;
        expect(canonical(reversed)).toBe(canonical(value));
      }
    }), { numRuns: 200 });
  });
});
