/**
 * The reference ordering of datums, as PostgreSQL sorts them: NULL after
 * every value; floats with -0 = +0 and NaN above +Infinity; numeric with NaN
 * above +Infinity; strings by UTF-8 bytes (the C collation); intervals by
 * their total length with a month as 30 days.
 */
import type { Datum, DayNumber, Instant } from './datum.ts';
import { compareDecimals } from './decimal.ts';
import { EncodingError } from './errors.ts';

/** Lexicographic byte order. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

function cmp<T extends number | bigint>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareFloats(a: number, b: number): number {
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  if (an || bn) return an && bn ? 0 : an ? 1 : -1;
  return cmp(a, b);
}

function compareInstants(a: Instant | DayNumber, b: Instant | DayNumber): number {
  const rank = (v: Instant | DayNumber) => (v === '-infinity' ? 0 : v === 'infinity' ? 2 : 1);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb || ra !== 1) return Math.sign(ra - rb);
  return cmp(BigInt(a as number | bigint), BigInt(b as number | bigint));
}

const microsPerDay = 86_400_000_000n;

/** Orders two datums of the same kind (NULL may meet any kind). */
export function compareDatums(a: Datum, b: Datum): number {
  if (a.kind === 'null' || b.kind === 'null') return a.kind === b.kind ? 0 : a.kind === 'null' ? 1 : -1;
  if (a.kind !== b.kind) throw new EncodingError(`cannot compare ${a.kind} with ${b.kind}`);
  switch (a.kind) {
    case 'bool': return cmp(Number(a.value), Number((b as typeof a).value));
    case 'int': return cmp(a.value, (b as typeof a).value);
    case 'float': return compareFloats(a.value, (b as typeof a).value);
    case 'decimal': return compareDecimals(a.value, (b as typeof a).value);
    case 'string': return Buffer.compare(Buffer.from(a.value, 'utf8'), Buffer.from((b as typeof a).value, 'utf8'));
    case 'bytes':
    case 'uuid': return Buffer.compare(a.value, (b as typeof a).value);
    case 'json': return a.value < (b as typeof a).value ? -1 : a.value > (b as typeof a).value ? 1 : 0;
    case 'timestamp':
    case 'timestamptz': return compareInstants(a.value, (b as typeof a).value);
    case 'date': return compareInstants(a.value, (b as typeof a).value);
    case 'time': return cmp(a.value, (b as typeof a).value);
    case 'interval': {
      const total = (d: typeof a) => BigInt(d.value.months) * 30n * microsPerDay + BigInt(d.value.days) * microsPerDay + d.value.micros;
      return cmp(total(a), total(b as typeof a));
    }
    case 'array': {
      const x = a.values;
      const y = (b as typeof a).values;
      for (let i = 0; i < Math.min(x.length, y.length); i++) {
        const c = compareDatums(x[i]!, y[i]!);
        if (c !== 0) return c;
      }
      return cmp(x.length, y.length);
    }
  }
}
