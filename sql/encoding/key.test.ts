import fc from 'fast-check';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { datumOf, keyCanonical, keyKinds, nullable, valueCanonical } from './arbitraries.test-helper.ts';
import { compareBytes, compareDatums } from './compare.ts';
import type { Datum } from './datum.ts';
import { parseDecimal } from './decimal.ts';
import { EncodingError } from './errors.ts';
import {
  decodeKey, encodeKey, encodeKeyBytes, encodeKeyDatum, encodeKeyNotNullBoundary, KeyReader, keyLosesInformation,
  type Direction,
} from './key.ts';
import { ByteWriter } from './writer.ts';

const direction = fc.constantFrom<Direction>('asc', 'desc');
const key = (d: Datum, dir: Direction = 'asc') => encodeKeyBytes([d], [dir]);
const str = (value: string): Datum => ({ kind: 'string', value });
const bytes = (...b: number[]): Datum => ({ kind: 'bytes', value: Buffer.from(b) });

describe('key encoding of each kind', () => {
  for (const kind of keyKinds) {
    it(`orders ${kind} like compareDatums in both directions, and round trips`, () => {
      const arb = nullable(datumOf(kind));
      fc.assert(fc.property(arb, arb, direction, (a, b, dir) => {
        const ea = key(a, dir);
        const eb = key(b, dir);
        const want = compareDatums(a, b) * (dir === 'desc' ? -1 : 1);
        expect(Math.sign(compareBytes(ea, eb))).toBe(want === 0 ? 0 : want);
        const { datums, end } = decodeKey(ea, 0, { directions: [dir], kinds: [kind] });
        expect(end).toBe(ea.length);
        expect(datums[0]).toEqual(keyCanonical(a));
        const skipper = new KeyReader(ea);
        skipper.skip(dir);
        expect(skipper.offset).toBe(ea.length);
        expect(skipper.done).toBe(true);
      }), { numRuns: 400 });
    });
  }
});

/** A composite key schema: a kind and a direction per column. */
const schema = fc.array(fc.tuple(fc.constantFrom(...keyKinds), direction), { minLength: 1, maxLength: 4 });

function lexicographic(a: readonly Datum[], b: readonly Datum[], dirs: readonly Direction[]): number {
  for (let i = 0; i < a.length; i++) {
    const c = compareDatums(a[i]!, b[i]!);
    if (c !== 0) return dirs[i] === 'desc' ? -c : c;
  }
  return 0;
}

describe('composite keys', () => {
  it('order column by column with mixed directions and decode back', () => {
    const rows = schema.chain((cols) => {
      const row = fc.tuple(...cols.map(([kind]) => nullable(datumOf(kind))));
      return fc.tuple(fc.constant(cols), row, row);
    });
    fc.assert(fc.property(rows, ([cols, a, b]) => {
      const dirs = cols.map(([, dir]) => dir);
      const kinds = cols.map(([kind]) => kind);
      const ea = encodeKeyBytes(a, dirs);
      const eb = encodeKeyBytes(b, dirs);
      expect(Math.sign(compareBytes(ea, eb))).toBe(lexicographic(a, b, dirs));
      const decoded = decodeKey(ea, 0, { directions: dirs, kinds });
      expect(decoded.end).toBe(ea.length);
      expect(decoded.datums).toEqual(a.map(keyCanonical));
    }), { numRuns: 1500 });
  });

  it('decode from an offset after a prefix and report where the columns end', () => {
    const w = new ByteWriter(2);
    w.bytes(Buffer.from([0xaa, 0xbb]));
    const end = encodeKey(w, [{ kind: 'int', value: 7n }, str('x')], ['asc', 'desc']);
    w.byte(0x42);
    const { datums, end: decodedEnd } = decodeKey(w.view(), 2, { directions: ['asc', 'desc'] });
    expect(datums).toEqual([{ kind: 'int', value: 7n }, str('x')]);
    expect(decodedEnd).toBe(end);
  });

  it('a writer is reusable: reset keeps its buffer and encodes the same bytes again', () => {
    const w = new ByteWriter(1);
    const row: Datum[] = [{ kind: 'int', value: 1n }, str('a'.repeat(1000))];
    encodeKey(w, row, ['asc', 'asc']);
    const first = w.finish();
    w.reset();
    encodeKey(w, row, ['asc', 'asc']);
    expect(w.view().equals(first)).toBe(true);
  });
});

describe('key encoding details', () => {
  it('sorts escaped prefixes: "a" < "a\\x00" < "a\\x00\\x00" < "a\\x01" < "ab"', () => {
    const ascending = [str(''), str('a'), str('a\u0000'), str('a\u0000\u0000'), str('a\u0001'), str('ab'), str('b')];
    for (const dir of ['asc', 'desc'] as const) {
      for (let i = 0; i + 1 < ascending.length; i++) {
        const c = compareBytes(key(ascending[i]!, dir), key(ascending[i + 1]!, dir));
        expect(c).toBe(dir === 'asc' ? -1 : 1);
      }
    }
    expect(compareBytes(key(bytes(0x61)), key(bytes(0x61, 0x00)))).toBe(-1);
    expect([...key(bytes(0x00, 0x61))]).toEqual([0x18, 0x00, 0xff, 0x61, 0x00, 0x01]);
  });

  it('a column never bleeds into the next: ("a", 2) < ("a\\x00", 1)', () => {
    const a = encodeKeyBytes([str('a'), { kind: 'int', value: 2n }], ['asc', 'asc']);
    const b = encodeKeyBytes([str('a\u0000'), { kind: 'int', value: 1n }], ['asc', 'asc']);
    expect(compareBytes(a, b)).toBe(-1);
  });

  it('puts NULL first ascending and last descending, with the not-null boundary between', () => {
    const nul: Datum = { kind: 'null' };
    const lowest: Datum = { kind: 'int', value: -(2n ** 63n) };
    expect([...key(nul)]).toEqual([0x00]);
    expect(compareBytes(key(nul), key(lowest))).toBe(-1);
    expect(compareBytes(key(nul, 'desc'), key(lowest, 'desc'))).toBe(1);
    const boundary = (dir: Direction) => {
      const w = new ByteWriter();
      encodeKeyNotNullBoundary(w, dir);
      return w.finish();
    };
    for (const kind of keyKinds) {
      fc.assert(fc.property(datumOf(kind), (d) => {
        expect(compareBytes(key(nul), boundary('asc'))).toBe(-1);
        expect(compareBytes(boundary('asc'), key(d))).toBe(-1);
        expect(compareBytes(key(d, 'desc'), boundary('desc'))).toBe(-1);
        expect(compareBytes(boundary('desc'), key(nul, 'desc'))).toBe(-1);
      }), { numRuns: 20 });
    }
  });

  it('encodes small ints in one byte', () => {
    expect(key({ kind: 'int', value: 0 }).length).toBe(1);
    expect(key({ kind: 'int', value: 109n }).length).toBe(1);
    expect(key({ kind: 'int', value: 1000n }).length).toBe(3);
  });

  it('encodes PostgreSQL-equal values alike: -0 = +0, 1.10 = 1.1, 1 mon = 30 days', () => {
    expect(key({ kind: 'float', value: -0 }).equals(key({ kind: 'float', value: 0 }))).toBe(true);
    const dec = (t: string): Datum => ({ kind: 'decimal', value: parseDecimal(t) });
    expect(key(dec('1.10')).equals(key(dec('1.1')))).toBe(true);
    expect(key(dec('-0.00')).equals(key(dec('0')))).toBe(true);
    expect(key(dec('100')).equals(key(dec('1e2')))).toBe(true);
    const iv = (months: number, days: number): Datum => ({ kind: 'interval', value: { months, days, micros: 0 } });
    expect(key(iv(1, 0)).equals(key(iv(0, 30)))).toBe(true);
  });

  it('keyLosesInformation flags exactly the datums whose key decodes to something else', () => {
    fc.assert(fc.property(fc.constantFrom(...keyKinds).chain((k) => datumOf(k)), (d) => {
      const decoded = decodeKey(key(d), 0, { directions: ['asc'] }).datums[0];
      expect(keyLosesInformation(d)).toBe(!isDeepStrictEqual(decoded, valueCanonical(d)));
    }), { numRuns: 3000 });
    expect(keyLosesInformation({ kind: 'float', value: -0 })).toBe(true);
    expect(keyLosesInformation({ kind: 'decimal', value: parseDecimal('1.10') })).toBe(true);
    expect(keyLosesInformation({ kind: 'interval', value: { months: 0, days: 30, micros: 0n } })).toBe(true);
    expect(keyLosesInformation({ kind: 'interval', value: { months: 1, days: 0, micros: 0n } })).toBe(false);
  });

  it('handles numeric at PostgreSQL\'s limits and refuses beyond them', () => {
    const dec = (coefficient: bigint, scale: number): Datum => ({ kind: 'decimal', value: { kind: 'finite', coefficient, scale } });
    const biggest = dec(10n ** 131_072n - 1n, 0); // 131072 nines
    const tiniest = dec(1n, 16_383);
    const widest = dec(-(10n ** BigInt(131_072 + 16_383) - 1n), 16_383);
    for (const d of [biggest, tiniest, widest]) {
      for (const dir of ['asc', 'desc'] as const) {
        const bytes = key(d, dir);
        expect(decodeKey(bytes, 0, { directions: [dir] }).datums[0]).toEqual(keyCanonical(d));
      }
    }
    expect(compareBytes(key(tiniest), key(dec(0n, 0)))).toBe(1);
    expect(compareBytes(key(widest), key(dec(-(10n ** 131_071n), 0)))).toBe(-1);
    expect(() => key(dec(10n ** 131_072n, 0))).toThrow(EncodingError);
    expect(() => key(dec(1n, 16_384))).toThrow(EncodingError);
  });

  it('refuses json and arrays as key columns and leaves the writer unchanged', () => {
    const w = new ByteWriter();
    w.byte(0x07);
    expect(() => encodeKeyDatum(w, { kind: 'json', value: '{}' }, 'asc')).toThrow(EncodingError);
    expect(() => encodeKeyDatum(w, { kind: 'uuid', value: Buffer.alloc(15) }, 'asc')).toThrow(EncodingError);
    expect(() => encodeKeyDatum(w, { kind: 'string', value: '\ud800' }, 'asc')).toThrow(EncodingError);
    expect(() => encodeKeyDatum(w, { kind: 'time', value: 86_400_000_001 }, 'asc')).toThrow(EncodingError);
    expect(w.length).toBe(1);
  });

  it('checks the expected kind of each column', () => {
    const bytesOfInt = key({ kind: 'int', value: 5n });
    expect(() => decodeKey(bytesOfInt, 0, { directions: ['asc'], kinds: ['string'] })).toThrow(EncodingError);
    const nul = key({ kind: 'null' });
    expect(decodeKey(nul, 0, { directions: ['asc'], kinds: ['string'] }).datums).toEqual([{ kind: 'null' }]);
  });
});

