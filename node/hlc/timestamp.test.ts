import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert.ts';
import {
  addMicros, compareTimestamps, formatTimestamp, maxOf, maxTimestamp, nextTimestamp, prevTimestamp, readTimestamp,
  timestamp, timestampEncodedBytes, timestampEqual, timestampIsZero, timestampLess, writeTimestamp, zeroTimestamp,
  type Timestamp,
} from './timestamp.ts';

const wall = fc.oneof(fc.integer({ min: 0, max: 2 ** 32 + 5 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
const logical = fc.oneof(fc.nat(3), fc.integer({ min: 0, max: 0xffff_ffff }));
const arbTimestamp: fc.Arbitrary<Timestamp> = fc.tuple(wall, logical).map(([w, l]) => timestamp(w, l));

function encode(t: Timestamp): Buffer {
  const b = Buffer.alloc(timestampEncodedBytes);
  writeTimestamp(t, b, 0);
  return b;
}

describe('compareTimestamps', () => {
  it('orders by wall time, then logical', () => {
    expect(compareTimestamps(timestamp(1, 9), timestamp(2, 0))).toBe(-1);
    expect(compareTimestamps(timestamp(2, 1), timestamp(2, 0))).toBe(1);
    expect(compareTimestamps(timestamp(2, 1), timestamp(2, 1))).toBe(0);
  });

  it('is a total order that the helpers agree with', () => {
    fc.assert(fc.property(arbTimestamp, arbTimestamp, arbTimestamp, (a, b, c) => {
      const ab = compareTimestamps(a, b);
      expect(compareTimestamps(b, a)).toBe(-ab);
      expect(timestampLess(a, b)).toBe(ab < 0);
      expect(timestampEqual(a, b)).toBe(ab === 0);
      expect(maxOf(a, b)).toEqual(ab >= 0 ? a : b);
      if (ab <= 0 && compareTimestamps(b, c) <= 0) expect(compareTimestamps(a, c)).toBeLessThanOrEqual(0);
    }));
  });

  it('places zero and max at the ends', () => {
    fc.assert(fc.property(arbTimestamp, (t) => {
      expect(compareTimestamps(zeroTimestamp, t)).toBeLessThanOrEqual(0);
      expect(compareTimestamps(t, maxTimestamp)).toBeLessThanOrEqual(0);
      expect(timestampIsZero(t)).toBe(timestampEqual(t, zeroTimestamp));
    }));
    expect(timestampIsZero(zeroTimestamp)).toBe(true);
    expect(timestampIsZero(timestamp(0, 1))).toBe(false);
  });
});

describe('timestamp encoding', () => {
  it('round trips', () => {
    fc.assert(fc.property(arbTimestamp, (t) => {
      expect(readTimestamp(encode(t), 0)).toEqual(t);
    }));
    expect(readTimestamp(encode(maxTimestamp), 0)).toEqual(maxTimestamp);
  });

  it('orders bytes as timestamps', () => {
    fc.assert(fc.property(arbTimestamp, arbTimestamp, (a, b) => {
      expect(Math.sign(Buffer.compare(encode(a), encode(b)))).toBe(Math.sign(compareTimestamps(a, b)));
    }));
  });

  it('writes and reads at an offset inside a view of a larger buffer', () => {
    fc.assert(fc.property(arbTimestamp, fc.nat(8), fc.nat(8), (t, viewStart, offset) => {
      const backing = new Uint8Array(40).fill(0xaa);
      const view = backing.subarray(viewStart, viewStart + offset + timestampEncodedBytes + 3);
      writeTimestamp(t, view, offset);
      expect(readTimestamp(view, offset)).toEqual(t);
      expect(Buffer.from(view.subarray(offset, offset + timestampEncodedBytes))).toEqual(encode(t));
      // Bytes outside the 12 written stay untouched.
      expect(backing.subarray(0, viewStart + offset).every((x) => x === 0xaa)).toBe(true);
      expect(backing.subarray(viewStart + offset + timestampEncodedBytes).every((x) => x === 0xaa)).toBe(true);
    }));
  });

  it('writes wall time as 8 big-endian bytes then logical as 4', () => {
    expect([...encode(timestamp(0x0102_0304_0506, 0x0708_090a))])
      .toEqual([0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('rejects reads past the end', () => {
    expect(() => readTimestamp(new Uint8Array(11), 0)).toThrow(RangeError);
    expect(() => readTimestamp(new Uint8Array(12), 1)).toThrow(RangeError);
    expect(() => readTimestamp(new Uint8Array(12), -1)).toThrow(RangeError);
  });

  it('rejects a wall time beyond the safe range', () => {
    const b = Buffer.alloc(12, 0xff);
    expect(() => readTimestamp(b, 0)).toThrow(/overflows/);
  });

  it('asserts on invalid timestamps instead of writing a different one', () => {
    const b = Buffer.alloc(12);
    expect(() => writeTimestamp({ wallMicros: 1.5, logical: 0 }, b, 0)).toThrow(AssertionError);
    expect(() => writeTimestamp({ wallMicros: -1, logical: 0 }, b, 0)).toThrow(AssertionError);
    expect(() => writeTimestamp({ wallMicros: 1, logical: 2 ** 32 }, b, 0)).toThrow(AssertionError);
    expect(() => writeTimestamp(timestamp(1), b, 1)).toThrow(RangeError);
  });
});

describe('timestamp arithmetic', () => {
  it('next and prev are inverse and adjacent', () => {
    fc.assert(fc.property(arbTimestamp.filter((t) => t.wallMicros > 0 && t.wallMicros < Number.MAX_SAFE_INTEGER), (t) => {
      const n = nextTimestamp(t);
      expect(compareTimestamps(n, t)).toBe(1);
      expect(prevTimestamp(n)).toEqual(t);
      expect(nextTimestamp(prevTimestamp(t))).toEqual(t);
    }));
  });

  it('carries across the logical boundary', () => {
    expect(nextTimestamp(timestamp(5, 0xffff_ffff))).toEqual(timestamp(6, 0));
    expect(prevTimestamp(timestamp(6, 0))).toEqual(timestamp(5, 0xffff_ffff));
  });

  it('addMicros moves the wall time and resets logical', () => {
    expect(addMicros(timestamp(100, 7), 50)).toEqual(timestamp(150, 0));
    expect(addMicros(timestamp(100, 7), -100)).toEqual(timestamp(0, 0));
    expect(() => addMicros(timestamp(100), -101)).toThrow(RangeError);
  });

  it('validates its parts', () => {
    expect(() => timestamp(-1)).toThrow(RangeError);
    expect(() => timestamp(1.5)).toThrow(RangeError);
    expect(() => timestamp(2 ** 53)).toThrow(RangeError);
    expect(() => timestamp(1, 2 ** 32)).toThrow(RangeError);
    expect(() => timestamp(1, -1)).toThrow(RangeError);
    expect(() => prevTimestamp({ wallMicros: 0, logical: 0 })).toThrow(RangeError);
    expect(compareTimestamps(maxTimestamp, timestamp(Number.MAX_SAFE_INTEGER - 1, 5))).toBe(1);
  });

  it('formats as seconds.micros,logical', () => {
    expect(formatTimestamp(timestamp(1_700_000_000_000_123, 4))).toBe('1700000000.000123,4');
    expect(formatTimestamp(zeroTimestamp)).toBe('0.000000,0');
  });
});
