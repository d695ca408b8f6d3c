/**
 * Order-preserving key encoding of datums: for two datums of one type,
 * `compareBytes(encode(a), encode(b))` has the sign of PostgreSQL's
 * `compareDatums(a, b)`. Composite keys are concatenations, each column in its
 * own direction; descending columns are the bytewise complement of the
 * ascending encoding, so reversing one column never disturbs the others.
 *
 * Every encoding starts with a tag byte, so keys decode without a schema.
 * NULL sorts after every value in ascending order and before every value in
 * descending order: PostgreSQL's default (ASC NULLS LAST, DESC NULLS FIRST),
 * so an index scan yields PostgreSQL's default ORDER BY directly.
 *
 * Tags (ascending): 0x10/0x11 bool · 0x20 int · 0x30 float, 0x31 float NaN ·
 * 0x40–0x45 decimal (-inf, negative, zero, positive, +inf, NaN) · 0x50 string ·
 * 0x51 bytes · 0x60–0x62 timestamp (-inf, finite, +inf) · 0x63–0x65 timestamptz ·
 * 0x66–0x68 date · 0x69 time · 0x6a interval · 0x70 uuid · 0xfe NULL.
 */
import { ByteReader, ByteWriter } from './buffer.ts';
import type { Datum, Decimal, DayNumber, Instant } from './datum.ts';
import { EncodingError } from './errors.ts';
import { normalizeDecimal } from './decimal.ts';

export type Direction = 'asc' | 'desc';

const tagFalse = 0x10;
const tagTrue = 0x11;
const tagInt = 0x20;
const tagFloat = 0x30;
const tagFloatNaN = 0x31;
const tagDecNegInf = 0x40;
const tagDecNeg = 0x41;
const tagDecZero = 0x42;
const tagDecPos = 0x43;
const tagDecPosInf = 0x44;
const tagDecNaN = 0x45;
const tagString = 0x50;
const tagBytes = 0x51;
const tagTimestamp = 0x60; // -inf; +1 finite; +2 +inf
const tagTimestampTz = 0x63;
const tagDate = 0x66;
const tagTime = 0x69;
const tagInterval = 0x6a;
const tagUuid = 0x70;
const tagNull = 0xfe;

const signBit64 = 1n << 63n;
const microsPerDay = 86_400_000_000n;

function byteLength(v: bigint): number {
  let n = 0;
  for (let x = v; x > 0n; x >>= 8n) n++;
  return n;
}

/** Signed integer, compact: a header byte giving sign and length, then the bytes. */
function writeInt(w: ByteWriter, v: bigint): void {
  if (v >= 0n) {
    const n = byteLength(v);
    if (n > 8) throw new EncodingError(`integer ${v} is out of the int64 range`);
    w.byte(0x08 + n);
    for (let i = n - 1; i >= 0; i--) w.byte(Number((v >> BigInt(8 * i)) & 0xffn));
    return;
  }
  const n = Math.max(1, byteLength(-v - 1n));
  if (n > 8) throw new EncodingError(`integer ${v} is out of the int64 range`);
  w.byte(0x08 - n);
  const twos = BigInt.asUintN(8 * n, v);
  for (let i = n - 1; i >= 0; i--) w.byte(Number((twos >> BigInt(8 * i)) & 0xffn));
}

function readInt(r: ByteReader): bigint {
  const header = r.byte();
  if (header > 0x10) throw new EncodingError(`bad integer header ${header}`);
  if (header >= 0x08) {
    const n = header - 0x08;
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(r.byte());
    if (n > 0 && v >> BigInt(8 * (n - 1)) === 0n) throw new EncodingError('non-minimal integer');
    return v;
  }
  const n = 0x08 - header;
  let u = 0n;
  for (let i = 0; i < n; i++) u = (u << 8n) | BigInt(r.byte());
  return BigInt.asIntN(8 * n, u) | (-1n << BigInt(8 * n));
}

function writeFixed64(w: ByteWriter, v: bigint): void {
  w.uint64(BigInt.asUintN(64, v) ^ signBit64);
}

function readFixed64(r: ByteReader): bigint {
  return BigInt.asIntN(64, r.uint64() ^ signBit64);
}

function writeFloat(w: ByteWriter, v: number): void {
  if (Number.isNaN(v)) {
    w.byte(tagFloatNaN);
    return;
  }
  w.byte(tagFloat);
  const buf = Buffer.allocUnsafe(8);
  buf.writeDoubleBE(v === 0 ? 0 : v);
  let bits = buf.readBigUInt64BE(0);
  bits = bits & signBit64 ? BigInt.asUintN(64, ~bits) : bits | signBit64;
  w.uint64(bits);
}

function readFloat(r: ByteReader): number {
  let bits = r.uint64();
  bits = bits & signBit64 ? bits ^ signBit64 : BigInt.asUintN(64, ~bits);
  const buf = Buffer.allocUnsafe(8);
  buf.writeBigUInt64BE(bits);
  const v = buf.readDoubleBE(0);
  if (Number.isNaN(v)) throw new EncodingError('NaN encoded as a finite float');
  return v;
}

/** Bytes with 0x00 escaped as 0x00 0xff and a 0x00 0x01 terminator, so prefixes sort first. */
function writeEscaped(w: ByteWriter, bytes: Uint8Array): void {
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0) {
      w.bytes(bytes.subarray(start, i + 1));
      w.byte(0xff);
      start = i + 1;
    }
  }
  w.bytes(bytes.subarray(start));
  w.byte(0x00);
  w.byte(0x01);
}

function readEscaped(r: ByteReader): Buffer {
  const out: number[] = [];
  for (;;) {
    const b = r.byte();
    if (b !== 0) {
      out.push(b);
      continue;
    }
    const next = r.byte();
    if (next === 0xff) out.push(0);
    else if (next === 0x01) return Buffer.from(out);
    else throw new EncodingError(`bad escape byte ${next}`);
  }
}

function writeDecimal(w: ByteWriter, value: Decimal): void {
  if (value.kind === 'nan') return w.byte(tagDecNaN);
  if (value.kind === 'infinity') return w.byte(value.negative ? tagDecNegInf : tagDecPosInf);
  const { coefficient, scale } = normalizeDecimal(value.coefficient, value.scale);
  if (coefficient === 0n) return w.byte(tagDecZero);
  const negative = coefficient < 0n;
  const digits = (negative ? -coefficient : coefficient).toString();
  // value = 0.d1d2…dn × 10^exponent with d1 ≠ 0
  const exponent = BigInt(digits.length - scale);
  w.byte(negative ? tagDecNeg : tagDecPos);
  const start = w.length;
  // Negative values invert the whole magnitude encoding (exponent and digits),
  // so a larger magnitude sorts first.
  writeInt(w, exponent);
  for (let i = 0; i < digits.length; i += 2) {
    const hi = digits.charCodeAt(i) - 48;
    const lo = i + 1 < digits.length ? digits.charCodeAt(i + 1) - 48 : 0;
    w.byte(1 + hi * 10 + lo);
  }
  w.byte(0x00);
  if (negative) w.invertFrom(start);
}

function readDecimalMagnitude(r: ByteReader, negative: boolean): Decimal {
  const saved = r.flip;
  if (negative) r.flip ^= 0xff;
  try {
    const exponent = readInt(r);
    let digits = '';
    for (;;) {
      const b = r.byte();
      if (b === 0) break;
      if (b > 100) throw new EncodingError(`bad decimal digit pair ${b}`);
      digits += String(Math.floor((b - 1) / 10)) + String((b - 1) % 10);
      if (digits.length > 2_000_000) throw new EncodingError('decimal is too long');
    }
    digits = digits.replace(/0+$/, '');
    if (digits.length === 0 || digits[0] === '0') throw new EncodingError('non-canonical decimal digits');
    const magnitude = BigInt(digits);
    return { kind: 'finite', coefficient: negative ? -magnitude : magnitude, scale: digits.length - Number(exponent) };
  } finally {
    r.flip = saved;
  }
}

function writeInstant(w: ByteWriter, base: number, v: Instant): void {
  if (v === '-infinity') return w.byte(base);
  if (v === 'infinity') return w.byte(base + 2);
  w.byte(base + 1);
  writeFixed64(w, v);
}

function writeDay(w: ByteWriter, v: DayNumber): void {
  if (v === '-infinity') return w.byte(tagDate);
  if (v === 'infinity') return w.byte(tagDate + 2);
  w.byte(tagDate + 1);
  writeFixed64(w, BigInt(v));
}

function writeSigned32(w: ByteWriter, v: number): void {
  w.byte(((v >>> 24) & 0xff) ^ 0x80);
  w.byte((v >>> 16) & 0xff);
  w.byte((v >>> 8) & 0xff);
  w.byte(v & 0xff);
}

function readSigned32(r: ByteReader): number {
  const b = r.take(4);
  b[0] = b[0]! ^ 0x80;
  return b.readInt32BE(0);
}

/** Appends the key encoding of one datum. */
export function encodeKeyDatum(w: ByteWriter, datum: Datum, direction: Direction = 'asc'): void {
  const start = w.length;
  switch (datum.kind) {
    case 'null': w.byte(tagNull); break;
    case 'bool': w.byte(datum.value ? tagTrue : tagFalse); break;
    case 'int': w.byte(tagInt); writeInt(w, datum.value); break;
    case 'float': writeFloat(w, datum.value); break;
    case 'decimal': writeDecimal(w, datum.value); break;
    case 'string': w.byte(tagString); writeEscaped(w, Buffer.from(datum.value, 'utf8')); break;
    case 'bytes': w.byte(tagBytes); writeEscaped(w, datum.value); break;
    case 'timestamp': writeInstant(w, tagTimestamp, datum.value); break;
    case 'timestamptz': writeInstant(w, tagTimestampTz, datum.value); break;
    case 'date': writeDay(w, datum.value); break;
    case 'time': w.byte(tagTime); writeFixed64(w, datum.value); break;
    case 'interval': {
      const { months, days, micros } = datum.value;
      const total = BigInt(months) * 30n * microsPerDay + BigInt(days) * microsPerDay + micros;
      w.byte(tagInterval);
      const shifted = BigInt.asUintN(128, total) ^ (1n << 127n);
      w.uint64(shifted >> 64n);
      w.uint64(BigInt.asUintN(64, shifted));
      writeSigned32(w, months);
      writeSigned32(w, days);
      writeFixed64(w, micros);
      break;
    }
    case 'uuid':
      if (datum.value.length !== 16) throw new EncodingError(`uuid of ${datum.value.length} bytes`);
      w.byte(tagUuid);
      w.bytes(datum.value);
      break;
    case 'json':
    case 'array':
      throw new EncodingError(`${datum.kind} values cannot be key columns`);
  }
  if (direction === 'desc') w.invertFrom(start);
}

/** Decodes one key datum at the reader's position. */
export function decodeKeyDatum(r: ByteReader, direction: Direction = 'asc'): Datum {
  r.flip = direction === 'desc' ? 0xff : 0;
  try {
    const tag = r.byte();
    switch (tag) {
      case tagNull: return { kind: 'null' };
      case tagFalse: return { kind: 'bool', value: false };
      case tagTrue: return { kind: 'bool', value: true };
      case tagInt: return { kind: 'int', value: readInt(r) };
      case tagFloat: return { kind: 'float', value: readFloat(r) };
      case tagFloatNaN: return { kind: 'float', value: NaN };
      case tagDecNegInf: return { kind: 'decimal', value: { kind: 'infinity', negative: true } };
      case tagDecPosInf: return { kind: 'decimal', value: { kind: 'infinity', negative: false } };
      case tagDecNaN: return { kind: 'decimal', value: { kind: 'nan' } };
      case tagDecZero: return { kind: 'decimal', value: { kind: 'finite', coefficient: 0n, scale: 0 } };
      case tagDecNeg: return { kind: 'decimal', value: readDecimalMagnitude(r, true) };
      case tagDecPos: return { kind: 'decimal', value: readDecimalMagnitude(r, false) };
      case tagString: {
        const bytes = readEscaped(r);
        const text = bytes.toString('utf8');
        if (!Buffer.from(text, 'utf8').equals(bytes)) throw new EncodingError('string is not valid UTF-8');
        return { kind: 'string', value: text };
      }
      case tagBytes: return { kind: 'bytes', value: readEscaped(r) };
      case tagTimestamp: return { kind: 'timestamp', value: '-infinity' };
      case tagTimestamp + 1: return { kind: 'timestamp', value: readFixed64(r) };
      case tagTimestamp + 2: return { kind: 'timestamp', value: 'infinity' };
      case tagTimestampTz: return { kind: 'timestamptz', value: '-infinity' };
      case tagTimestampTz + 1: return { kind: 'timestamptz', value: readFixed64(r) };
      case tagTimestampTz + 2: return { kind: 'timestamptz', value: 'infinity' };
      case tagDate: return { kind: 'date', value: '-infinity' };
      case tagDate + 1: {
        const days = readFixed64(r);
        if (days > BigInt(Number.MAX_SAFE_INTEGER) || days < BigInt(Number.MIN_SAFE_INTEGER)) throw new EncodingError('date out of range');
        return { kind: 'date', value: Number(days) };
      }
      case tagDate + 2: return { kind: 'date', value: 'infinity' };
      case tagTime: return { kind: 'time', value: readFixed64(r) };
      case tagInterval: {
        r.take(16);
        const months = readSigned32(r);
        const days = readSigned32(r);
        return { kind: 'interval', value: { months, days, micros: readFixed64(r) } };
      }
      case tagUuid: return { kind: 'uuid', value: r.take(16) };
      default:
        throw new EncodingError(`unknown key tag 0x${tag.toString(16)}`);
    }
  } finally {
    r.flip = 0;
  }
}

/** Appends a composite key: each datum in its own direction (ascending when not given). */
export function encodeKey(w: ByteWriter, datums: readonly Datum[], directions: readonly Direction[] = []): void {
  for (let i = 0; i < datums.length; i++) encodeKeyDatum(w, datums[i]!, directions[i] ?? 'asc');
}

/** Decodes `count` key columns starting at `offset`; returns them and the offset after them. */
export function decodeKey(bytes: Uint8Array, offset: number, directions: readonly Direction[]): { datums: Datum[]; offset: number } {
  const r = new ByteReader(bytes, offset);
  const datums: Datum[] = [];
  for (const direction of directions) datums.push(decodeKeyDatum(r, direction));
  return { datums, offset: r.offset };
}

/** Convenience: the key encoding of datums as a fresh buffer. */
export function encodeKeyBytes(datums: readonly Datum[], directions: readonly Direction[] = []): Buffer {
  const w = new ByteWriter(64);
  encodeKey(w, datums, directions);
  return w.finish();
}
