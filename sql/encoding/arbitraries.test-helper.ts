/**
 * fast-check arbitraries for datums, weighted toward the edges that break
 * encodings (zero bytes in strings, int64 and varint boundaries, -0, NaN,
 * ±infinity, decimals equal at different scales, intervals equal with
 * different fields), and the datum each encoding is expected to decode to.
 */
import fc from 'fast-check';
import type { ArrayElementKind, Datum, Decimal, Int64, Interval, KeyKind } from './datum.ts';
import { normalizeDecimal } from './decimal.ts';
import { intervalSpanMicros } from './compare.ts';
import { justify } from './key-interval.ts';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

const int64Edges = [
  0n, 1n, -1n, 109n, 110n, -110n, 255n, 256n, -256n, -257n, 65535n, 65536n, -65537n,
  2n ** 48n, 2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n), 2n ** 56n - 1n, 2n ** 56n, -(2n ** 56n) - 1n,
  int64Min, int64Min + 1n, int64Max, int64Max - 1n,
];

/** int64 values as bigint or as JS safe integers, with the varint edges common. */
export const int64: fc.Arbitrary<Int64> = fc.oneof(
  { weight: 3, arbitrary: fc.bigInt({ min: -300n, max: 300n }) },
  { weight: 3, arbitrary: fc.bigInt({ min: int64Min, max: int64Max }) },
  { weight: 2, arbitrary: fc.constantFrom(...int64Edges) },
  { weight: 2, arbitrary: fc.maxSafeInteger() },
  { weight: 1, arbitrary: fc.integer({ min: -70_000, max: 70_000 }) },
);

export const float = fc.oneof(
  { weight: 6, arbitrary: fc.double() },
  { weight: 2, arbitrary: fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, 1, -1) },
  { weight: 2, arbitrary: fc.integer({ min: -5, max: 5 }).map((n) => n / 4) },
);

const coefficient = fc.oneof(
  fc.bigInt({ min: -1000n, max: 1000n }),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }),
  fc.constantFrom(0n, 1n, -1n, 10n, 100n, -100n, 99n, 101n),
);

/** Finite decimals, sometimes rescaled (same value, more trailing zeros), and the specials. */
export const decimal: fc.Arbitrary<Decimal> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.tuple(coefficient, fc.integer({ min: -12, max: 30 }), fc.integer({ min: 0, max: 3 })).map(
      ([c, scale, extra]): Decimal => ({ kind: 'finite', coefficient: c * 10n ** BigInt(extra), scale: scale + extra }),
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom<Decimal>({ kind: 'nan' }, { kind: 'infinity' }, { kind: '-infinity' }) },
);

/** Well-formed strings: full Unicode (surrogate pairs included) or a small alphabet that makes prefixes common. */
export const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom('a', 'b', '\u0000', '\u0001', '\u00ff', 'é', '\uffff', '\u{1f600}', '\ue000'), maxLength: 8 }),
);

const byteUnit = fc.oneof(fc.constantFrom(0x00, 0x01, 0xff, 0xfe, 0x61), fc.integer({ min: 0, max: 255 }));
export const bytes = fc.array(byteUnit, { maxLength: 12 }).map((a) => Buffer.from(a));

const int32 = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, 0),
);

/** Intervals, with pairs equal in span but not in fields ('1 mon' and '30 days') common. */
export const interval: fc.Arbitrary<Interval> = fc.oneof(
  fc.record({ months: int32, days: int32, micros: int64 }),
  fc.record({
    months: fc.integer({ min: -3, max: 3 }),
    days: fc.integer({ min: -95, max: 95 }),
    micros: fc.constantFrom(0, 86_400_000_000, -86_400_000_000, 1, -1, 43_200_000_000),
  }),
);

export const keyKinds: readonly KeyKind[] = [
  'bool', 'int', 'float', 'decimal', 'string', 'bytes', 'timestamp', 'timestamptz', 'date', 'time', 'interval', 'uuid',
];

/** A non-NULL datum of a key kind. */
export function datumOf(kind: KeyKind | 'json' | 'array'): fc.Arbitrary<Datum> {
  switch (kind) {
    case 'bool': return fc.boolean().map((value) => ({ kind, value }));
    case 'int': return int64.map((value) => ({ kind, value }));
    case 'float': return float.map((value) => ({ kind, value }));
    case 'decimal': return decimal.map((value) => ({ kind, value }));
    case 'string': return text.map((value) => ({ kind, value }));
    case 'bytes': return bytes.map((value) => ({ kind, value }));
    case 'timestamp': return int64.map((value) => ({ kind, value }));
    case 'timestamptz': return int64.map((value) => ({ kind, value }));
    case 'date': return int32.map((value) => ({ kind, value }));
    case 'time': return fc.integer({ min: 0, max: 86_400_000_000 }).map((value) => ({ kind, value }));
    case 'interval': return interval.map((value) => ({ kind, value }));
    case 'uuid': return fc.uint8Array({ minLength: 16, maxLength: 16 }).map((value) => ({ kind, value: Buffer.from(value) }));
    case 'json': return fc.json().map((value) => ({ kind, value }));
    case 'array': return arrayDatum;
  }
}

const elementKinds: readonly ArrayElementKind[] = [...keyKinds, 'json'];
const arrayDatum: fc.Arbitrary<Datum> = fc.constantFrom(...elementKinds).chain((elementKind) =>
  fc.array(nullable(datumOf(elementKind as KeyKind)), { maxLength: 5 }).map((values): Datum => ({ kind: 'array', elementKind, values })),
);

/** A datum of a kind or NULL (one time in ten). */
export function nullable(arbitrary: fc.Arbitrary<Datum>): fc.Arbitrary<Datum> {
  return fc.oneof({ weight: 9, arbitrary }, { weight: 1, arbitrary: fc.constant<Datum>({ kind: 'null' }) });
}

/** Any datum the value encoding takes, nested arrays included. */
export const anyValueDatum: fc.Arbitrary<Datum> = fc.oneof(
  ...keyKinds.map((k) => datumOf(k)),
  datumOf('json'),
  arrayDatum,
  fc.array(arrayDatum, { maxLength: 3 }).map((values): Datum => ({ kind: 'array', elementKind: 'array', values })),
);

const big = (v: Int64): bigint => BigInt(v);

/** What the value encoding decodes `d` to: the same datum with integers as bigint. */
export function valueCanonical(d: Datum): Datum {
  switch (d.kind) {
    case 'int':
    case 'timestamp':
    case 'timestamptz':
      return { kind: d.kind, value: big(d.value) };
    case 'interval': return { kind: d.kind, value: { ...d.value, micros: big(d.value.micros) } };
    case 'array': return { ...d, values: d.values.map(valueCanonical) };
    default: return d;
  }
}

/** What the key encoding decodes `d` to: its canonical form (normalised decimal, +0, justified interval). */
export function keyCanonical(d: Datum): Datum {
  switch (d.kind) {
    case 'float': return Object.is(d.value, -0) ? { kind: 'float', value: 0 } : d;
    case 'decimal': return { kind: 'decimal', value: normalizeDecimal(d.value) };
    case 'interval': return { kind: 'interval', value: justify(intervalSpanMicros(d.value)) };
    default: return valueCanonical(d);
  }
}
