/**
 * The compact value encoding of a row's non-key columns, tagged by column ID
 * so a column can be added without rewriting rows and a reader can skip the
 * columns it does not want. Not order-preserving.
 *
 *   row    := column*            (ascending column IDs; NULL columns are omitted)
 *   column := uvarint(idDelta) ‖ tag(1) ‖ payload
 *
 * Payloads: int zigzag-varint; float 8 bytes; decimal its text; string, bytes
 * and json a uvarint length and bytes; timestamps zigzag-varint µs (±infinity
 * as tags); date zigzag-varint days; time varint µs; interval three
 * zigzag-varints; uuid 16 bytes; array a uvarint count and elements as
 * tag ‖ payload (NULL elements as the null tag).
 */
import { ByteReader, ByteWriter } from './buffer.ts';
import type { Datum, Instant } from './datum.ts';
import { formatDecimal, parseDecimal } from './decimal.ts';
import { EncodingError } from './errors.ts';
import { valueArrayElementsMax, valueBytesMax } from './limits.ts';

const t = {
  null: 0, false: 1, true: 2, int: 3, float: 4, decimal: 5, string: 6, bytes: 7,
  timestamp: 8, timestampNegInf: 9, timestampPosInf: 10, timestamptz: 11, timestamptzNegInf: 12, timestamptzPosInf: 13,
  date: 14, dateNegInf: 15, datePosInf: 16, time: 17, interval: 18, uuid: 19, json: 20, array: 21,
} as const;

function writeUvarint(w: ByteWriter, v: bigint): void {
  let x = v;
  while (x >= 0x80n) {
    w.byte(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  w.byte(Number(x));
}

function readUvarint(r: ByteReader): bigint {
  let shift = 0n;
  let v = 0n;
  for (let i = 0; i < 19; i++) {
    const b = r.byte();
    v |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return v;
    shift += 7n;
  }
  throw new EncodingError('varint is too long');
}

const zig = (v: bigint) => (v >= 0n ? v << 1n : ((-v) << 1n) - 1n);
const unzig = (v: bigint) => (v & 1n ? -((v + 1n) >> 1n) : v >> 1n);

function readSmall(r: ByteReader, what: string): number {
  const v = readUvarint(r);
  if (v > BigInt(valueBytesMax)) throw new EncodingError(`${what} ${v} is too large`);
  return Number(v);
}

function writeLengthPrefixed(w: ByteWriter, bytes: Uint8Array): void {
  writeUvarint(w, BigInt(bytes.length));
  w.bytes(bytes);
}

function writeInstant(w: ByteWriter, tags: readonly [number, number, number], v: Instant): void {
  if (v === '-infinity') return w.byte(tags[1]);
  if (v === 'infinity') return w.byte(tags[2]);
  w.byte(tags[0]);
  writeUvarint(w, zig(v));
}

/** Appends tag ‖ payload for one datum (NULL included, for array elements). */
function writeTagged(w: ByteWriter, d: Datum): void {
  switch (d.kind) {
    case 'null': return w.byte(t.null);
    case 'bool': return w.byte(d.value ? t.true : t.false);
    case 'int': w.byte(t.int); return writeUvarint(w, zig(d.value));
    case 'float': w.byte(t.float); return w.float64(d.value);
    case 'decimal': w.byte(t.decimal); return writeLengthPrefixed(w, Buffer.from(formatDecimal(d.value)));
    case 'string': w.byte(t.string); return writeLengthPrefixed(w, Buffer.from(d.value, 'utf8'));
    case 'bytes': w.byte(t.bytes); return writeLengthPrefixed(w, d.value);
    case 'json': w.byte(t.json); return writeLengthPrefixed(w, Buffer.from(d.value, 'utf8'));
    case 'timestamp': return writeInstant(w, [t.timestamp, t.timestampNegInf, t.timestampPosInf], d.value);
    case 'timestamptz': return writeInstant(w, [t.timestamptz, t.timestamptzNegInf, t.timestamptzPosInf], d.value);
    case 'date':
      return writeInstant(w, [t.date, t.dateNegInf, t.datePosInf], typeof d.value === 'number' ? BigInt(d.value) : d.value);
    case 'time': w.byte(t.time); return writeUvarint(w, zig(d.value));
    case 'interval':
      w.byte(t.interval);
      writeUvarint(w, zig(BigInt(d.value.months)));
      writeUvarint(w, zig(BigInt(d.value.days)));
      return writeUvarint(w, zig(d.value.micros));
    case 'uuid':
      if (d.value.length !== 16) throw new EncodingError(`uuid of ${d.value.length} bytes`);
      w.byte(t.uuid);
      return w.bytes(d.value);
    case 'array':
      if (d.values.length > valueArrayElementsMax) throw new EncodingError('array has too many elements');
      w.byte(t.array);
      writeUvarint(w, BigInt(d.values.length));
      for (const e of d.values) writeTagged(w, e);
      return;
  }
}

function utf8(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (!Buffer.from(text, 'utf8').equals(bytes)) throw new EncodingError('text is not valid UTF-8');
  return text;
}

function readInt32(r: ByteReader, what: string): number {
  const v = unzig(readUvarint(r));
  if (v > 2_147_483_647n || v < -2_147_483_648n) throw new EncodingError(`${what} out of range`);
  return Number(v);
}

function readTagged(r: ByteReader, depth = 0): Datum {
  const tag = r.byte();
  switch (tag) {
    case t.null: return { kind: 'null' };
    case t.false: return { kind: 'bool', value: false };
    case t.true: return { kind: 'bool', value: true };
    case t.int: {
      const value = unzig(readUvarint(r));
      if (value >= 2n ** 63n || value < -(2n ** 63n)) throw new EncodingError('integer out of the int64 range');
      return { kind: 'int', value };
    }
    case t.float: return { kind: 'float', value: r.take(8).readDoubleBE(0) };
    case t.decimal: return { kind: 'decimal', value: parseDecimal(utf8(r.take(readSmall(r, 'decimal length')))) };
    case t.string: return { kind: 'string', value: utf8(r.take(readSmall(r, 'string length'))) };
    case t.bytes: return { kind: 'bytes', value: r.take(readSmall(r, 'bytes length')) };
    case t.json: return { kind: 'json', value: utf8(r.take(readSmall(r, 'json length'))) };
    case t.timestamp: return { kind: 'timestamp', value: unzig(readUvarint(r)) };
    case t.timestampNegInf: return { kind: 'timestamp', value: '-infinity' };
    case t.timestampPosInf: return { kind: 'timestamp', value: 'infinity' };
    case t.timestamptz: return { kind: 'timestamptz', value: unzig(readUvarint(r)) };
    case t.timestamptzNegInf: return { kind: 'timestamptz', value: '-infinity' };
    case t.timestamptzPosInf: return { kind: 'timestamptz', value: 'infinity' };
    case t.date: {
      const days = unzig(readUvarint(r));
      if (days > BigInt(Number.MAX_SAFE_INTEGER) || days < BigInt(Number.MIN_SAFE_INTEGER)) throw new EncodingError('date out of range');
      return { kind: 'date', value: Number(days) };
    }
    case t.dateNegInf: return { kind: 'date', value: '-infinity' };
    case t.datePosInf: return { kind: 'date', value: 'infinity' };
    case t.time: return { kind: 'time', value: unzig(readUvarint(r)) };
    case t.interval: {
      const months = readInt32(r, 'interval months');
      const days = readInt32(r, 'interval days');
      return { kind: 'interval', value: { months, days, micros: unzig(readUvarint(r)) } };
    }
    case t.uuid: return { kind: 'uuid', value: r.take(16) };
    case t.array: {
      if (depth > 0) throw new EncodingError('nested arrays are not supported');
      const count = readSmall(r, 'array length');
      if (count > valueArrayElementsMax) throw new EncodingError('array has too many elements');
      const values: Datum[] = [];
      for (let i = 0; i < count; i++) values.push(readTagged(r, depth + 1));
      return { kind: 'array', values };
    }
    default:
      throw new EncodingError(`unknown value tag ${tag}`);
  }
}

/** One encoded column: its ID and datum. */
export interface ColumnValue {
  readonly columnId: number;
  readonly datum: Datum;
}

/** Encodes a row's non-key columns; columns must be in ascending ID order; NULLs are skipped. */
export function encodeRowValue(w: ByteWriter, columns: readonly ColumnValue[]): void {
  let previous = 0;
  for (const { columnId, datum } of columns) {
    if (!Number.isInteger(columnId) || columnId <= previous) throw new EncodingError(`column ID ${columnId} is out of order`);
    if (datum.kind === 'null') continue;
    writeUvarint(w, BigInt(columnId - previous));
    writeTagged(w, datum);
    previous = columnId;
  }
}

/** Decodes every column of a row value. */
export function decodeRowValue(bytes: Uint8Array): ColumnValue[] {
  const r = new ByteReader(bytes);
  const out: ColumnValue[] = [];
  let id = 0;
  while (r.remaining > 0) {
    const delta = readSmall(r, 'column ID delta');
    if (delta === 0) throw new EncodingError('column ID delta of 0');
    id += delta;
    out.push({ columnId: id, datum: readTagged(r) });
  }
  return out;
}

/**
 * Decodes only the wanted columns (others are still parsed to find their end,
 * but not materialised into results). Missing columns are NULL.
 */
export function decodeRowColumns(bytes: Uint8Array, wanted: readonly number[]): Datum[] {
  const result: Datum[] = wanted.map(() => ({ kind: 'null' }));
  const index = new Map<number, number>();
  wanted.forEach((id, i) => index.set(id, i));
  for (const { columnId, datum } of decodeRowValue(bytes)) {
    const i = index.get(columnId);
    if (i !== undefined) result[i] = datum;
  }
  return result;
}

/** Encodes a single datum (tag ‖ payload), for values stored alone (e.g. secondary index values). */
export function encodeDatumValue(w: ByteWriter, d: Datum): void {
  writeTagged(w, d);
}

/** Decodes a datum written by encodeDatumValue; returns it and the offset after it. */
export function decodeDatumValue(bytes: Uint8Array, offset = 0): { datum: Datum; offset: number } {
  const r = new ByteReader(bytes, offset);
  const datum = readTagged(r);
  return { datum, offset: r.offset };
}
