import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decimal, text } from './arbitraries.test-helper.ts';
import { compareDatums, compareStrings } from './compare.ts';
import type { Datum, Decimal } from './datum.ts';
import { compareDecimals, formatDecimal, normalizeDecimal, parseDecimal } from './decimal.ts';
import { EncodingError } from './errors.ts';

const f = (value: number): Datum => ({ kind: 'float', value });
const d = (textValue: string): Datum => ({ kind: 'decimal', value: parseDecimal(textValue) });
const iv = (months: number, days: number, micros: bigint | number): Datum => ({ kind: 'interval', value: { months, days, micros } });

describe('compareStrings', () => {
  it('orders like the UTF-8 bytes', () => {
    fc.assert(fc.property(text, text, (a, b) => {
      expect(compareStrings(a, b)).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }), { numRuns: 3000 });
  });

  it('puts a supplementary character above U+E000..U+FFFF (unlike UTF-16 order)', () => {
    expect(compareStrings('\u{1f600}', '\uffff')).toBe(1);
    expect('\u{1f600}' < '\uffff').toBe(true);
  });
});

describe('compareDatums', () => {
  it('orders floats as PostgreSQL: NaN above +Infinity, -0 = +0', () => {
    const ascending = [-Infinity, -1e308, -1, -5e-324, 0, 5e-324, 1, 1e308, Infinity, NaN];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        expect(compareDatums(f(ascending[i]!), f(ascending[j]!))).toBe(Math.sign(i - j));
      }
    }
    expect(compareDatums(f(-0), f(0))).toBe(0);
    expect(compareDatums(f(NaN), f(NaN))).toBe(0);
  });

  it('puts NULL below every value', () => {
    expect(compareDatums({ kind: 'null' }, f(-Infinity))).toBe(-1);
    expect(compareDatums({ kind: 'int', value: -(2n ** 63n) }, { kind: 'null' })).toBe(1);
    expect(compareDatums({ kind: 'null' }, { kind: 'null' })).toBe(0);
  });

  it('compares ints given as number or bigint', () => {
    expect(compareDatums({ kind: 'int', value: 5 }, { kind: 'int', value: 5n })).toBe(0);
    expect(compareDatums({ kind: 'int', value: 2n ** 60n }, { kind: 'int', value: 2 ** 52 })).toBe(1);
  });

  it('treats intervals of equal span as equal, as PostgreSQL does', () => {
    expect(compareDatums(iv(1, 0, 0), iv(0, 30, 0))).toBe(0);
    expect(compareDatums(iv(0, 1, 0), iv(0, 0, 86_400_000_000n))).toBe(0);
    expect(compareDatums(iv(1, 0, 0), iv(0, 30, 1))).toBe(-1);
    expect(compareDatums(iv(-1, 0, 0), iv(0, -29, 0))).toBe(-1);
  });

  it('orders decimals numerically with specials at the ends', () => {
    const ascending = ['-Infinity', '-1e30', '-1.5', '-1.49', '0', '0.001', '1', '1.0000001', '12', 'Infinity', 'NaN'];
    for (let i = 0; i < ascending.length; i++) {
      for (let j = 0; j < ascending.length; j++) {
        expect(compareDatums(d(ascending[i]!), d(ascending[j]!))).toBe(Math.sign(i - j));
      }
    }
    expect(compareDatums(d('1.10'), d('1.1'))).toBe(0);
    expect(compareDatums(d('-0.00'), d('0'))).toBe(0);
  });

  it('orders arrays element-wise, then shorter first', () => {
    const arr = (...values: number[]): Datum => ({ kind: 'array', elementKind: 'int', values: values.map((value) => ({ kind: 'int', value })) });
    expect(compareDatums(arr(1, 2), arr(1, 3))).toBe(-1);
    expect(compareDatums(arr(1, 2), arr(1, 2, 0))).toBe(-1);
    expect(compareDatums(arr(2), arr(1, 9))).toBe(1);
  });

  it('refuses to compare different kinds', () => {
    expect(() => compareDatums(f(1), { kind: 'int', value: 1n })).toThrow(/cannot compare/);
  });
});

/** An independent oracle: both decimals scaled to a common (large) scale. */
function oracle(a: Decimal, b: Decimal): number {
  const rank = (x: Decimal) => ({ '-infinity': 0, finite: 1, infinity: 2, nan: 3 })[x.kind];
  if (a.kind !== 'finite' || b.kind !== 'finite') return Math.sign(rank(a) - rank(b));
  const scale = 100;
  const x = a.coefficient * 10n ** BigInt(scale - a.scale);
  const y = b.coefficient * 10n ** BigInt(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

describe('decimals', () => {
  it('compareDecimals agrees with a scaled comparison', () => {
    fc.assert(fc.property(decimal, decimal, (a, b) => {
      expect(compareDecimals(a, b)).toBe(oracle(a, b));
    }), { numRuns: 3000 });
  });

  it('normalizeDecimal keeps the value and drops trailing zeros', () => {
    fc.assert(fc.property(decimal, (a) => {
      const n = normalizeDecimal(a);
      expect(compareDecimals(a, n)).toBe(0);
      if (n.kind === 'finite' && n.coefficient !== 0n) expect(n.coefficient % 10n).not.toBe(0n);
    }));
    expect(normalizeDecimal(parseDecimal('1.10'))).toEqual({ kind: 'finite', coefficient: 11n, scale: 1 });
    expect(normalizeDecimal(parseDecimal('1200'))).toEqual({ kind: 'finite', coefficient: 12n, scale: -2 });
  });

  it('parses and formats as PostgreSQL prints numeric', () => {
    const cases: [string, string][] = [
      ['1.10', '1.10'], ['-0.5', '-0.5'], ['.5', '0.5'], ['5.', '5'], ['1.5e3', '1500'], ['1.50e-1', '0.150'],
      ['0.000', '0.000'], ['-12.340', '-12.340'], ['NaN', 'NaN'], ['-inf', '-Infinity'], ['+Infinity', 'Infinity'],
      ['1e-3', '0.001'], ['007', '7'],
    ];
    for (const [input, output] of cases) expect(formatDecimal(parseDecimal(input))).toBe(output);
  });

  it('formats then parses back to the same decimal', () => {
    fc.assert(fc.property(decimal, (a) => {
      const back = parseDecimal(formatDecimal(a));
      expect(compareDecimals(back, a)).toBe(0);
      if (a.kind === 'finite' && a.scale >= 0) expect(back).toEqual(a);
    }));
  });

  it('rejects malformed and out-of-range text', () => {
    for (const bad of ['', '.', 'abc', '1.2.3', '1e', '--1', '1e999999', `0.${'1'.repeat(16_384)}`]) {
      expect(() => parseDecimal(bad)).toThrow(EncodingError);
    }
  });
});
