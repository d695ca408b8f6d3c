/**
 * Exact decimals (PostgreSQL numeric): parse, format, normalise, compare and
 * range-check. Arithmetic belongs to the executor; this is what the
 * encodings and the reference ordering need.
 */
import type { Decimal } from './datum.ts';
import { EncodingError } from './errors.ts';
import { decimalFractionDigitsMax, decimalIntegerDigitsMax } from './limits.ts';

type FiniteDecimal = Extract<Decimal, { kind: 'finite' }>;

export const decimalNaN: Decimal = Object.freeze({ kind: 'nan' });
export const decimalInfinity: Decimal = Object.freeze({ kind: 'infinity' });
export const decimalNegInfinity: Decimal = Object.freeze({ kind: '-infinity' });

/** Decimal digits of a magnitude's decimal form with trailing zeros removed, and how many were removed. */
export function stripTrailingZeros(digits: string): { digits: string; stripped: number } {
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  return { digits: end === digits.length ? digits : digits.slice(0, end), stripped: digits.length - end };
}

/**
 * The canonical form: no trailing zeros in the coefficient (1.10 → 1.1,
 * 100 → 1 × 10^2 with scale -2), zero with scale 0. Equal values have equal
 * canonical forms; the key encoding stores only this.
 */
export function normalizeDecimal(value: Decimal): Decimal {
  if (value.kind !== 'finite') return value;
  if (value.coefficient === 0n) return value.scale === 0 ? value : { kind: 'finite', coefficient: 0n, scale: 0 };
  const negative = value.coefficient < 0n;
  const { stripped } = stripTrailingZeros((negative ? -value.coefficient : value.coefficient).toString());
  if (stripped === 0) return value;
  return { kind: 'finite', coefficient: value.coefficient / 10n ** BigInt(stripped), scale: value.scale - stripped };
}

/**
 * Checks PostgreSQL numeric's limits: at most 131072 digits before the point
 * and 16383 after it. Keeps corrupt input from asking for 10^(2^40).
 */
export function checkDecimalRange(value: Decimal): void {
  if (value.kind !== 'finite') return;
  const { coefficient, scale } = value;
  if (!Number.isSafeInteger(scale)) throw new EncodingError(`decimal scale ${scale} is not an integer`);
  if (scale > decimalFractionDigitsMax) throw new EncodingError(`decimal scale ${scale} exceeds ${decimalFractionDigitsMax}`);
  if (coefficient === 0n) {
    if (scale < -decimalIntegerDigitsMax) throw new EncodingError(`decimal scale ${scale} is out of range`);
    return;
  }
  const integerDigits = decimalDigitCount(coefficient < 0n ? -coefficient : coefficient) - scale;
  if (integerDigits > decimalIntegerDigitsMax) throw new EncodingError('decimal has too many digits before the point');
}

function decimalDigitCount(magnitude: bigint): number {
  if (magnitude < 9007199254740992n) return String(Number(magnitude)).length;
  return magnitude.toString().length;
}

/** Parses PostgreSQL numeric text: `-12.340`, `1.5e3`, `NaN`, `Infinity`, `-inf`. */
export function parseDecimal(text: string): Decimal {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'nan') return decimalNaN;
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return decimalInfinity;
  if (lower === '-infinity' || lower === '-inf') return decimalNegInfinity;
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,9}))?$/.exec(t);
  const whole = match?.[2] ?? '';
  const fraction = match?.[3] ?? '';
  if (!match || whole.length + fraction.length === 0) throw new EncodingError(`invalid decimal "${text}"`);
  const exponent = match[4] === undefined ? 0 : Number(match[4]);
  let coefficient = BigInt(whole + fraction);
  // PostgreSQL keeps a non-negative display scale: 1.5e3 is 1500, 1.50e-1 is 0.150.
  let scale = fraction.length - exponent;
  if (scale < 0) {
    if (-scale > decimalIntegerDigitsMax) throw new EncodingError(`decimal "${text}" is out of range`);
    coefficient *= 10n ** BigInt(-scale);
    scale = 0;
  }
  const value: Decimal = { kind: 'finite', coefficient: match[1] === '-' ? -coefficient : coefficient, scale };
  checkDecimalRange(value);
  return value;
}

/** Formats a decimal as PostgreSQL prints numeric: `scale` digits after the point, never exponent form. */
export function formatDecimal(value: Decimal): string {
  switch (value.kind) {
    case 'nan': return 'NaN';
    case 'infinity': return 'Infinity';
    case '-infinity': return '-Infinity';
    case 'finite': break;
  }
  const negative = value.coefficient < 0n;
  let digits = (negative ? -value.coefficient : value.coefficient).toString();
  let out: string;
  if (value.scale <= 0) {
    out = value.coefficient === 0n ? '0' : digits + '0'.repeat(-value.scale);
  } else {
    if (digits.length <= value.scale) digits = '0'.repeat(value.scale - digits.length + 1) + digits;
    out = `${digits.slice(0, digits.length - value.scale)}.${digits.slice(digits.length - value.scale)}`;
  }
  return negative ? `-${out}` : out;
}

function rank(d: Decimal): number {
  switch (d.kind) {
    case '-infinity': return 0;
    case 'finite': return 1;
    case 'infinity': return 2;
    case 'nan': return 3;
  }
}

/** Orders decimals as PostgreSQL orders numeric: -Infinity < finite < Infinity < NaN (NaN = NaN). */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (ra !== 1) return 0;
  return compareFinite(a as FiniteDecimal, b as FiniteDecimal);
}

function compareFinite(a: FiniteDecimal, b: FiniteDecimal): number {
  const sa = a.coefficient < 0n ? -1 : a.coefficient > 0n ? 1 : 0;
  const sb = b.coefficient < 0n ? -1 : b.coefficient > 0n ? 1 : 0;
  if (sa !== sb || sa === 0) return sa < sb ? -1 : sa > sb ? 1 : 0;
  if (a.scale === b.scale) return a.coefficient < b.coefficient ? -1 : a.coefficient > b.coefficient ? 1 : 0;
  // Different scales: compare magnitudes by their count of integer digits first,
  // so wildly different exponents never scale a coefficient by a huge power.
  const ma = sa < 0 ? -a.coefficient : a.coefficient;
  const mb = sb < 0 ? -b.coefficient : b.coefficient;
  const ea = decimalDigitCount(ma) - a.scale;
  const eb = decimalDigitCount(mb) - b.scale;
  let magnitudeOrder: number;
  if (ea !== eb) {
    magnitudeOrder = ea < eb ? -1 : 1;
  } else {
    const scale = Math.max(a.scale, b.scale);
    const xa = ma * 10n ** BigInt(scale - a.scale);
    const xb = mb * 10n ** BigInt(scale - b.scale);
    magnitudeOrder = xa < xb ? -1 : xa > xb ? 1 : 0;
  }
  return magnitudeOrder === 0 ? 0 : sa * magnitudeOrder;
}
