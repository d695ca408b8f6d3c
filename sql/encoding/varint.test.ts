import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { int64 } from './arbitraries.test-helper.ts';
import { EncodingError } from './errors.ts';
import { ByteReader } from './reader.ts';
import {
  readOrderedInt, readOrderedNumber, readUvarint, readZigzag, skipOrderedInt, skipUvarint, uvarintBytes,
  writeOrderedInt, writeUvarint, writeZigzag,
} from './varint.ts';
import { ByteWriter } from './writer.ts';

function ordered(v: bigint | number): Buffer {
  const w = new ByteWriter(4);
  writeOrderedInt(w, v);
  return w.finish();
}

describe('writeOrderedInt', () => {
  it('orders bytes like the integers and round trips', () => {
    fc.assert(fc.property(int64, int64, (a, b) => {
      const ea = ordered(a);
      const eb = ordered(b);
      const want = BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;
      expect(Math.sign(Buffer.compare(ea, eb))).toBe(want);
      const r = new ByteReader(ea);
      expect(readOrderedInt(r)).toBe(BigInt(a));
      expect(r.pos).toBe(ea.length);
      const s = new ByteReader(ea);
      skipOrderedInt(s);
      expect(s.pos).toBe(ea.length);
    }), { numRuns: 2000 });
  });

  it('encodes a number and its bigint alike', () => {
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
      expect(ordered(n).equals(ordered(BigInt(n)))).toBe(true);
    }));
  });

  it('takes one byte for 0..109 and grows with magnitude', () => {
    expect(ordered(0).length).toBe(1);
    expect(ordered(109).length).toBe(1);
    expect(ordered(110).length).toBe(2);
    expect(ordered(-1).length).toBe(2);
    expect(ordered(-256).length).toBe(2);
    expect(ordered(-257).length).toBe(3);
    expect(ordered(2n ** 63n - 1n).length).toBe(9);
    expect(ordered(-(2n ** 63n)).length).toBe(9);
  });

  it('refuses integers outside int64 and unsafe numbers', () => {
    const w = new ByteWriter();
    expect(() => writeOrderedInt(w, 2n ** 63n)).toThrow(EncodingError);
    expect(() => writeOrderedInt(w, -(2n ** 63n) - 1n)).toThrow(EncodingError);
    expect(() => writeOrderedInt(w, 2 ** 60)).toThrow(EncodingError);
    expect(() => writeOrderedInt(w, 1.5)).toThrow(EncodingError);
  });

  it('rejects non-minimal and out-of-range forms', () => {
    const bad = [
      [0xf6, 0x05], // 5 belongs in one byte
      [0xf7, 0x00, 0xff], // leading zero byte
      [0x86, 0xff, 0xff], // -1 belongs in one payload byte
      [0xfd, 0x80, 0, 0, 0, 0, 0, 0, 0], // 2^63
      [0x80, 0x7f, 0, 0, 0, 0, 0, 0, 0], // below -2^63
      [0x7f], // not a header
      [0xfe],
      [0xf8, 0x01], // truncated
    ];
    for (const bytes of bad) expect(() => readOrderedInt(new ByteReader(Buffer.from(bytes)))).toThrow(EncodingError);
  });

  it('readOrderedNumber enforces its range', () => {
    expect(readOrderedNumber(new ByteReader(ordered(7)), 0, 10, 'x')).toBe(7);
    expect(() => readOrderedNumber(new ByteReader(ordered(11)), 0, 10, 'x')).toThrow(EncodingError);
    expect(() => readOrderedNumber(new ByteReader(ordered(2n ** 60n)), 0, 2 ** 53, 'x')).toThrow(EncodingError);
  });
});

describe('writeZigzag', () => {
  it('round trips int64 and keeps small magnitudes short', () => {
    fc.assert(fc.property(int64, (v) => {
      const w = new ByteWriter(4);
      writeZigzag(w, v);
      const r = new ByteReader(w.view());
      expect(readZigzag(r)).toBe(BigInt(v));
      expect(r.pos).toBe(w.length);
      const s = new ByteReader(w.view());
      skipUvarint(s);
      expect(s.pos).toBe(w.length);
    }), { numRuns: 2000 });
    const w = new ByteWriter();
    writeZigzag(w, -64);
    expect(w.length).toBe(1);
  });

  it('rejects varints that are too long or not minimal', () => {
    expect(() => readZigzag(new ByteReader(Buffer.from([0x80, 0x00])))).toThrow(EncodingError);
    expect(() => readZigzag(new ByteReader(Buffer.alloc(11, 0xff)))).toThrow(EncodingError);
    expect(() => readZigzag(new ByteReader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])))).toThrow(EncodingError);
    expect(() => readZigzag(new ByteReader(Buffer.from([0x80])))).toThrow(EncodingError);
  });
});

describe('writeUvarint', () => {
  it('round trips safe integers and predicts its size', () => {
    fc.assert(fc.property(fc.maxSafeInteger().map(Math.abs), (v) => {
      const w = new ByteWriter(2);
      writeUvarint(w, v);
      expect(w.length).toBe(uvarintBytes(v));
      expect(readUvarint(new ByteReader(w.view()), Number.MAX_SAFE_INTEGER, 'v')).toBe(v);
    }));
    const w = new ByteWriter();
    writeUvarint(w, 1000);
    expect(() => readUvarint(new ByteReader(w.view()), 999, 'v')).toThrow(EncodingError);
  });
});
