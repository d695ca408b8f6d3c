/**
 * numeric. Values are `Decimal`s: an exact coefficient × 10^-scale where the
 * scale is PostgreSQL's display scale (1.10 has scale 2), or NaN/±Infinity;
 * the same shape as sql/encoding's decimal datum. Written values may also be
 * a `bigint` (scale 0).
 *
 * Binary form (numeric_send): Int16 ndigits, Int16 weight, UInt16 sign,
 * UInt16 dscale, then ndigits Int16 base-10000 digits, most significant first;
 * the value is Σ digit[i] × 10000^(weight - i). Sign 0x0000 positive, 0x4000
 * negative, 0xC000 NaN, 0xD000 +Infinity, 0xF000 -Infinity.
 */
import { assert } from '../assert.ts';
import { numericDigitsMax, numericScaleMax, numericTextDigitsMax } from '../limits.ts';
import type { BufferWriter } from '../writer.ts';
import type { Codec } from './codec.ts';
import { invalidBinary, invalidText, outOfRange, trimSpace } from './codec.ts';
import { numericOid } from './oids.ts';

/** An exact decimal (PostgreSQL numeric): coefficient × 10^-scale, or a special value. */
export type Decimal =
  | { readonly kind: 'finite'; readonly coefficient: bigint; readonly scale: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'infinity' }
  | { readonly kind: '-infinity' };

const signPositive = 0x0000;
const signNegative = 0x4000;
const signNaN = 0xc000;
const signInfinity = 0xd000;
const signNegInfinity = 0xf000;
/** PostgreSQL refuses text exponents beyond ±NUMERIC_MAX_PRECISION. */
const exponentMax = 1000;
const numericPattern = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/;

const nanDecimal: Decimal = { kind: 'nan' };
const infinityDecimal: Decimal = { kind: 'infinity' };
const negInfinityDecimal: Decimal = { kind: '-infinity' };

function toDecimal(value: Decimal | bigint): Decimal {
  if (typeof value === 'bigint') return { kind: 'finite', coefficient: value, scale: 0 };
  assert(typeof value === 'object' && value !== null && typeof value.kind === 'string', 'a numeric value is a Decimal or a bigint');
  return value;
}

/** PostgreSQL's text form of a decimal. */
export function formatDecimal(value: Decimal | bigint): string {
  const d = toDecimal(value);
  switch (d.kind) {
    case 'nan': return 'NaN';
    case 'infinity': return 'Infinity';
    case '-infinity': return '-Infinity';
    case 'finite': break;
  }
  assert(Number.isInteger(d.scale), 'a decimal scale is an integer');
  const negative = d.coefficient < 0n;
  let digits = (negative ? -d.coefficient : d.coefficient).toString();
  if (d.scale <= 0) return (negative ? '-' : '') + digits + (d.coefficient === 0n ? '' : '0'.repeat(-d.scale));
  if (digits.length <= d.scale) digits = '0'.repeat(d.scale - digits.length + 1) + digits;
  const point = digits.length - d.scale;
  return `${negative ? '-' : ''}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Parses numeric text input ("-1.50", "1e3", "NaN", "Infinity"). */
export function parseDecimal(text: string): Decimal {
  const t = trimSpace(text);
  switch (t.toLowerCase()) {
    case 'nan': return nanDecimal;
    case 'infinity': case '+infinity': case 'inf': case '+inf': return infinityDecimal;
    case '-infinity': case '-inf': return negInfinityDecimal;
  }
  const m = numericPattern.exec(t);
  if (m === null) throw invalidText('numeric', text);
  const integer = m[2] ?? '';
  const fraction = m[3] ?? '';
  if (integer.length + fraction.length === 0) throw invalidText('numeric', text);
  if (integer.length + fraction.length > numericTextDigitsMax) throw outOfRange('numeric', text);
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  if (Math.abs(exponent) > exponentMax) throw invalidText('numeric', text);
  let coefficient = BigInt(integer + fraction);
  let scale = fraction.length - exponent;
  if (scale < 0) {
    coefficient *= 10n ** BigInt(-scale);
    scale = 0;
  }
  if (scale > numericScaleMax) throw outOfRange('numeric', text);
  if (m[1] === '-') coefficient = -coefficient;
  return { kind: 'finite', coefficient, scale };
}

function writeNumericBinary(w: BufferWriter, value: Decimal | bigint): void {
  const d = toDecimal(value);
  if (d.kind !== 'finite') {
    w.i16(0);
    w.i16(0);
    w.u16(d.kind === 'nan' ? signNaN : d.kind === 'infinity' ? signInfinity : signNegInfinity);
    w.u16(0);
    return;
  }
  const scale = Math.max(d.scale, 0);
  const negative = d.coefficient < 0n;
  let magnitude = negative ? -d.coefficient : d.coefficient;
  if (d.scale < 0) magnitude *= 10n ** BigInt(-d.scale);
  if (magnitude === 0n) {
    w.i16(0);
    w.i16(0);
    w.u16(signPositive);
    w.u16(scale);
    return;
  }
  // Align the decimal digits to base-10000 groups around the decimal point.
  const fractionPad = (4 - (scale % 4)) % 4;
  const text = (magnitude * 10n ** BigInt(fractionPad)).toString();
  const fractionGroups = (scale + fractionPad) / 4;
  const lead = (4 - (text.length % 4)) % 4;
  const padded = '0'.repeat(lead) + text;
  const groups: number[] = [];
  for (let i = 0; i < padded.length; i += 4) groups.push(Number(padded.slice(i, i + 4)));
  let weight = groups.length - fractionGroups - 1;
  let first = 0;
  while (first < groups.length && groups[first] === 0) {
    first++;
    weight--;
  }
  let last = groups.length;
  while (last > first && groups[last - 1] === 0) last--;
  w.i16(last - first);
  w.i16(weight);
  w.u16(negative ? signNegative : signPositive);
  w.u16(scale);
  for (let i = first; i < last; i++) w.i16(groups[i]!);
}

function parseNumericBinary(bytes: Buffer): Decimal {
  if (bytes.length < 8) throw invalidBinary('numeric', 'header truncated');
  const ndigits = bytes.readInt16BE(0);
  const weight = bytes.readInt16BE(2);
  const sign = bytes.readUInt16BE(4);
  const dscale = bytes.readUInt16BE(6);
  if (ndigits < 0 || ndigits > numericDigitsMax) throw invalidBinary('numeric', `invalid length ${ndigits}`);
  if (bytes.length !== 8 + 2 * ndigits) throw invalidBinary('numeric', 'length does not match the digit count');
  if (sign === signNaN) return nanDecimal;
  if (sign === signInfinity) return infinityDecimal;
  if (sign === signNegInfinity) return negInfinityDecimal;
  if (sign !== signPositive && sign !== signNegative) throw invalidBinary('numeric', `invalid sign 0x${sign.toString(16)}`);
  if (dscale > numericScaleMax) throw invalidBinary('numeric', `invalid scale ${dscale}`);
  let coefficient = 0n;
  for (let i = 0; i < ndigits; i++) {
    const digit = bytes.readInt16BE(8 + 2 * i);
    if (digit < 0 || digit >= 10000) throw invalidBinary('numeric', `invalid digit ${digit}`);
    coefficient = coefficient * 10000n + BigInt(digit);
  }
  // coefficient × 10000^(weight - ndigits + 1) × 10^dscale, rounded half away from zero to dscale digits.
  const shift = 4 * (weight - ndigits + 1) + dscale;
  if (shift >= 0) {
    coefficient *= 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    const quotient = coefficient / divisor;
    coefficient = (coefficient % divisor) * 2n >= divisor ? quotient + 1n : quotient;
  }
  return { kind: 'finite', coefficient: sign === signNegative ? -coefficient : coefficient, scale: dscale };
}

export const numericCodec: Codec<Decimal | bigint> = {
  oid: numericOid,
  name: 'numeric',
  typeSize: -1,
  writeText(w, value) {
    w.ascii(formatDecimal(value));
  },
  writeBinary: writeNumericBinary,
  parseText: parseDecimal,
  parseBinary: parseNumericBinary,
};
