import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compareTimestamps, formatTimestamp, maxTimestamp, nextTimestamp, prevTimestamp, readTimestamp,
  timestamp, timestampEncodedBytes, writeTimestamp, type Timestamp,
} from './timestamp.ts';

const arbTimestamp: fc.Arbitrary<Timestamp> = fc
  .tuple(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 0, max: 0xffff_ffff }))
  .map(([w, l]) => timestamp(w, l));

function encode(t: Timestamp): Buffer {
  const b = Buffer.alloc(timestampEncodedBytes);
  writeTimestamp(t, b, 0);
  return b;
}

describe('timestamp encoding', () => {
  it('round trips', () => {
    fc.assert(fc.property(arbTimestamp, (t) => {
      expect(readTimestamp(encode(t), 0)).toEqual(t);
    }));
  });

  it('orders bytes as timestamps', () => {
    fc.assert(fc.property(arbTimestamp, arbTimestamp, (a, b) => {
      expect(Math.sign(Buffer.compare(encode(a), encode(b)))).toBe(Math.sign(compareTimestamps(a, b)));
    }));
  });

  it('rejects reads past the end', () => {
    expect(() => readTimestamp(new Uint8Array(11), 0)).toThrow(RangeError);
    expect(() => readTimestamp(new Uint8Array(12), 1)).toThrow(RangeError);
  });

  it('rejects a wall time beyond the safe range', () => {
    const b = Buffer.alloc(12, 0xff);
    expect(() => readTimestamp(b, 0)).toThrow(/overflows/);
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

  it('validates its parts', () => {
    expect(() => timestamp(-1)).toThrow(RangeError);
    expect(() => timestamp(1.5)).toThrow(RangeError);
    expect(() => timestamp(1, 2 ** 32)).toThrow(RangeError);
    expect(() => prevTimestamp({ wallMicros: 0, logical: 0 })).toThrow(RangeError);
    expect(compareTimestamps(maxTimestamp, timestamp(Number.MAX_SAFE_INTEGER - 1, 5))).toBe(1);
  });

  it('formats as seconds.micros,logical', () => {
    expect(formatTimestamp(timestamp(1_700_000_000_000_123, 4))).toBe('1700000000.000123,4');
  });
});
