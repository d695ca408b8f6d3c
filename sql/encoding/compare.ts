/**
 * The reference ordering of datums: PostgreSQL's, with NULL as the smallest
 * value (CockroachDB's convention, and the key encoding's). PostgreSQL's
 * ORDER BY defaults to NULLS LAST ascending; the executor applies NULLS
 * FIRST/LAST itself. Within a kind:
 * - float: -Infinity < … < -0 = +0 < … < +Infinity < NaN, all NaNs equal;
 * - decimal: -Infinity < finite < Infinity < NaN; 1.10 = 1.1;
 * - string: by UTF-8 bytes (the C collation); bytes and uuid bytewise;
 * - interval: by months × 30 days + days + microseconds, so '1 mon' = '30 days';
 * - json: by text bytes (json has no ordering in PostgreSQL; this is a stable one);
 * - array: element by element, then the shorter first.
 */
import { assert, unreachable } from './assert.ts';
import type { Datum, Interval } from './datum.ts';
import { compareDecimals } from './decimal.ts';

/** Lexicographic byte order (memcmp, then length). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/**
 * Orders strings by their UTF-8 bytes without encoding them. UTF-16 code
 * unit order differs from code point (= UTF-8) order only where a surrogate
 * meets a unit at or above U+E000; shifting surrogates above that range fixes it.
 */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x += x < 0xe000 ? 0x2000 : -0x800;
    if (y >= 0xd800) y += y < 0xe000 ? 0x2000 : -0x800;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

function cmp(a: number | bigint, b: number | bigint): number {
  // Relational operators compare a bigint with a number exactly.
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareFloats(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0; // includes -0 === +0
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an && bn ? 0 : an ? 1 : -1;
}

const microsPerDay = 86_400_000_000n;

/** PostgreSQL's interval_cmp_value: the interval's length with a month as 30 days. */
export function intervalSpanMicros(v: Interval): bigint {
  return (BigInt(v.months) * 30n + BigInt(v.days)) * microsPerDay + BigInt(v.micros);
}

function compareIntervals(a: Interval, b: Interval): number {
  if (a.months === b.months && a.days === b.days) return cmp(a.micros, b.micros);
  return cmp(intervalSpanMicros(a), intervalSpanMicros(b));
}

function compareArrays(x: readonly Datum[], y: readonly Datum[]): number {
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = compareDatums(x[i]!, y[i]!);
    if (c !== 0) return c;
  }
  return cmp(x.length, y.length);
}

/**
 * Orders two datums of one kind (NULL may meet any kind); returns -1, 0 or 1.
 * Comparing different kinds is a bug in the caller.
 */
export function compareDatums(a: Datum, b: Datum): number {
  if (a.kind === 'null') return b.kind === 'null' ? 0 : -1;
  if (b.kind === 'null') return 1;
  // Build the message only on failure: this runs inside every sort comparison.
  if (a.kind !== b.kind) assert(false, `cannot compare ${a.kind} with ${b.kind}`);
  switch (a.kind) {
    case 'bool': return cmp(+a.value, +(b as typeof a).value);
    case 'int':
    case 'timestamp':
    case 'timestamptz':
      return cmp(a.value, (b as typeof a).value);
    case 'date':
    case 'time':
      return cmp(a.value, (b as typeof a).value);
    case 'float': return compareFloats(a.value, (b as typeof a).value);
    case 'decimal': return compareDecimals(a.value, (b as typeof a).value);
    case 'string':
    case 'json':
      return compareStrings(a.value, (b as typeof a).value);
    case 'bytes':
    case 'uuid':
      return Math.sign(Buffer.compare(a.value, (b as typeof a).value));
    case 'interval': return compareIntervals(a.value, (b as typeof a).value);
    case 'array': return compareArrays(a.values, (b as typeof a).values);
    default: return unreachable(a);
  }
}
