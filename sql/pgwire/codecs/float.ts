/**
 * float4 and float8. Values are `number`s. Text output follows PostgreSQL 12+
 * with extra_float_digits = 1 (the default): the shortest decimal that reads
 * back to the same value, in exponent form when the decimal exponent is
 * below -4 or at least 15 (float8) / 6 (float4), exponent with a sign and two
 * digits at least ("1e+06", "1.5e-05").
 */
import { assert } from '../assert.ts';
import type { Codec } from './codec.ts';
import { expectBinarySize, invalidText, outOfRange, trimSpace } from './codec.ts';
import { float4Oid, float8Oid } from './oids.ts';

const floatPattern = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

/** Shortest decimal digits and exponent of a finite, non-zero float8 (as `toExponential` finds them). */
function shortestDigits(value: number): [digits: string, exponent: number] {
  const s = Math.abs(value).toExponential();
  const e = s.indexOf('e');
  return [s.slice(0, e).replace('.', ''), Number(s.slice(e + 1))];
}

/** Shortest digits that read back, as float4, to `value` (a float4 value). */
function shortestFloat4Digits(value: number): [digits: string, exponent: number] {
  for (let precision = 1; precision < 9; precision++) {
    const candidate = Number(Math.abs(value).toPrecision(precision));
    if (Math.fround(candidate) === Math.abs(value)) return shortestDigits(candidate);
  }
  return shortestDigits(Number(Math.abs(value).toPrecision(9)));
}

/** Formats digits × 10^exponent as PostgreSQL's float output does. */
function layout(negative: boolean, digits: string, exponent: number, exponentCutoff: number): string {
  const sign = negative ? '-' : '';
  if (exponent < -4 || exponent >= exponentCutoff) {
    const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exponent);
    return `${sign}${mantissa}e${exponent < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  if (digits.length <= exponent + 1) return `${sign}${digits}${'0'.repeat(exponent + 1 - digits.length)}`;
  return `${sign}${digits.slice(0, exponent + 1)}.${digits.slice(exponent + 1)}`;
}

function formatSpecial(value: number): string | null {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0' : '0';
  return null;
}

/** PostgreSQL's text form of a float8. */
export function formatFloat8(value: number): string {
  const special = formatSpecial(value);
  if (special !== null) return special;
  const [digits, exponent] = shortestDigits(value);
  return layout(value < 0, digits, exponent, 15);
}

/** PostgreSQL's text form of a float4 (`value` is rounded to float4 first). */
export function formatFloat4(value: number): string {
  const v = Math.fround(value);
  const special = formatSpecial(v);
  if (special !== null) return special;
  const [digits, exponent] = shortestFloat4Digits(v);
  return layout(v < 0, digits, exponent, 6);
}

function parseFloat(text: string, typeName: string, single: boolean): number {
  const t = trimSpace(text);
  switch (t.toLowerCase()) {
    case 'nan': return NaN;
    case 'infinity': case '+infinity': case 'inf': case '+inf': return Infinity;
    case '-infinity': case '-inf': return -Infinity;
  }
  if (!floatPattern.test(t)) throw invalidText(typeName, text);
  const parsed = Number(t);
  const value = single ? Math.fround(parsed) : parsed;
  if (!Number.isFinite(value)) throw outOfRange(typeName, text);
  // Underflow: a non-zero literal that rounds to zero is out of range, as in PostgreSQL.
  if (value === 0 && /[1-9]/.test(t.replace(/[eE].*$/, ''))) throw outOfRange(typeName, text);
  return value;
}

export const float4Codec: Codec<number> = {
  oid: float4Oid,
  name: 'real',
  typeSize: 4,
  writeText(w, value) {
    assert(typeof value === 'number', 'a float4 value is a number');
    w.ascii(formatFloat4(value));
  },
  writeBinary(w, value) {
    assert(typeof value === 'number', 'a float4 value is a number');
    w.f32(value);
  },
  parseText: (text) => parseFloat(text, 'real', true),
  parseBinary(bytes) {
    expectBinarySize('real', bytes, 4);
    return bytes.readFloatBE(0);
  },
};

export const float8Codec: Codec<number> = {
  oid: float8Oid,
  name: 'double precision',
  typeSize: 8,
  writeText(w, value) {
    assert(typeof value === 'number', 'a float8 value is a number');
    w.ascii(formatFloat8(value));
  },
  writeBinary(w, value) {
    assert(typeof value === 'number', 'a float8 value is a number');
    w.f64(value);
  },
  parseText: (text) => parseFloat(text, 'double precision', false),
  parseBinary(bytes) {
    expectBinarySize('double precision', bytes, 8);
    return bytes.readDoubleBE(0);
  },
};
