/**
 * The datums the encodings understand: a small discriminated union that the
 * SQL type layer maps its values onto. Integers are bigints so int8 is exact;
 * timestamps are microseconds since the Unix epoch (bigint) or ±infinity, as
 * PostgreSQL stores them (with a different epoch); dates are days.
 */

/** An exact decimal: coefficient × 10^-scale, or one of PostgreSQL numeric's specials. */
export type Decimal =
  | { readonly kind: 'finite'; readonly coefficient: bigint; readonly scale: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'infinity'; readonly negative: boolean };

/** A point in time or ±infinity. */
export type Instant = bigint | 'infinity' | '-infinity';
/** A date in days since 1970-01-01, or ±infinity. */
export type DayNumber = number | 'infinity' | '-infinity';

export interface Interval {
  readonly months: number;
  readonly days: number;
  readonly micros: bigint;
}

export type Datum =
  | { readonly kind: 'null' }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'int'; readonly value: bigint }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'decimal'; readonly value: Decimal }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'bytes'; readonly value: Uint8Array }
  | { readonly kind: 'timestamp'; readonly value: Instant }
  | { readonly kind: 'timestamptz'; readonly value: Instant }
  | { readonly kind: 'date'; readonly value: DayNumber }
  | { readonly kind: 'time'; readonly value: bigint }
  | { readonly kind: 'interval'; readonly value: Interval }
  | { readonly kind: 'uuid'; readonly value: Uint8Array }
  /** JSON text (jsonb is stored as its canonical text); value encoding only. */
  | { readonly kind: 'json'; readonly value: string }
  /** A one-dimensional array; value encoding only. */
  | { readonly kind: 'array'; readonly values: readonly Datum[] };

export type DatumKind = Datum['kind'];

export const nullDatum: Datum = Object.freeze({ kind: 'null' });

/** int8 bounds. */
export const int64Min = -(2n ** 63n);
export const int64Max = 2n ** 63n - 1n;
