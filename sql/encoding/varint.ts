/**
 * Integer encodings.
 *
 * Ordered varint (keys): a signed int64 whose byte order is its numeric
 * order, small values in one byte (as CockroachDB's EncodeVarintAscending):
 *
 *   0x80 + (8 - n)  n bytes: v + 256^n      negative, n = 1..8 (0x80..0x87)
 *   0x88 + v        no payload              0 ≤ v ≤ 109       (0x88..0xf5)
 *   0xf5 + n        n bytes: v big-endian   v > 109, n = 1..8 (0xf6..0xfd)
 *
 * Shorter negatives are closer to zero, so their header is larger; payloads
 * are minimal (the decoder rejects any other form, so every value has one
 * encoding and corrupt bytes rarely pass as a value).
 *
 * Unsigned varint (values): little-endian groups of 7 bits, high bit set on
 * all but the last byte (protobuf's). Signed values are zigzag-mapped first.
 * Numbers that are safe integers never touch bigint arithmetic.
 */
import { int64Max, int64Min, type Int64 } from './datum.ts';
import { EncodingError } from './errors.ts';
import { truncated, type ByteReader } from './reader.ts';
import type { ByteWriter } from './writer.ts';

/** First header byte of the ordered int encoding. */
export const orderedIntHeaderMin = 0x80;
/** Last header byte of the ordered int encoding. */
export const orderedIntHeaderMax = 0xfd;
const intZero = 0x88;
const intSmallMax = 109;
const intPositiveBase = intZero + intSmallMax; // header = base + n

/** 256^n for n = 0..7 (all exact doubles). */
const pow256 = [1, 2 ** 8, 2 ** 16, 2 ** 24, 2 ** 32, 2 ** 40, 2 ** 48, 2 ** 56];
/** Values below 2^48 are decoded as numbers; wider ones need bigint. */
const numberPayloadBytesMax = 6;
const smallBigInts: bigint[] = Array.from({ length: intSmallMax + 1 }, (_, i) => BigInt(i));

/** Checks a datum's integer and returns it as a safe number when it is one, else a bigint within int64. */
export function checkInt64(v: Int64): number | bigint {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new EncodingError(`${v} is not a safe integer`);
    return v;
  }
  if (v >= -9007199254740991n && v <= 9007199254740991n) return Number(v);
  if (v < int64Min || v > int64Max) throw new EncodingError(`integer ${v} is out of the int64 range`);
  return v;
}

function payloadBytes(u: number): number {
  let n = 1;
  while (n < 7 && u >= pow256[n]!) n++;
  return n;
}

/** Appends the ordered varint of an integer within int64. */
export function writeOrderedInt(w: ByteWriter, value: Int64): void {
  const v = checkInt64(value);
  if (typeof v === 'bigint') return writeOrderedBig(w, v);
  if (v >= 0 && v <= intSmallMax) return w.byte(intZero + v);
  const negative = v < 0;
  let u = negative ? -v - 1 : v;
  const n = payloadBytes(u);
  const at = w.reserve(n + 1);
  const t = w.target;
  t[at] = negative ? intZero - n : intPositiveBase + n;
  const mask = negative ? 0xff : 0;
  for (let i = n; i >= 1; i--) {
    const low = u % 256;
    t[at + i] = low ^ mask;
    u = (u - low) / 256;
  }
}

function writeOrderedBig(w: ByteWriter, v: bigint): void {
  const negative = v < 0n;
  let u = negative ? -v - 1n : v;
  const n = u >= 1n << 56n ? 8 : 7; // only called beyond the safe range (≥ 2^53)
  const at = w.reserve(n + 1);
  const t = w.target;
  t[at] = negative ? intZero - n : intPositiveBase + n;
  const mask = negative ? 0xff : 0;
  for (let i = n; i >= 1; i--) {
    t[at + i] = Number(u & 0xffn) ^ mask;
    u >>= 8n;
  }
}

/** Reads an ordered varint; returns a number when |v| < 2^48, else a bigint. */
function readOrdered(r: ByteReader): number | bigint {
  const h = r.byte();
  if (h >= intZero) {
    if (h <= intPositiveBase) return h - intZero;
    const n = h - intPositiveBase;
    if (n > 8) throw new EncodingError(`bad integer header 0x${h.toString(16)}`);
    return readPayload(r, n, false);
  }
  if (h < orderedIntHeaderMin) throw new EncodingError(`bad integer header 0x${h.toString(16)}`);
  return readPayload(r, intZero - h, true);
}

function readPayload(r: ByteReader, n: number, negative: boolean): number | bigint {
  r.need(n);
  const buf = r.buf;
  const mask = r.flip ^ (negative ? 0xff : 0);
  const first = buf[r.pos]! ^ mask;
  if (n > 1 && first === 0) throw new EncodingError('integer is not minimally encoded');
  if (n === 8 && first > 0x7f) throw new EncodingError('integer is out of the int64 range');
  let result: number | bigint;
  if (n <= numberPayloadBytesMax) {
    let u = 0;
    for (let i = 0; i < n; i++) u = u * 256 + (buf[r.pos + i]! ^ mask);
    if (!negative && u <= intSmallMax) throw new EncodingError('integer is not minimally encoded');
    result = negative ? -u - 1 : u;
  } else {
    let u = 0n;
    for (let i = 0; i < n; i++) u = (u << 8n) | BigInt(buf[r.pos + i]! ^ mask);
    result = negative ? -u - 1n : u;
  }
  r.pos += n;
  return result;
}

/** Reads an ordered varint as a bigint (int64). */
export function readOrderedInt(r: ByteReader): bigint {
  const v = readOrdered(r);
  if (typeof v === 'bigint') return v;
  return v >= 0 && v <= intSmallMax ? smallBigInts[v]! : BigInt(v);
}

/** Reads an ordered varint that must lie in [min, max] (both safe integers). */
export function readOrderedNumber(r: ByteReader, min: number, max: number, what: string): number {
  const v = readOrdered(r);
  if (typeof v === 'bigint' || v < min || v > max) throw new EncodingError(`${what} ${v} is out of range`);
  return v;
}

/** Moves past an ordered varint without decoding it (validity is not checked). */
export function skipOrderedInt(r: ByteReader): void {
  const h = r.byte();
  if (h < orderedIntHeaderMin || h > orderedIntHeaderMax) throw new EncodingError(`bad integer header 0x${h.toString(16)}`);
  if (h < intZero) r.skip(intZero - h);
  else if (h > intPositiveBase) r.skip(h - intPositiveBase);
}

/** Appends an unsigned varint of a non-negative safe integer. */
export function writeUvarint(w: ByteWriter, value: number): void {
  let v = value;
  while (v >= 0x80) {
    const low = v % 0x80;
    w.byte(low | 0x80);
    v = (v - low) / 0x80;
  }
  w.byte(v);
}

/** Bytes the unsigned varint of a non-negative safe integer takes. */
export function uvarintBytes(value: number): number {
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}

/** Writes the unsigned varint of `value` at `at` in `target` (room already reserved). */
export function writeUvarintAt(target: Uint8Array, at: number, value: number): void {
  let v = value;
  let i = at;
  while (v >= 0x80) {
    const low = v % 0x80;
    target[i++] = low | 0x80;
    v = (v - low) / 0x80;
  }
  target[i] = v;
}

function writeUvarintBig(w: ByteWriter, value: bigint): void {
  let v = value;
  while (v >= 0x80n) {
    w.byte(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  w.byte(Number(v));
}

/** Zigzag keeps small magnitudes short: 0, -1, 1, -2 … → 0, 1, 2, 3 … */
const zigzagNumberMax = 2 ** 51;

/** Appends the zigzag varint of an integer within int64. */
export function writeZigzag(w: ByteWriter, value: Int64): void {
  const v = checkInt64(value);
  if (typeof v === 'number' && v < zigzagNumberMax && v > -zigzagNumberMax) {
    return writeUvarint(w, v >= 0 ? v * 2 : -v * 2 - 1);
  }
  const b = BigInt(v);
  writeUvarintBig(w, b >= 0n ? b << 1n : ((-b) << 1n) - 1n);
}

/** Bytes of an unsigned varint of a 64-bit value, at most. */
const uvarintBytesMax = 10;

/** Counts the bytes of the varint at the reader (checks it ends and is minimal). */
function uvarintLength(r: ByteReader): number {
  const buf = r.buf;
  const flip = r.flip;
  for (let i = 0; i < uvarintBytesMax; i++) {
    if (r.pos + i >= buf.length) throw truncated();
    const b = buf[r.pos + i]! ^ flip;
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) throw new EncodingError('varint is not minimally encoded');
      return i + 1;
    }
  }
  throw new EncodingError('varint is too long');
}

/** Reads an unsigned varint as a number; throws when it is beyond `max`. */
export function readUvarint(r: ByteReader, max: number, what: string): number {
  const n = uvarintLength(r);
  if (n > 8) throw new EncodingError(`${what} is out of range`);
  const buf = r.buf;
  let v = 0;
  let scale = 1;
  for (let i = 0; i < n; i++) {
    v += ((buf[r.pos + i]! ^ r.flip) & 0x7f) * scale;
    scale *= 0x80;
  }
  if (v > max) throw new EncodingError(`${what} ${v} is out of range`);
  r.pos += n;
  return v;
}

/** Reads a zigzag varint as an int64 bigint. */
export function readZigzag(r: ByteReader): bigint {
  const n = uvarintLength(r);
  const buf = r.buf;
  const at = r.pos;
  r.pos += n;
  // The low 7 bytes (49 bits) are exact as a number: all the common cases.
  let low = 0;
  let scale = 1;
  for (let i = 0; i < n && i < 7; i++) {
    low += ((buf[at + i]! ^ r.flip) & 0x7f) * scale;
    scale *= 0x80;
  }
  if (n <= 7) {
    const v = low % 2 === 1 ? -(low + 1) / 2 : low / 2;
    return v >= 0 && v <= intSmallMax ? smallBigInts[v]! : BigInt(v);
  }
  let high = 0;
  for (let i = n - 1; i >= 7; i--) high = high * 0x80 + ((buf[at + i]! ^ r.flip) & 0x7f);
  const z = (BigInt(high) << 49n) | BigInt(low);
  if (z >> 64n !== 0n) throw new EncodingError('integer is out of the int64 range');
  return z & 1n ? -((z + 1n) >> 1n) : z >> 1n;
}

/** Reads a zigzag varint that must lie in [min, max] (both safe integers). */
export function readZigzagNumber(r: ByteReader, min: number, max: number, what: string): number {
  const z = readUvarint(r, Number.MAX_SAFE_INTEGER, what);
  const v = z % 2 === 1 ? -(z + 1) / 2 : z / 2;
  if (v < min || v > max) throw new EncodingError(`${what} ${v} is out of range`);
  return v;
}

/** Moves past an unsigned varint. */
export function skipUvarint(r: ByteReader): void {
  r.pos += uvarintLength(r);
}
