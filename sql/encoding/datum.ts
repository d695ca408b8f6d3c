/**
 * The datums the encodings understand: a small discriminated union on `kind`
 * that the SQL type layer maps its values onto. Each datum is one small
 * object; nothing here allocates beyond it.
 *
 * Representation choices (PostgreSQL's own, so the wire format maps directly):
 * - int is int8: a `bigint`, or a JS safe integer on input; decoders return bigint.
 * - timestamp and timestamptz are microseconds since 2000-01-01 00:00:00 UTC
 *   (PostgreSQL's epoch), `bigint` or safe integer; `-infinity`/`infinity`
 *   are the int64 extremes, exactly as PostgreSQL stores them, so ordering
 *   needs no special case.
 * - date is days since 2000-01-01 (int32); ±infinity are the int32 extremes.
 * - time is microseconds since midnight, 0 through 24:00:00 inclusive.
 * - interval is PostgreSQL's (months, days, microseconds) triple.
 * - decimal is an exact coefficient × 10^-scale, or NaN/±Infinity. The scale
 *   is PostgreSQL's display scale (1.10 has scale 2); the value encoding keeps
 *   it, the key encoding normalises it away (1.10 and 1.1 are equal keys).
 * - json is text; arrays carry their element kind so empty arrays stay typed.
 */

/** A 64-bit integer as the encoders accept it: a bigint, or a JS safe integer. */
export type Int64 = bigint | number;

/** An exact decimal (PostgreSQL numeric): coefficient × 10^-scale, or a special. */
export type Decimal =
  | { readonly kind: 'finite'; readonly coefficient: bigint; readonly scale: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'infinity' }
  | { readonly kind: '-infinity' };

/** PostgreSQL's interval: compared as months × 30 days + days + microseconds. */
export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: Int64;
}

export interface NullDatum { readonly kind: 'null' }
export interface BoolDatum { readonly kind: 'bool'; readonly value: boolean }
export interface IntDatum { readonly kind: 'int'; readonly value: Int64 }
export interface FloatDatum { readonly kind: 'float'; readonly value: number }
export interface DecimalDatum { readonly kind: 'decimal'; readonly value: Decimal }
/** Text; must be well-formed UTF-16 (no lone surrogates) so it has a UTF-8 form. */
export interface StringDatum { readonly kind: 'string'; readonly value: string }
export interface BytesDatum { readonly kind: 'bytes'; readonly value: Uint8Array }
export interface TimestampDatum { readonly kind: 'timestamp'; readonly value: Int64 }
export interface TimestampTzDatum { readonly kind: 'timestamptz'; readonly value: Int64 }
export interface DateDatum { readonly kind: 'date'; readonly value: number }
export interface TimeDatum { readonly kind: 'time'; readonly value: number }
export interface IntervalDatum { readonly kind: 'interval'; readonly value: Interval }
/** 16 bytes. */
export interface UuidDatum { readonly kind: 'uuid'; readonly value: Uint8Array }
/** JSON as text; value encoding only. */
export interface JsonDatum { readonly kind: 'json'; readonly value: string }
/** A one-dimensional array (nest arrays for more); value encoding only. */
export interface ArrayDatum {
  readonly kind: 'array';
  readonly elementKind: ArrayElementKind;
  /** Each element is of `elementKind` or NULL. */
  readonly values: readonly Datum[];
}

export type Datum =
  | NullDatum
  | BoolDatum
  | IntDatum
  | FloatDatum
  | DecimalDatum
  | StringDatum
  | BytesDatum
  | TimestampDatum
  | TimestampTzDatum
  | DateDatum
  | TimeDatum
  | IntervalDatum
  | UuidDatum
  | JsonDatum
  | ArrayDatum;

export type DatumKind = Datum['kind'];
/** Kinds an array may hold (every element is of this kind or NULL). */
export type ArrayElementKind = Exclude<DatumKind, 'null'>;
/** Kinds that may be key columns (json and arrays have a value encoding only). */
export type KeyKind = Exclude<DatumKind, 'null' | 'json' | 'array'>;

/** The one NULL; datums are immutable, so it can be shared. */
export const nullDatum: NullDatum = Object.freeze({ kind: 'null' });
export const trueDatum: BoolDatum = Object.freeze({ kind: 'bool', value: true });
export const falseDatum: BoolDatum = Object.freeze({ kind: 'bool', value: false });

export const int64Min = -(2n ** 63n);
export const int64Max = 2n ** 63n - 1n;
export const int32Min = -(2 ** 31);
export const int32Max = 2 ** 31 - 1;

/** PostgreSQL stores timestamp 'infinity' as the largest int64. */
export const timestampInfinity = int64Max;
/** PostgreSQL stores timestamp '-infinity' as the smallest int64. */
export const timestampNegInfinity = int64Min;
/** PostgreSQL stores date 'infinity' as the largest int32. */
export const dateInfinity = int32Max;
/** PostgreSQL stores date '-infinity' as the smallest int32. */
export const dateNegInfinity = int32Min;

export const microsPerDay = 86_400_000_000;
/** Largest time of day: 24:00:00, which PostgreSQL accepts. */
export const timeMicrosMax = microsPerDay;

/** 2000-01-01 00:00:00 UTC in microseconds since the Unix epoch (to convert from JS time). */
export const pgEpochUnixMicros = 946_684_800_000_000n;
/** 2000-01-01 in days since 1970-01-01. */
export const pgEpochUnixDays = 10_957;

/** Whether a kind may be a key column. */
export function isKeyKind(kind: DatumKind): kind is KeyKind {
  return kind !== 'null' && kind !== 'json' && kind !== 'array';
}
