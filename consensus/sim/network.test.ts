import { describe, expect, it } from 'vitest';
import type { Message } from '../index.ts';
import { SimNetwork } from './network.ts';
import { SeededRng } from './rng.ts';

function msg(from: number, to: number, index: number): Message {
  return { type: 'app', from, to, term: 1, index, logTerm: 1, entries: [], commit: 0, reject: false, rejectHint: 0 };
}

describe('SimNetwork', () => {
  it('delivers in send order with no faults', () => {
    const net = new SimNetwork(new SeededRng(1));
    for (let i = 0; i < 5; i++) net.send(msg(1, 2, i), 0);
    expect(net.takeDue(0).map((m) => m.index)).toEqual([0, 1, 2, 3, 4]);
    expect(net.inFlight).toBe(0);
    expect(net.stats).toMatchObject({ sent: 5, delivered: 5, dropped: 0 });
  });

  it('drops everything at drop rate 1 and reports it', () => {
    const net = new SimNetwork(new SeededRng(1));
    net.faults = { dropRate: 1, duplicateRate: 0, maxDelaySteps: 0, reorder: false };
    net.send(msg(1, 2, 1), 0);
    expect(net.takeDue(10)).toEqual([]);
    expect(net.takeUndelivered().map((u) => u.reason)).toEqual(['dropped']);
    expect(net.takeUndelivered()).toEqual([]);
  });

  it('cuts one direction only, and heals', () => {
    const net = new SimNetwork(new SeededRng(1));
    net.cut(1, 2);
    net.send(msg(1, 2, 1), 0);
    net.send(msg(2, 1, 2), 0);
    expect(net.takeDue(0).map((m) => m.index)).toEqual([2]);
    expect(net.takeUndelivered()[0]?.reason).toBe('cut');
    net.heal();
    net.send(msg(1, 2, 3), 0);
    expect(net.takeDue(0).map((m) => m.index)).toEqual([3]);
  });

  it('loses a message whose link is cut while it is in flight', () => {
    const net = new SimNetwork(new SeededRng(1));
    net.faults = { dropRate: 0, duplicateRate: 0, maxDelaySteps: 0, reorder: false };
    net.send(msg(1, 2, 1), 5);
    net.split([1], [2, 3]);
    expect(net.cutLinks).toBe(4);
    expect(net.takeDue(5)).toEqual([]);
    expect(net.stats.dropped).toBe(1);
  });

  it('delays within the bound, duplicates and reorders deterministically', () => {
    const run = (): number[] => {
      const net = new SimNetwork(new SeededRng(9));
      net.faults = { dropRate: 0, duplicateRate: 0.5, maxDelaySteps: 3, reorder: true };
      for (let i = 0; i < 40; i++) net.send(msg(1, 2, i), 0);
      const out: number[] = [];
      for (let t = 0; t <= 3; t++) out.push(...net.takeDue(t).map((m) => m.index));
      expect(net.inFlight).toBe(0);
      return out;
    };
    const a = run();
    expect(a.length).toBeGreaterThan(40);
    expect(new Set(a).size).toBe(40);
    expect(a).not.toEqual([...a].sort((x, y) => x - y));
    expect(run()).toEqual(a);
  });
});
