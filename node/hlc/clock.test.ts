import { describe, expect, it } from 'vitest';
import { ManualClock, OffsetClock, SystemClock } from './clock.ts';

const start = 1_700_000_000_000_000;

describe('SystemClock', () => {
  it('reads integer microseconds close to Date.now() and never steps back', () => {
    const clock = new SystemClock();
    const before = Date.now() * 1000;
    const a = clock.nowMicros();
    const c = clock.nowMicros();
    expect(Number.isSafeInteger(a)).toBe(true);
    // timeOrigin is the wall clock at process start; allow generous drift since then.
    expect(Math.abs(a - before)).toBeLessThan(5_000_000);
    expect(c).toBeGreaterThanOrEqual(a);
  });
});

describe('ManualClock', () => {
  it('moves only when told to, backwards too', () => {
    const clock = new ManualClock(start);
    expect(clock.nowMicros()).toBe(start);
    clock.advance(10);
    expect(clock.nowMicros()).toBe(start + 10);
    clock.advance(-20);
    expect(clock.nowMicros()).toBe(start - 10);
    clock.set(5);
    expect(clock.nowMicros()).toBe(5);
  });

  it('rejects readings that are not non-negative integers', () => {
    const clock = new ManualClock(start);
    expect(() => clock.set(-1)).toThrow(RangeError);
    expect(() => clock.set(1.5)).toThrow(RangeError);
    expect(() => clock.advance(-start - 1)).toThrow(RangeError);
    expect(() => new ManualClock(Number.NaN)).toThrow(RangeError);
    expect(clock.nowMicros()).toBe(start);
  });
});

describe('OffsetClock', () => {
  it('skews its base clock by an adjustable offset', () => {
    const base = new ManualClock(start);
    const skewed = new OffsetClock(base, 250);
    expect(skewed.nowMicros()).toBe(start + 250);
    skewed.offsetMicros = -1000;
    expect(skewed.offsetMicros).toBe(-1000);
    expect(skewed.nowMicros()).toBe(start - 1000);
    base.advance(7);
    expect(skewed.nowMicros()).toBe(start - 993);
  });

  it('keeps readings integral and non-negative', () => {
    const base = new ManualClock(100);
    const skewed = new OffsetClock(base);
    skewed.offsetMicros = 2.6 * 1000 + 0.4;
    expect(skewed.nowMicros()).toBe(2700);
    skewed.offsetMicros = -1_000_000;
    expect(skewed.nowMicros()).toBe(0);
    expect(() => {
      skewed.offsetMicros = Number.NaN;
    }).toThrow(RangeError);
  });
});
