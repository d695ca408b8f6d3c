import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RaftAssertionError } from './assert.ts';
import { Inflights } from './inflights.ts';

describe('Inflights', () => {
  it('Inflights is full at capacity and frees acknowledged messages', () => {
    const w = new Inflights(3, 0);
    w.add(1, 10);
    w.add(3, 10);
    expect(w.full()).toBe(false);
    w.add(5, 10);
    expect(w.full()).toBe(true);
    expect(() => w.add(6, 1)).toThrow(RaftAssertionError);
    w.freeLE(3);
    expect(w.count).toBe(1);
    expect(w.bytes).toBe(10);
    expect(w.full()).toBe(false);
    w.freeLE(100);
    expect(w.count).toBe(0);
  });

  it('Inflights is full by bytes, but one message may exceed the budget', () => {
    const w = new Inflights(10, 100);
    w.add(1, 250);
    expect(w.full()).toBe(true);
    w.freeFirstOne();
    expect(w.full()).toBe(false);
    w.add(2, 60);
    expect(w.full()).toBe(false);
    w.add(3, 40);
    expect(w.full()).toBe(true);
  });

  it('Inflights rejects indexes that do not grow', () => {
    const w = new Inflights(4, 0);
    w.add(5, 1);
    expect(() => w.add(5, 1)).toThrow(RaftAssertionError);
  });

  it('Inflights matches a simple queue model across wrap-arounds (property)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('add' as const), step: fc.integer({ min: 1, max: 5 }), bytes: fc.nat(50) }),
      fc.record({ kind: fc.constant('free' as const), back: fc.nat(8) }),
      fc.record({ kind: fc.constant('first' as const) }),
      fc.record({ kind: fc.constant('reset' as const) }),
    );
    fc.assert(fc.property(fc.integer({ min: 1, max: 7 }), fc.nat(200), fc.array(op, { maxLength: 80 }), (capacity, bytesMax, ops) => {
      const w = new Inflights(capacity, bytesMax);
      let model: Array<{ index: number; bytes: number }> = [];
      let last = 0;
      const modelBytes = () => model.reduce((s, m) => s + m.bytes, 0);
      const modelFull = () => model.length === capacity || (bytesMax > 0 && modelBytes() >= bytesMax);
      for (const o of ops) {
        if (o.kind === 'add') {
          if (modelFull()) continue;
          last += o.step;
          w.add(last, o.bytes);
          model.push({ index: last, bytes: o.bytes });
        } else if (o.kind === 'free') {
          const to = last - o.back;
          w.freeLE(to);
          model = model.filter((m) => m.index > to);
        } else if (o.kind === 'first') {
          w.freeFirstOne();
          model = model.slice(1);
        } else {
          w.reset();
          model = [];
        }
        expect(w.count).toBe(model.length);
        expect(w.bytes).toBe(modelBytes());
        expect(w.full()).toBe(modelFull());
      }
    }));
  });
});
