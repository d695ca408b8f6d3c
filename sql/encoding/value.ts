/**
 * The value encoding of one datum: a 5-bit tag and a payload. Not ordered;
 * compact, exact (keeps -0.0, a decimal's scale, an interval's fields) and
 * skippable: the tag alone says how to find the payload's end.
 *
 *   tag  kind         payload
 *   0    NULL         —              (array elements only; rows omit NULLs)
 *   1/2  false/true   —
 *   3    int          zigzag varint
 *   4    float        8 bytes IEEE 754 big-endian
 *   5    decimal      uvarint length ‖ sign byte (0 +, 1 −, 2 NaN, 3 +inf, 4 −inf)
 *                     ‖ zigzag varint scale ‖ coefficient magnitude big-endian
 *   6    string       uvarint length ‖ UTF-8
 *   7    bytes        uvarint length ‖ bytes
 *   8/9  timestamp/tz 8 bytes big-endian two's complement µs (fixed: today's
 *                     timestamps need 60 bits, 9 bytes as a varint)
 *   10   date         zigzag varint days
 *   11   time         uvarint µs
 *   12   interval     zigzag varints months, days, µs
 *   13   uuid         16 bytes
 *   14   json         uvarint length ‖ UTF-8 text
 *   15   array        uvarint length ‖ element tag ‖ uvarint count ‖ (tag ‖ payload)*
 *
 * Tags 16–31 are free for new kinds. Format history: v1 (this one).
 */
import { isUtf8 } from 'node:buffer';
import { unreachable } from './assert.ts';
import {
  falseDatum, int32Max, int32Min, nullDatum, timeMicrosMax, trueDatum, type ArrayElementKind, type Datum, type Decimal,
  type Int64,
} from './datum.ts';
import { checkDecimalRange } from './decimal.ts';
import { EncodingError } from './errors.ts';
import { checkInterval } from './key-interval.ts';
import { arrayDepthMax, arrayElementsMax, encodedBytesMax } from './limits.ts';
import { ByteReader } from './reader.ts';
import {
  checkInt64, readUvarint, readZigzag, readZigzagNumber, skipUvarint, uvarintBytes, writeUvarint, writeUvarintAt,
  writeZigzag,
} from './varint.ts';
import { ByteWriter } from './writer.ts';

export const valueTag = {
  null: 0, false: 1, true: 2, int: 3, float: 4, decimal: 5, string: 6, bytes: 7,
  timestamp: 8, timestamptz: 9, date: 10, time: 11, interval: 12, uuid: 13, json: 14, array: 15,
} as const;
/** Tags fit 5 bits, so a row column header packs one with the column-ID delta. */
export const valueTagBits = 5;
const tagCount = 16;

const uuidBytes = 16;
const decimalPositive = 0;
const decimalNegative = 1;
const decimalNaN = 2;
const decimalInf = 3;
const decimalNegInf = 4;

/** The tag a datum is written with. */
export function valueTagOf(d: Datum): number {
  // A switch, not valueTag[d.kind]: a keyed lookup by string is slower per column.
  switch (d.kind) {
    case 'null': return valueTag.null;
    case 'bool': return d.value ? valueTag.true : valueTag.false;
    case 'int': return valueTag.int;
    case 'float': return valueTag.float;
    case 'decimal': return valueTag.decimal;
    case 'string': return valueTag.string;
    case 'bytes': return valueTag.bytes;
    case 'timestamp': return valueTag.timestamp;
    case 'timestamptz': return valueTag.timestamptz;
    case 'date': return valueTag.date;
    case 'time': return valueTag.time;
    case 'interval': return valueTag.interval;
    case 'uuid': return valueTag.uuid;
    case 'json': return valueTag.json;
    case 'array': return valueTag.array;
    default: return unreachable(d);
  }
}

/** The tag for an array's element kind (bool arrays use the false tag). */
function elementTagOf(kind: ArrayElementKind): number {
  return kind === 'bool' ? valueTag.false : valueTag[kind];
}

const tagElementKinds: ArrayElementKind[] = [
  'bool', 'bool', 'bool', 'int', 'float', 'decimal', 'string', 'bytes',
  'timestamp', 'timestamptz', 'date', 'time', 'interval', 'uuid', 'json', 'array',
]; // index 0 (null) is never an element kind; checked on read

/** Appends a datum's payload (its tag is written by the caller). */
export function writeValuePayload(w: ByteWriter, d: Datum, depth = 0): void {
  switch (d.kind) {
    case 'null':
    case 'bool':
      return;
    case 'int': return writeZigzag(w, d.value);
    case 'timestamp':
    case 'timestamptz':
      return writeInt64Fixed(w, d.value);
    case 'float': {
      const at = w.reserve(8);
      const t = w.target;
      if (Number.isNaN(d.value)) {
        // V8 may hand us NaNs with other bit patterns (-NaN); store one.
        t.writeUInt32BE(0x7ff80000, at);
        t.writeUInt32BE(0, at + 4);
      } else {
        t.writeDoubleBE(d.value, at);
      }
      return;
    }
    case 'decimal': return writeDecimal(w, d.value);
    case 'string':
    case 'json':
      return writeText(w, d.value);
    case 'bytes':
      writeUvarint(w, d.value.length);
      return w.bytes(d.value);
    case 'date':
      if (!Number.isInteger(d.value) || d.value < int32Min || d.value > int32Max) {
        throw new EncodingError(`date ${d.value} out of range`);
      }
      return writeZigzag(w, d.value);
    case 'time':
      if (!Number.isInteger(d.value) || d.value < 0 || d.value > timeMicrosMax) {
        throw new EncodingError(`time ${d.value} out of range`);
      }
      return writeUvarint(w, d.value);
    case 'interval':
      checkInterval(d.value);
      writeZigzag(w, d.value.months);
      writeZigzag(w, d.value.days);
      return writeZigzag(w, d.value.micros);
    case 'uuid':
      if (d.value.length !== uuidBytes) throw new EncodingError(`uuid of ${d.value.length} bytes`);
      return w.bytes(d.value);
    case 'array': return writeArray(w, d, depth);
    default: return unreachable(d);
  }
}

function writeInt64Fixed(w: ByteWriter, value: Int64): void {
  const v = checkInt64(value);
  const at = w.reserve(8);
  const t = w.target;
  if (typeof v === 'bigint') {
    t.writeBigInt64BE(v, at);
  } else {
    const high = Math.floor(v / 2 ** 32);
    t.writeInt32BE(high, at);
    t.writeUInt32BE(v - high * 2 ** 32, at + 4);
  }
}

function readInt64Fixed(r: ByteReader): bigint {
  r.need(8);
  const v = r.buf.readBigInt64BE(r.pos);
  r.pos += 8;
  return v;
}

function writeText(w: ByteWriter, text: string): void {
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new EncodingError('string has a lone surrogate and no UTF-8 form');
  }
  if (text.length * 3 < 0x80) {
    // Short text: its length prefix is one byte whatever its UTF-8 size, so
    // write the text first and fill the prefix in, sparing a measuring pass.
    const at = w.reserve(1);
    const written = w.utf8(text); // may grow the buffer: read target after
    w.target[at] = written;
    return;
  }
  writeUvarint(w, Buffer.byteLength(text, 'utf8'));
  w.utf8(text);
}

function writeDecimal(w: ByteWriter, v: Decimal): void {
  if (v.kind !== 'finite') {
    writeUvarint(w, 1);
    return w.byte(v.kind === 'nan' ? decimalNaN : v.kind === 'infinity' ? decimalInf : decimalNegInf);
  }
  checkDecimalRange(v);
  const negative = v.coefficient < 0n;
  const magnitude = negative ? -v.coefficient : v.coefficient;
  const scale = v.scale >= 0 ? v.scale * 2 : -v.scale * 2 - 1;
  // A zero coefficient has no magnitude bytes; others have no leading zero byte.
  if (magnitude <= maxSafe) {
    let m = Number(magnitude);
    let n = 0;
    for (let x = m; x > 0; x = Math.floor(x / 256)) n++;
    writeUvarint(w, 1 + uvarintBytes(scale) + n);
    w.byte(negative ? decimalNegative : decimalPositive);
    writeUvarint(w, scale);
    const at = w.reserve(n);
    const t = w.target;
    for (let i = n - 1; i >= 0; i--) {
      const low = m % 256;
      t[at + i] = low;
      m = (m - low) / 256;
    }
    return;
  }
  const hex = magnitude.toString(16);
  const bytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  writeUvarint(w, 1 + uvarintBytes(scale) + bytes.length);
  w.byte(negative ? decimalNegative : decimalPositive);
  writeUvarint(w, scale);
  w.bytes(bytes);
}

const maxSafe = BigInt(Number.MAX_SAFE_INTEGER);

/** Writes a length-prefixed body: the body is written first, then shifted right to make room. */
function writeLengthPrefixed(w: ByteWriter, body: () => void): void {
  const start = w.length;
  body();
  const length = w.length - start;
  const prefix = uvarintBytes(length);
  w.reserve(prefix);
  const t = w.target;
  t.copyWithin(start + prefix, start, start + length);
  writeUvarintAt(t, start, length);
}

function writeArray(w: ByteWriter, d: Extract<Datum, { kind: 'array' }>, depth: number): void {
  if (depth + 1 > arrayDepthMax) throw new EncodingError(`arrays nest deeper than ${arrayDepthMax}`);
  if (d.values.length > arrayElementsMax) throw new EncodingError('array has too many elements');
  writeLengthPrefixed(w, () => {
    w.byte(elementTagOf(d.elementKind));
    writeUvarint(w, d.values.length);
    for (const element of d.values) {
      if (element.kind !== 'null' && element.kind !== d.elementKind) {
        throw new EncodingError(`a ${element.kind} element in a ${d.elementKind} array`);
      }
      w.byte(valueTagOf(element));
      writeValuePayload(w, element, depth + 1);
    }
  });
}

function readText(r: ByteReader, what: string): string {
  const length = readUvarint(r, encodedBytesMax, 'text length');
  r.need(length);
  const text = r.buf.toString('utf8', r.pos, r.pos + length);
  // Invalid UTF-8 decodes to U+FFFD; only then is the full check needed.
  if (text.includes('\ufffd') && !isUtf8(r.buf.subarray(r.pos, r.pos + length))) {
    throw new EncodingError(`${what} is not valid UTF-8`);
  }
  r.pos += length;
  return text;
}

function readDecimal(r: ByteReader): Decimal {
  const length = readUvarint(r, encodedBytesMax, 'decimal length');
  r.need(length);
  const end = r.pos + length;
  if (length === 0) throw new EncodingError('empty decimal');
  const sign = r.byte();
  if (sign === decimalNaN || sign === decimalInf || sign === decimalNegInf) {
    if (length !== 1) throw new EncodingError('decimal special with a payload');
    return { kind: sign === decimalNaN ? 'nan' : sign === decimalInf ? 'infinity' : '-infinity' };
  }
  if (sign !== decimalPositive && sign !== decimalNegative) throw new EncodingError(`bad decimal sign ${sign}`);
  const scale = readZigzagNumber(r, -encodedBytesMax, encodedBytesMax, 'decimal scale');
  if (r.pos > end) throw new EncodingError('decimal scale overruns its payload');
  if (r.pos < end && r.buf[r.pos] === 0) throw new EncodingError('decimal magnitude has a leading zero byte');
  let magnitude: bigint;
  if (end - r.pos <= 6) {
    let m = 0;
    for (let i = r.pos; i < end; i++) m = m * 256 + r.buf[i]!;
    magnitude = BigInt(m);
  } else {
    magnitude = BigInt(`0x${r.buf.toString('hex', r.pos, end)}`);
  }
  r.pos = end;
  if (sign === decimalNegative && magnitude === 0n) throw new EncodingError('negative zero decimal');
  const value: Decimal = { kind: 'finite', coefficient: sign === decimalNegative ? -magnitude : magnitude, scale };
  checkDecimalRange(value);
  return value;
}

function readArray(r: ByteReader, depth: number): Datum {
  if (depth + 1 > arrayDepthMax) throw new EncodingError(`arrays nest deeper than ${arrayDepthMax}`);
  const length = readUvarint(r, encodedBytesMax, 'array length');
  r.need(length);
  const end = r.pos + length;
  const elementTag = r.byte();
  const elementKind = tagElementKinds[elementTag];
  if (elementTag === valueTag.null || elementTag === valueTag.true || elementKind === undefined) {
    throw new EncodingError(`bad array element tag ${elementTag}`);
  }
  const count = readUvarint(r, Math.min(arrayElementsMax, end - r.pos), 'array element count');
  const values: Datum[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const tag = r.byte();
    if (tag !== valueTag.null && tagElementKinds[tag] !== elementKind) {
      throw new EncodingError(`element tag ${tag} in a ${elementKind} array`);
    }
    values[i] = readValuePayload(r, tag, depth + 1);
    if (r.pos > end) throw new EncodingError('array elements overrun the array');
  }
  if (r.pos !== end) throw new EncodingError('array length does not match its elements');
  return { kind: 'array', elementKind, values };
}

/** Reads the payload of a datum whose tag has been read. */
export function readValuePayload(r: ByteReader, tag: number, depth = 0): Datum {
  switch (tag) {
    case valueTag.null: return nullDatum;
    case valueTag.false: return falseDatum;
    case valueTag.true: return trueDatum;
    case valueTag.int: return { kind: 'int', value: readZigzag(r) };
    case valueTag.float: {
      r.need(8);
      const value = r.buf.readDoubleBE(r.pos);
      // One NaN is written (0x7ff8…0); any other NaN pattern is damage.
      if (Number.isNaN(value) && (r.buf.readUInt32BE(r.pos) !== 0x7ff80000 || r.buf.readUInt32BE(r.pos + 4) !== 0)) {
        throw new EncodingError('non-canonical NaN');
      }
      r.pos += 8;
      return { kind: 'float', value };
    }
    case valueTag.decimal: return { kind: 'decimal', value: readDecimal(r) };
    case valueTag.string: return { kind: 'string', value: readText(r, 'string') };
    case valueTag.bytes: {
      const length = readUvarint(r, encodedBytesMax, 'bytes length');
      return { kind: 'bytes', value: r.copy(length) };
    }
    case valueTag.timestamp: return { kind: 'timestamp', value: readInt64Fixed(r) };
    case valueTag.timestamptz: return { kind: 'timestamptz', value: readInt64Fixed(r) };
    case valueTag.date: return { kind: 'date', value: readZigzagNumber(r, int32Min, int32Max, 'date') };
    case valueTag.time: return { kind: 'time', value: readUvarint(r, timeMicrosMax, 'time') };
    case valueTag.interval: {
      const months = readZigzagNumber(r, int32Min, int32Max, 'interval months');
      const days = readZigzagNumber(r, int32Min, int32Max, 'interval days');
      return { kind: 'interval', value: { months, days, micros: readZigzag(r) } };
    }
    case valueTag.uuid: return { kind: 'uuid', value: r.copy(uuidBytes) };
    case valueTag.json: return { kind: 'json', value: readText(r, 'json') };
    case valueTag.array: return readArray(r, depth);
    default: throw new EncodingError(`unknown value tag ${tag}`);
  }
}

/** Moves past a payload without decoding it: constant work per varint, none for length-prefixed payloads. */
export function skipValuePayload(r: ByteReader, tag: number): void {
  switch (tag) {
    case valueTag.null: case valueTag.false: case valueTag.true:
      return;
    case valueTag.int: case valueTag.date: case valueTag.time:
      return skipUvarint(r);
    case valueTag.float: case valueTag.timestamp: case valueTag.timestamptz:
      return r.skip(8);
    case valueTag.uuid: return r.skip(uuidBytes);
    case valueTag.interval:
      skipUvarint(r);
      skipUvarint(r);
      return skipUvarint(r);
    case valueTag.decimal: case valueTag.string: case valueTag.bytes: case valueTag.json: case valueTag.array:
      return r.skip(readUvarint(r, encodedBytesMax, 'payload length'));
    default: throw new EncodingError(`unknown value tag ${tag}`);
  }
}

/** Appends one datum's value encoding (tag byte ‖ payload), e.g. for a column stored alone. */
export function encodeDatumValue(w: ByteWriter, d: Datum): void {
  const start = w.length;
  try {
    w.byte(valueTagOf(d));
    writeValuePayload(w, d);
  } catch (error) {
    w.truncate(start);
    throw error;
  }
}

/** Decodes a datum written by `encodeDatumValue`; returns it and the offset after it. */
export function decodeDatumValue(bytes: Uint8Array, offset = 0): { datum: Datum; end: number } {
  const r = new ByteReader(bytes, offset);
  const tag = r.byte();
  if (tag >= tagCount) throw new EncodingError(`unknown value tag ${tag}`);
  const datum = readValuePayload(r, tag);
  return { datum, end: r.pos };
}
