/**
 * Order-preserving key encoding. For two datums of one kind,
 * `sign(compareBytes(key(a), key(b))) === sign(compareDatums(a, b))`, and a
 * composite key is the concatenation of its columns, each self-delimiting,
 * so the first differing column decides. A descending column is the bytewise
 * complement of its ascending form: its order reverses and its neighbours
 * are untouched.
 *
 * NULL is the smallest value (0x00), as in CockroachDB: first in an
 * ascending column, last in a descending one (0xff). 0x01 (0xfe descending)
 * is never stored: it is a boundary between a column's NULLs and its values
 * for scan spans that exclude NULLs.
 *
 * Each column starts with a tag, so keys decode without a schema and a
 * decoder given the expected kinds catches bytes of the wrong type:
 *
 *   0x00 NULL            0x10–0x15 decimal: -inf, neg, zero, pos, +inf, NaN
 *   0x02 false 0x03 true 0x18 bytes, 0x19 string (escaped, key-bytes.ts)
 *   0x08 float, 0x09 NaN 0x20 timestamp 0x21 timestamptz 0x22 date 0x23 time
 *   0x24 interval        0x28 uuid (16 bytes)
 *   0x80–0xfd int: the tag is the ordered varint's own header (varint.ts),
 *                so 0…109 take one byte
 *
 * After their tag, timestamps, dates and times are ordered varints, floats
 * 8 sign-adjusted IEEE bytes, intervals two ordered varints (days, µs).
 *
 * Canonical forms: -0.0 encodes as +0.0, decimals drop trailing zeros,
 * intervals keep only their span. `keyLosesInformation` tells a row writer
 * when it must also keep the datum in the row value.
 *
 * Format history: v1 (this one).
 */
import { assert, unreachable } from './assert.ts';
import {
  falseDatum, int32Max, int32Min, nullDatum, timeMicrosMax, trueDatum, type Datum, type Decimal, type KeyKind,
} from './datum.ts';
import { EncodingError } from './errors.ts';
import { readDecimalMagnitude, skipDecimalMagnitude, writeDecimalMagnitude } from './key-decimal.ts';
import { readEscapedBytes, readEscapedString, skipEscaped, writeEscapedBytes, writeEscapedString } from './key-bytes.ts';
import { isJustified, readIntervalSpan, skipIntervalSpan, writeIntervalSpan } from './key-interval.ts';
import { ByteReader } from './reader.ts';
import {
  orderedIntHeaderMax, orderedIntHeaderMin, readOrderedInt, readOrderedNumber, skipOrderedInt, writeOrderedInt,
} from './varint.ts';
import { ByteWriter } from './writer.ts';

export type Direction = 'asc' | 'desc';

const tagNull = 0x00;
const tagNotNull = 0x01;
const tagFalse = 0x02;
const tagTrue = 0x03;
const tagFloat = 0x08;
const tagFloatNaN = 0x09;
const tagDecimalNegInf = 0x10;
const tagDecimalNeg = 0x11;
const tagDecimalZero = 0x12;
const tagDecimalPos = 0x13;
const tagDecimalInf = 0x14;
const tagDecimalNaN = 0x15;
const tagBytes = 0x18;
const tagString = 0x19;
const tagTimestamp = 0x20;
const tagTimestampTz = 0x21;
const tagDate = 0x22;
const tagTime = 0x23;
const tagInterval = 0x24;
const tagUuid = 0x28;

/** The kind each tag decodes to (undefined: not a tag). */
const tagKinds: (KeyKind | 'null' | undefined)[] = new Array(256).fill(undefined);
tagKinds[tagNull] = 'null';
tagKinds[tagFalse] = tagKinds[tagTrue] = 'bool';
tagKinds[tagFloat] = tagKinds[tagFloatNaN] = 'float';
for (let t = tagDecimalNegInf; t <= tagDecimalNaN; t++) tagKinds[t] = 'decimal';
tagKinds[tagBytes] = 'bytes';
tagKinds[tagString] = 'string';
tagKinds[tagTimestamp] = 'timestamp';
tagKinds[tagTimestampTz] = 'timestamptz';
tagKinds[tagDate] = 'date';
tagKinds[tagTime] = 'time';
tagKinds[tagInterval] = 'interval';
tagKinds[tagUuid] = 'uuid';
for (let t = orderedIntHeaderMin; t <= orderedIntHeaderMax; t++) tagKinds[t] = 'int';

const uuidBytes = 16;
const scratch = Buffer.alloc(8);

function writeFloat(w: ByteWriter, v: number): void {
  if (Number.isNaN(v)) return w.byte(tagFloatNaN);
  const at = w.reserve(9);
  const t = w.target;
  t[at] = tagFloat;
  t.writeDoubleBE(v === 0 ? 0 : v, at + 1); // -0 and +0 are one key, as PostgreSQL compares them
  // IEEE order for positives is byte order once the sign bit is set; negatives
  // compare reversed, so complement them entirely.
  if ((t[at + 1]! & 0x80) !== 0) for (let i = at + 1; i < at + 9; i++) t[i] = ~t[i]! & 0xff;
  else t[at + 1] = t[at + 1]! | 0x80;
}

function readFloat(r: ByteReader): number {
  r.need(8);
  const raw = r.buf[r.pos]! ^ r.flip;
  const mask = (raw & 0x80) !== 0 ? r.flip : r.flip ^ 0xff;
  for (let i = 0; i < 8; i++) scratch[i] = r.buf[r.pos + i]! ^ mask;
  if ((raw & 0x80) !== 0) scratch[0] = scratch[0]! & 0x7f;
  r.pos += 8;
  const v = scratch.readDoubleBE(0);
  if (Number.isNaN(v)) throw new EncodingError('NaN stored as a finite float key');
  if (Object.is(v, -0)) throw new EncodingError('-0 stored as a float key (not canonical)');
  return v;
}

function writeDecimal(w: ByteWriter, v: Decimal): void {
  switch (v.kind) {
    case 'nan': return w.byte(tagDecimalNaN);
    case 'infinity': return w.byte(tagDecimalInf);
    case '-infinity': return w.byte(tagDecimalNegInf);
    case 'finite': break;
  }
  if (v.coefficient === 0n) return w.byte(tagDecimalZero);
  const negative = v.coefficient < 0n;
  w.byte(negative ? tagDecimalNeg : tagDecimalPos);
  const start = w.length;
  writeDecimalMagnitude(w, v);
  if (negative) w.invertFrom(start);
}

function writeRangedInt(w: ByteWriter, tag: number, v: number, min: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < min || v > max) throw new EncodingError(`${what} ${v} out of range`);
  w.byte(tag);
  writeOrderedInt(w, v);
}

function writeAscending(w: ByteWriter, datum: Datum): void {
  switch (datum.kind) {
    case 'null': return w.byte(tagNull);
    case 'bool': return w.byte(datum.value ? tagTrue : tagFalse);
    case 'int': return writeOrderedInt(w, datum.value);
    case 'float': return writeFloat(w, datum.value);
    case 'decimal': return writeDecimal(w, datum.value);
    case 'string': w.byte(tagString); return writeEscapedString(w, datum.value);
    case 'bytes': w.byte(tagBytes); return writeEscapedBytes(w, datum.value);
    case 'timestamp': w.byte(tagTimestamp); return writeOrderedInt(w, datum.value);
    case 'timestamptz': w.byte(tagTimestampTz); return writeOrderedInt(w, datum.value);
    case 'date': return writeRangedInt(w, tagDate, datum.value, int32Min, int32Max, 'date');
    case 'time': return writeRangedInt(w, tagTime, datum.value, 0, timeMicrosMax, 'time');
    case 'interval': w.byte(tagInterval); return writeIntervalSpan(w, datum.value);
    case 'uuid':
      if (datum.value.length !== uuidBytes) throw new EncodingError(`uuid of ${datum.value.length} bytes`);
      w.byte(tagUuid);
      return w.bytes(datum.value);
    case 'json':
    case 'array':
      throw new EncodingError(`${datum.kind} cannot be a key column`);
    default:
      return unreachable(datum);
  }
}

/** Appends one key column in the given direction. */
export function encodeKeyDatum(w: ByteWriter, datum: Datum, direction: Direction = 'asc'): void {
  const start = w.length;
  try {
    writeAscending(w, datum);
  } catch (error) {
    w.truncate(start); // leave the writer as it was: a caller may reuse its prefix
    throw error;
  }
  if (direction === 'desc') w.invertFrom(start);
}

/** Appends a composite key, each column in its own direction; returns the writer's length after it. */
export function encodeKey(w: ByteWriter, datums: readonly Datum[], directions: readonly Direction[]): number {
  assert(datums.length === directions.length, 'one direction per key column');
  for (let i = 0; i < datums.length; i++) encodeKeyDatum(w, datums[i]!, directions[i]!);
  return w.length;
}

/** The key encoding of `datums` as a fresh buffer (for tests and one-off keys; hot paths reuse a writer). */
export function encodeKeyBytes(datums: readonly Datum[], directions: readonly Direction[]): Buffer {
  const w = new ByteWriter(64);
  encodeKey(w, datums, directions);
  return w.finish();
}

/**
 * Appends the boundary between a column's NULLs and its values: above NULL
 * ascending, below NULL descending. Never a stored key; a span start (or
 * end) that excludes NULLs.
 */
export function encodeKeyNotNullBoundary(w: ByteWriter, direction: Direction): void {
  w.byte(direction === 'asc' ? tagNotNull : ~tagNotNull & 0xff);
}

/**
 * Whether a datum's key form loses something its value keeps (-0.0, a
 * decimal's trailing zeros, an interval's split into months and days): a row
 * writer stores such key columns in the row value too.
 */
export function keyLosesInformation(datum: Datum): boolean {
  switch (datum.kind) {
    case 'float': return Object.is(datum.value, -0);
    case 'decimal': {
      const v = datum.value;
      if (v.kind !== 'finite') return false;
      return v.coefficient === 0n ? v.scale !== 0 : v.coefficient % 10n === 0n;
    }
    case 'interval': return !isJustified(datum.value);
    default: return false;
  }
}

function readAscending(r: ByteReader, tag: number): Datum {
  switch (tag) {
    case tagNull: return nullDatum;
    case tagFalse: return falseDatum;
    case tagTrue: return trueDatum;
    case tagFloat: return { kind: 'float', value: readFloat(r) };
    case tagFloatNaN: return { kind: 'float', value: NaN };
    case tagDecimalNegInf: return { kind: 'decimal', value: { kind: '-infinity' } };
    case tagDecimalInf: return { kind: 'decimal', value: { kind: 'infinity' } };
    case tagDecimalNaN: return { kind: 'decimal', value: { kind: 'nan' } };
    case tagDecimalZero: return { kind: 'decimal', value: { kind: 'finite', coefficient: 0n, scale: 0 } };
    case tagDecimalPos: return { kind: 'decimal', value: readDecimalMagnitude(r, false) };
    case tagDecimalNeg: {
      r.flip ^= 0xff;
      const value = readDecimalMagnitude(r, true);
      r.flip ^= 0xff;
      return { kind: 'decimal', value };
    }
    case tagString: return { kind: 'string', value: readEscapedString(r) };
    case tagBytes: return { kind: 'bytes', value: readEscapedBytes(r) };
    case tagTimestamp: return { kind: 'timestamp', value: readOrderedInt(r) };
    case tagTimestampTz: return { kind: 'timestamptz', value: readOrderedInt(r) };
    case tagDate: return { kind: 'date', value: readOrderedNumber(r, int32Min, int32Max, 'date') };
    case tagTime: return { kind: 'time', value: readOrderedNumber(r, 0, timeMicrosMax, 'time') };
    case tagInterval: return { kind: 'interval', value: readIntervalSpan(r) };
    case tagUuid: return { kind: 'uuid', value: r.copy(uuidBytes) };
    default:
      if (tag >= orderedIntHeaderMin && tag <= orderedIntHeaderMax) {
        r.pos--; // the tag is the varint's header
        return { kind: 'int', value: readOrderedInt(r) };
      }
      throw new EncodingError(`unknown key tag 0x${tag.toString(16)}`);
  }
}

function skipAscending(r: ByteReader, tag: number): void {
  switch (tag) {
    case tagNull: case tagFalse: case tagTrue: case tagFloatNaN:
    case tagDecimalNegInf: case tagDecimalInf: case tagDecimalNaN: case tagDecimalZero:
      return;
    case tagFloat: return r.skip(8);
    case tagDecimalPos: return skipDecimalMagnitude(r);
    case tagDecimalNeg:
      r.flip ^= 0xff; // the magnitude of a negative is complemented
      skipDecimalMagnitude(r);
      r.flip ^= 0xff;
      return;
    case tagString:
    case tagBytes:
      return skipEscaped(r);
    case tagTimestamp: case tagTimestampTz: case tagDate: case tagTime:
      return skipOrderedInt(r);
    case tagInterval: return skipIntervalSpan(r);
    case tagUuid: return r.skip(uuidBytes);
    default:
      if (tag >= orderedIntHeaderMin && tag <= orderedIntHeaderMax) {
        r.pos--;
        return skipOrderedInt(r);
      }
      throw new EncodingError(`unknown key tag 0x${tag.toString(16)}`);
  }
}

/**
 * Reads key columns one at a time from a position in a key: the row fetcher
 * keeps one per scan and places each column where its row needs it.
 */
export class KeyReader {
  readonly #r: ByteReader;

  constructor(bytes: Uint8Array, offset = 0) {
    this.#r = new ByteReader(bytes, offset);
  }

  /** Offset of the next column. */
  get offset(): number {
    return this.#r.pos;
  }

  /** Whether every byte has been read. */
  get done(): boolean {
    return this.#r.remaining === 0;
  }

  /** Decodes the next column; with `kind`, a non-NULL column of another kind is corruption. */
  next(direction: Direction, kind?: KeyKind): Datum {
    const r = this.#r;
    r.flip = direction === 'desc' ? 0xff : 0;
    try {
      const tag = r.byte();
      if (kind !== undefined) checkTag(tag, kind);
      return readAscending(r, tag);
    } finally {
      r.flip = 0;
    }
  }

  /** Moves past the next column without decoding it (cheap; checks framing only). */
  skip(direction: Direction): void {
    const r = this.#r;
    r.flip = direction === 'desc' ? 0xff : 0;
    try {
      skipAscending(r, r.byte());
    } finally {
      r.flip = 0;
    }
  }
}

function checkTag(tag: number, kind: KeyKind): void {
  const found = tagKinds[tag];
  if (found !== kind && found !== 'null') {
    throw new EncodingError(`expected a ${kind} key column, found ${found ?? `tag 0x${tag.toString(16)}`}`);
  }
}

/** The kinds and directions of a run of key columns. */
export interface KeyColumns {
  readonly directions: readonly Direction[];
  /** When given, each column must be of this kind (or NULL). */
  readonly kinds?: readonly KeyKind[];
}

/** Decodes `columns.directions.length` key columns starting at `offset`; returns them and the offset after them. */
export function decodeKey(bytes: Uint8Array, offset: number, columns: KeyColumns): { datums: Datum[]; end: number } {
  const { directions, kinds } = columns;
  assert(kinds === undefined || kinds.length === directions.length, 'one kind per key column');
  const reader = new KeyReader(bytes, offset);
  const datums: Datum[] = new Array(directions.length);
  for (let i = 0; i < directions.length; i++) datums[i] = reader.next(directions[i]!, kinds?.[i]);
  return { datums, end: reader.offset };
}
