/**
 * sql/encoding — how SQL datums become bytes.
 *
 * - datum.ts: the datum model (a discriminated union) the encodings work on.
 * - key.ts: order-preserving key encoding, ascending and descending, composite
 *   keys; byte order equals PostgreSQL's sort order (NULLs last ascending).
 * - value.ts: compact row values tagged by column ID (skippable, not ordered).
 * - compare.ts: the reference ordering (PostgreSQL's).
 * - decimal.ts: exact decimals (numeric): parse, format, normalise, compare.
 *
 * The KV layers treat these bytes as opaque ordered keys and values.
 */
export { ByteReader, ByteWriter } from './buffer.ts';
export * from './datum.ts';
export { EncodingError } from './errors.ts';
export { decodeKey, decodeKeyDatum, encodeKey, encodeKeyBytes, encodeKeyDatum, type Direction } from './key.ts';
export {
  decodeDatumValue, decodeRowColumns, decodeRowValue, encodeDatumValue, encodeRowValue, type ColumnValue,
} from './value.ts';
export { compareBytes, compareDatums } from './compare.ts';
export { compareDecimals, formatDecimal, normalizeDecimal, parseDecimal } from './decimal.ts';
export { valueArrayElementsMax, valueBytesMax } from './limits.ts';
