/** Helpers for exact decimals (PostgreSQL numeric). */
import type { Decimal } from './datum.ts';
import { EncodingError } from './errors.ts';

/** Strips trailing zeros from the coefficient: 1.10 and 1.1 become the same (coefficient 11, scale 1). */
export function normalizeDecimal(coefficient: bigint, scale: number): { coefficient: bigint; scale: number } {
  if (coefficient === 0n) return { coefficient: 0n, scale: 0 };
  let c = coefficient;
  let s = scale;
  while (c % 10n === 0n) {
    c /= 10n;
    s -= 1;
  }
  return { coefficient: c, scale: s };
}

/** Parses PostgreSQL numeric text: `-12.340`, `1e5`, `NaN`, `Infinity`, `-Infinity`. */
export function parseDecimal(text: string): Decimal {
  const t = text.trim();
  const lower = t.toLowerCase();
  if (lower === 'nan') return { kind: 'nan' };
  if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf') return { kind: 'infinity', negative: false };
  if (lower === '-infinity' || lower === '-inf') return { kind: 'infinity', negative: true };
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(t);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new EncodingError(`invalid decimal "${text}"`);
  const whole = match[2] ?? '';
  const fraction = match[3] ?? '';
  const exponent = match[4] ? Number(match[4]) : 0;
  let coefficient = BigInt((whole + fraction).replace(/^0+(?=\d)/, '') || '0');
  if (match[1] === '-') coefficient = -coefficient;
  return { kind: 'finite', coefficient, scale: fraction.length - exponent };
}

/** Formats a decimal as PostgreSQL prints numeric (scale digits after the point, never exponent form). */
export function formatDecimal(value: Decimal): string {
  if (value.kind === 'nan') return 'NaN';
  if (value.kind === 'infinity') return value.negative ? '-Infinity' : 'Infinity';
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

/** Orders decimals as PostgreSQL orders numeric: -Infinity < finite < Infinity < NaN. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  const rank = (d: Decimal) => (d.kind === 'nan' ? 3 : d.kind === 'infinity' ? (d.negative ? 0 : 2) : 1);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb || ra !== 1) return Math.sign(ra - rb);
  const x = a as Extract<Decimal, { kind: 'finite' }>;
  const y = b as Extract<Decimal, { kind: 'finite' }>;
  const scale = Math.max(x.scale, y.scale);
  const left = x.coefficient * 10n ** BigInt(scale - x.scale);
  const right = y.coefficient * 10n ** BigInt(scale - y.scale);
  return left < right ? -1 : left > right ? 1 : 0;
}
