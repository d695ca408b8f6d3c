import { describe, expect, it } from 'vitest';
import { SeededRng } from './rng.ts';

describe('SeededRng', () => {
  it('next keeps the sfc32 stream the interaction tests were recorded with', () => {
    const r = new SeededRng(1);
    expect([r.next(), r.next(), r.next()]).toEqual([2815966088, 4104533337, 4205701635]);
  });

  it('is a pure function of its seed', () => {
    const a = new SeededRng(99);
    const b = new SeededRng(99);
    const c = new SeededRng(100);
    const xs = Array.from({ length: 50 }, () => a.next());
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.next())).not.toEqual(xs);
  });

  it('intn stays in [0, n) and covers it', () => {
    const r = new SeededRng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = r.intn(10);
      expect(Number.isInteger(x) && x >= 0 && x < 10).toBe(true);
      seen.add(x);
    }
    expect(seen.size).toBe(10);
    expect(r.intn(0)).toBe(0);
    expect(r.between(3, 3)).toBe(3);
  });

  it('float and chance are roughly uniform', () => {
    const r = new SeededRng(3);
    let hits = 0;
    for (let i = 0; i < 10_000; i++) {
      const f = r.float();
      expect(f >= 0 && f < 1).toBe(true);
      if (r.chance(0.25)) hits++;
    }
    expect(hits).toBeGreaterThan(2200);
    expect(hits).toBeLessThan(2800);
    expect(r.chance(0)).toBe(false);
  });

  it('shuffle permutes in place, deterministically', () => {
    const a = new SeededRng(5).shuffle([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...a].sort()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(new SeededRng(5).shuffle([1, 2, 3, 4, 5, 6, 7, 8])).toEqual(a);
    expect(a).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('pick refuses an empty list', () => {
    expect(() => new SeededRng(1).pick([])).toThrow(RangeError);
    expect(new SeededRng(1).pick(['only'])).toBe('only');
  });

  it('fork gives an independent stream without disturbing the parent beyond one draw', () => {
    const parent = new SeededRng(11);
    const twin = new SeededRng(11);
    const child = parent.fork();
    twin.next();
    expect(parent.next()).toBe(twin.next());
    expect(child.next()).not.toBe(parent.next());
  });
});
