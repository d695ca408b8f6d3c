/**
 * sql/encoding — how SQL datums become bytes, and back.
 *
 * - datum.ts: the datum model, a discriminated union on `kind`, with
 *   PostgreSQL's representations (int8 bigint, µs since 2000-01-01, ±infinity
 *   as the integer extremes, numeric as coefficient × 10^-scale).
 * - key.ts: order-preserving key encoding; byte order = `compareDatums`
 *   order; ascending or descending per column (a descending column is the
 *   complement); NULL is the smallest value (first ascending, last
 *   descending); composite keys concatenate. Keys are canonical: values
 *   PostgreSQL deems equal (1.1 = 1.10, -0.0 = 0.0, '1 mon' = '30 days')
 *   encode alike. Parts: varint.ts (ordered and unsigned varints),
 *   key-bytes.ts (escaped strings), key-decimal.ts, key-interval.ts.
 * - value.ts: exact, compact, skippable encoding of one datum (tag ‖ payload).
 * - row.ts: row values, non-key columns tagged by column ID (absent = NULL),
 *   decodable in part with cheap skipping of unwanted columns.
 * - compare.ts: the reference ordering (PostgreSQL's, NULL smallest), and
 *   byte and UTF-8 string comparison.
 * - decimal.ts: numeric parse, format, normalise, compare, range checks.
 * - writer.ts / reader.ts: a reusable growable writer; a bounds-checked reader.
 *
 * Failures: bad bytes or unencodable datums throw `EncodingError`; misuse of
 * the API (mismatched lengths, unordered column IDs) throws
 * `EncodingAssertionError`. Limits live in limits.ts.
 *
 * The KV layers see only opaque ordered keys and values.
 */
export { EncodingAssertionError } from './assert.ts';
export { EncodingError } from './errors.ts';
export {
  dateInfinity, dateNegInfinity, falseDatum, int32Max, int32Min, int64Max, int64Min, isKeyKind, microsPerDay,
  nullDatum, pgEpochUnixDays, pgEpochUnixMicros, timeMicrosMax, timestampInfinity, timestampNegInfinity, trueDatum,
} from './datum.ts';
export type {
  ArrayDatum, ArrayElementKind, BoolDatum, BytesDatum, DateDatum, Datum, DatumKind, Decimal, DecimalDatum,
  FloatDatum, Int64, IntDatum, Interval, IntervalDatum, JsonDatum, KeyKind, NullDatum, StringDatum, TimeDatum,
  TimestampDatum, TimestampTzDatum, UuidDatum,
} from './datum.ts';
export { ByteWriter } from './writer.ts';
export {
  decodeKey, encodeKey, encodeKeyBytes, encodeKeyDatum, encodeKeyNotNullBoundary, KeyReader, keyLosesInformation,
  type Direction, type KeyColumns,
} from './key.ts';
export { justify as justifyInterval } from './key-interval.ts';
export { decodeDatumValue, encodeDatumValue } from './value.ts';
export { decodeRowValue, encodeRowValue, RowValueBuilder, RowValueDecoder, type ColumnValue } from './row.ts';
export { compareBytes, compareDatums, compareStrings, intervalSpanMicros } from './compare.ts';
export {
  checkDecimalRange, compareDecimals, decimalInfinity, decimalNaN, decimalNegInfinity, formatDecimal,
  normalizeDecimal, parseDecimal,
} from './decimal.ts';
export {
  arrayDepthMax, arrayElementsMax, columnIdMax, decimalFractionDigitsMax, decimalIntegerDigitsMax, encodedBytesMax,
} from './limits.ts';
