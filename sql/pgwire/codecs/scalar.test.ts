import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.ts';
import { float4Codec, float8Codec, formatFloat4, formatFloat8 } from './float.ts';
import { boolCodec, int2Codec, int4Codec, int8Codec, oidCodec } from './int.ts';
import { numericCodec, parseDecimal, formatDecimal, type Decimal } from './numeric.ts';
import { binaryOf, hex, textOf } from './test-helpers.test-helper.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e.code;
    throw e;
  }
  return undefined;
}

describe('bool codec', () => {
  it('boolCodec writes t/f and 1/0', () => {
    expect(textOf(boolCodec, true)).toBe('t');
    expect(textOf(boolCodec, false)).toBe('f');
    expect(hex(binaryOf(boolCodec, true))).toBe('01');
  });
  it('boolCodec parses PostgreSQL spellings', () => {
    for (const t of ['t', 'TRUE', ' yes ', 'on', '1', 'tr', 'y']) expect(boolCodec.parseText(t)).toBe(true);
    for (const f of ['f', 'false', 'no', 'off', '0', 'of', 'n']) expect(boolCodec.parseText(f)).toBe(false);
    for (const bad of ['o', 'maybe', '', '2']) expect(codeOf(() => boolCodec.parseText(bad))).toBe('22P02');
  });
});

describe('integer codecs', () => {
  it('int4Codec round-trips text and binary', () => {
    fc.assert(
      fc.property(fc.integer(), (n) => {
        expect(int4Codec.parseText(textOf(int4Codec, n))).toBe(n);
        expect(int4Codec.parseBinary(binaryOf(int4Codec, n))).toBe(n);
      }),
    );
  });
  it('int2Codec rejects out-of-range values with 22003', () => {
    expect(codeOf(() => int2Codec.parseText('32768'))).toBe('22003');
    expect(codeOf(() => binaryOf(int2Codec, 40000))).toBe('22003');
    expect(int2Codec.parseText(' -32768 ')).toBe(-32768);
    expect(codeOf(() => int2Codec.parseText('1.5'))).toBe('22P02');
  });
  it('int8Codec round-trips bigints and writes numbers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        expect(int8Codec.parseText(textOf(int8Codec, n))).toBe(n);
        expect(int8Codec.parseBinary(binaryOf(int8Codec, n))).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(int8Codec.parseBinary(binaryOf(int8Codec, n))).toBe(BigInt(n));
        expect(textOf(int8Codec, n)).toBe(String(n));
      }),
    );
    expect(codeOf(() => int8Codec.parseText('9223372036854775808'))).toBe('22003');
  });
  it('int4Codec binary is big-endian', () => {
    expect(hex(binaryOf(int4Codec, -2))).toBe('fffffffe');
    expect(codeOf(() => int4Codec.parseBinary(Buffer.from([1, 2])))).toBe('22P03');
  });
  it('oidCodec wraps negative input like oidin', () => {
    expect(oidCodec.parseText('-1')).toBe(4294967295);
    expect(hex(binaryOf(oidCodec, 4294967295))).toBe('ffffffff');
  });
  it('a string value is the text form', () => {
    expect(textOf(int4Codec, '42')).toBe('42');
    expect(hex(binaryOf(int4Codec, '42'))).toBe('0000002a');
    expect(codeOf(() => binaryOf(int4Codec, 'x'))).toBe('22P02');
  });
});

describe('float codecs', () => {
  it('formatFloat8 matches PostgreSQL output', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'], [1e15, '1e+15'], [1e14, '100000000000000'], [123456789012345678, '1.2345678901234568e+17'],
      [0.0001, '0.0001'], [0.00001, '1e-05'], [-1.5, '-1.5'], [NaN, 'NaN'], [Infinity, 'Infinity'],
      [-Infinity, '-Infinity'], [-0, '-0'], [0, '0'], [1.7976931348623157e308, '1.7976931348623157e+308'],
      [5e-324, '5e-324'], [100, '100'], [123.456, '123.456'], [1e100, '1e+100'],
    ];
    for (const [value, text] of cases) expect(formatFloat8(value)).toBe(text);
  });
  it('formatFloat4 matches PostgreSQL output', () => {
    const cases: [number, string][] = [
      [0.1, '0.1'], [1e6, '1e+06'], [123456, '123456'], [3.14159, '3.14159'], [1 / 3, '0.33333334'], [-0.5, '-0.5'],
    ];
    for (const [value, text] of cases) expect(formatFloat4(value)).toBe(text);
  });
  it('float8Codec round-trips every double through text', () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        expect(Object.is(float8Codec.parseText(textOf(float8Codec, n)), n)).toBe(true);
        expect(Object.is(float8Codec.parseBinary(binaryOf(float8Codec, n)), n)).toBe(true);
      }),
    );
  });
  it('float4Codec round-trips every float through text', () => {
    fc.assert(
      fc.property(fc.float(), (n) => {
        expect(Object.is(float4Codec.parseText(textOf(float4Codec, n)), n)).toBe(true);
        expect(Object.is(float4Codec.parseBinary(binaryOf(float4Codec, n)), n)).toBe(true);
      }),
    );
  });
  it('float parsing rejects garbage and overflow', () => {
    expect(codeOf(() => float8Codec.parseText('1e400'))).toBe('22003');
    expect(codeOf(() => float8Codec.parseText('1e-400'))).toBe('22003');
    expect(codeOf(() => float4Codec.parseText('1e39'))).toBe('22003');
    expect(codeOf(() => float8Codec.parseText('abc'))).toBe('22P02');
    expect(float8Codec.parseText(' -inf ')).toBe(-Infinity);
    expect(float8Codec.parseText('0.0')).toBe(0);
  });
});

describe('numeric codec', () => {
  const finite = (coefficient: bigint, scale: number): Decimal => ({ kind: 'finite', coefficient, scale });

  it('formatDecimal keeps the display scale', () => {
    expect(formatDecimal(finite(110n, 2))).toBe('1.10');
    expect(formatDecimal(finite(-5n, 3))).toBe('-0.005');
    expect(formatDecimal(finite(0n, 2))).toBe('0.00');
    expect(formatDecimal(12n)).toBe('12');
    expect(formatDecimal({ kind: 'nan' })).toBe('NaN');
    expect(formatDecimal({ kind: '-infinity' })).toBe('-Infinity');
  });
  it('parseDecimal reads exponents and specials', () => {
    expect(parseDecimal('1.50')).toEqual(finite(150n, 2));
    expect(parseDecimal('-1.5e3')).toEqual(finite(-1500n, 0));
    expect(parseDecimal('1.5e-3')).toEqual(finite(15n, 4));
    expect(parseDecimal('.5')).toEqual(finite(5n, 1));
    expect(parseDecimal('Infinity')).toEqual({ kind: 'infinity' });
    expect(codeOf(() => parseDecimal('1.2.3'))).toBe('22P02');
    expect(codeOf(() => parseDecimal('.'))).toBe('22P02');
  });
  it('numericCodec binary matches numeric_send', () => {
    // 12345.678: ndigits 3, weight 1, sign +, dscale 3, digits 1 2345 6780.
    expect(hex(binaryOf(numericCodec, finite(12345678n, 3)))).toBe('0003000100000003' + '00010929' + '1a7c');
    // -0.0001: one digit 1 at weight -1.
    expect(hex(binaryOf(numericCodec, finite(-1n, 4)))).toBe('0001ffff40000004' + '0001');
    // 0 with scale 2: no digits.
    expect(hex(binaryOf(numericCodec, finite(0n, 2)))).toBe('0000000000000002');
    // 10000: one digit 1 at weight 1.
    expect(hex(binaryOf(numericCodec, 10000n))).toBe('0001000100000000' + '0001');
    expect(hex(binaryOf(numericCodec, { kind: 'nan' }))).toBe('00000000c0000000');
    expect(hex(binaryOf(numericCodec, { kind: 'infinity' }))).toBe('00000000d0000000');
  });
  it('numericCodec round-trips finite decimals through binary and text', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }), fc.integer({ min: 0, max: 30 }), (c, s) => {
        const d = finite(c, s);
        expect(numericCodec.parseBinary(binaryOf(numericCodec, d))).toEqual(d);
        expect(numericCodec.parseText(textOf(numericCodec, d))).toEqual(d);
      }),
    );
  });
  it('numericCodec rejects malformed binary', () => {
    expect(codeOf(() => numericCodec.parseBinary(Buffer.from('0001000000000000', 'hex')))).toBe('22P03');
    expect(codeOf(() => numericCodec.parseBinary(Buffer.from('00010000000000002710', 'hex')))).toBe('22P03');
    expect(codeOf(() => numericCodec.parseBinary(Buffer.from('0000000012340000', 'hex')))).toBe('22P03');
  });
});
