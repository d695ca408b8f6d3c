import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ByteWriter, compareBytes, compareDatums, decodeDatumValue, decodeKey, decodeRowColumns, decodeRowValue,
  encodeDatumValue, encodeKeyBytes, encodeRowValue, EncodingError, formatDecimal, parseDecimal, type Datum,
  type DatumKind, type Direction,
} from './index.ts';

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const smallish = fc.oneof(fc.bigInt({ min: -300n, max: 300n }), int64);
const decimal = fc.oneof(
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('finite' as const), coefficient: fc.oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }), fc.bigInt({ min: -1000n, max: 1000n })), scale: fc.integer({ min: -10, max: 20 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'nan' as const }) },
  { weight: 1, arbitrary: fc.boolean().map((negative) => ({ kind: 'infinity' as const, negative })) },
);
const instant = fc.oneof({ weight: 8, arbitrary: int64 }, { weight: 1, arbitrary: fc.constantFrom('infinity' as const, '-infinity' as const) });

const arbitraries: Record<Exclude<DatumKind, 'json' | 'array' | 'null'>, fc.Arbitrary<Datum>> = {
  bool: fc.boolean().map((value) => ({ kind: 'bool', value })),
  int: smallish.map((value) => ({ kind: 'int', value })),
  float: fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e-310)).map((value) => ({ kind: 'float', value })),
  decimal: decimal.map((value) => ({ kind: 'decimal', value })),
  string: fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', '\u00ff', 'é') })).map((value) => ({ kind: 'string', value })),
  bytes: fc.uint8Array({ maxLength: 12 }).map((value) => ({ kind: 'bytes', value: Buffer.from(value) })),
  timestamp: instant.map((value) => ({ kind: 'timestamp', value })),
  timestamptz: instant.map((value) => ({ kind: 'timestamptz', value })),
  date: fc.oneof(fc.integer({ min: -2_000_000_000, max: 2_000_000_000 }), fc.constantFrom('infinity' as const, '-infinity' as const)).map((value) => ({ kind: 'date', value })),
  time: fc.bigInt({ min: 0n, max: 86_400_000_000n }).map((value) => ({ kind: 'time', value })),
  interval: fc.record({ months: fc.integer({ min: -1_000_000, max: 1_000_000 }), days: fc.integer({ min: -1_000_000, max: 1_000_000 }), micros: int64.map((v) => v / 1000n) }).map((value) => ({ kind: 'interval', value })),
  uuid: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((value) => ({ kind: 'uuid', value: Buffer.from(value) })),
};
const nullable = (a: fc.Arbitrary<Datum>) => fc.oneof({ weight: 9, arbitrary: a }, { weight: 1, arbitrary: fc.constant<Datum>({ kind: 'null' }) });
const direction = fc.constantFrom<Direction>('asc', 'desc');

describe('key encoding', () => {
  for (const [kind, arb] of Object.entries(arbitraries)) {
    it(`orders ${kind} like compareDatums in both directions and round trips`, () => {
      fc.assert(fc.property(nullable(arb), nullable(arb), direction, (a, b, dir) => {
        const ea = encodeKeyBytes([a], [dir]);
        const eb = encodeKeyBytes([b], [dir]);
        const want = Math.sign(compareDatums(a, b)) * (dir === 'desc' ? -1 : 1);
        expect(Math.sign(compareBytes(ea, eb))).toBe(want === 0 ? 0 : want);
        const decoded = decodeKey(ea, 0, [dir]);
        expect(decoded.offset).toBe(ea.length);
        expect(compareDatums(decoded.datums[0]!, a)).toBe(0);
        if (kind !== 'decimal' && kind !== 'float') expect(decoded.datums[0]).toEqual(a);
      }), { numRuns: 300 });
    });
  }

  it('sorts NULL last ascending and first descending, as PostgreSQL defaults do', () => {
    const one: Datum = { kind: 'int', value: 1n };
    const nul: Datum = { kind: 'null' };
    expect(compareBytes(encodeKeyBytes([one]), encodeKeyBytes([nul]))).toBeLessThan(0);
    expect(compareBytes(encodeKeyBytes([nul], ['desc']), encodeKeyBytes([one], ['desc']))).toBeLessThan(0);
  });

  it('puts string prefixes first and NaN above infinity', () => {
    const s = (value: string) => encodeKeyBytes([{ kind: 'string', value }]);
    expect(compareBytes(s('a'), s('a\u0000'))).toBeLessThan(0);
    expect(compareBytes(s('a\u0000'), s('ab'))).toBeLessThan(0);
    const f = (value: number) => encodeKeyBytes([{ kind: 'float', value }]);
    expect(compareBytes(f(Infinity), f(NaN))).toBeLessThan(0);
    expect(f(-0)).toEqual(f(0));
    const d = (text: string) => encodeKeyBytes([{ kind: 'decimal', value: parseDecimal(text) }]);
    expect(d('1.10')).toEqual(d('1.1'));
    expect(compareBytes(d('Infinity'), d('NaN'))).toBeLessThan(0);
    expect(compareBytes(d('-0.123'), d('-0.12'))).toBeLessThan(0);
  });

  it('orders composite keys column by column with mixed directions', () => {
    const column = fc.oneof(arbitraries.int, arbitraries.string);
    fc.assert(fc.property(fc.tuple(nullable(arbitraries.int), nullable(arbitraries.string), nullable(arbitraries.decimal)),
      fc.tuple(nullable(arbitraries.int), nullable(arbitraries.string), nullable(arbitraries.decimal)),
      fc.tuple(direction, direction, direction), (a, b, dirs) => {
        let want = 0;
        for (let i = 0; i < 3 && want === 0; i++) want = Math.sign(compareDatums(a[i]!, b[i]!)) * (dirs[i] === 'desc' ? -1 : 1);
        const ea = encodeKeyBytes(a, dirs);
        const eb = encodeKeyBytes(b, dirs);
        expect(Math.sign(compareBytes(ea, eb))).toBe(want === 0 ? 0 : want);
        const decoded = decodeKey(ea, 0, dirs).datums;
        decoded.forEach((d, i) => expect(compareDatums(d, a[i]!)).toBe(0));
      }), { numRuns: 500 });
    void column;
  });

  it('refuses json and arrays as key columns', () => {
    expect(() => encodeKeyBytes([{ kind: 'json', value: '{}' }])).toThrow(EncodingError);
  });

  it('never throws anything but EncodingError on corrupt keys', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 30 }), fc.array(direction, { minLength: 1, maxLength: 3 }), (bytes, dirs) => {
      try {
        decodeKey(bytes, 0, dirs);
      } catch (error) {
        expect(error).toBeInstanceOf(EncodingError);
      }
    }), { numRuns: 2000 });
  });

  it('encodes small integers compactly', () => {
    expect(encodeKeyBytes([{ kind: 'int', value: 0n }])).toHaveLength(2);
    expect(encodeKeyBytes([{ kind: 'int', value: 200n }])).toHaveLength(3);
    expect(encodeKeyBytes([{ kind: 'int', value: -1n }])).toHaveLength(3);
  });
});

describe('value encoding', () => {
  const anyValue: fc.Arbitrary<Datum> = fc.oneof(
    ...Object.values(arbitraries),
    fc.string().map((value): Datum => ({ kind: 'json', value })),
    fc.array(nullable(arbitraries.int), { maxLength: 5 }).map((values): Datum => ({ kind: 'array', values })),
  );

  it('round trips rows and skips what a reader does not want', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 1, max: 5 }), nullable(anyValue)), { maxLength: 8 }), (cells) => {
      let id = 0;
      const columns = cells.map(([gap, datum]) => ({ columnId: (id += gap), datum }));
      const w = new ByteWriter(8);
      encodeRowValue(w, columns);
      const decoded = decodeRowValue(w.finish());
      const present = columns.filter((c) => c.datum.kind !== 'null');
      expect(decoded.map((c) => c.columnId)).toEqual(present.map((c) => c.columnId));
      decoded.forEach((c, i) => expect(compareDatums(c.datum, present[i]!.datum)).toBe(0));
      if (columns.length > 0) {
        const wanted = [columns[columns.length - 1]!.columnId, 999];
        const picked = decodeRowColumns(w.finish(), wanted);
        expect(compareDatums(picked[0]!, columns[columns.length - 1]!.datum)).toBe(0);
        expect(picked[1]).toEqual({ kind: 'null' });
      }
    }), { numRuns: 500 });
  });

  it('keeps decimal scale in values', () => {
    const w = new ByteWriter();
    encodeDatumValue(w, { kind: 'decimal', value: parseDecimal('1.10') });
    const { datum } = decodeDatumValue(w.finish());
    expect(datum.kind === 'decimal' && formatDecimal(datum.value)).toBe('1.10');
  });

  it('rejects out-of-order columns and never throws anything but EncodingError on corrupt bytes', () => {
    expect(() => encodeRowValue(new ByteWriter(), [{ columnId: 2, datum: { kind: 'int', value: 1n } }, { columnId: 1, datum: { kind: 'int', value: 1n } }])).toThrow(EncodingError);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      try {
        decodeRowValue(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(EncodingError);
      }
    }), { numRuns: 3000 });
  });
});

describe('decimals', () => {
  it('parse and format as PostgreSQL prints numeric', () => {
    for (const [text, printed] of [['1.10', '1.10'], ['-0.005', '-0.005'], ['1e3', '1000'], ['12.5e-3', '0.0125'], ['NaN', 'NaN'], ['-Infinity', '-Infinity'], ['007', '7']]) {
      expect(formatDecimal(parseDecimal(text!))).toBe(printed);
    }
    expect(() => parseDecimal('1.2.3')).toThrow(EncodingError);
    expect(() => parseDecimal('')).toThrow(EncodingError);
  });
});
