/**
 * How MVCC records are laid out in LevelDB's single sorted key space.
 *
 *   key slot: escape(key)                      (sorts before every version)
 *   version:  escape(key) ‖ ~timestamp (12 B)  (newest version first)
 *
 * escape() doubles 0x00 bytes as 0x00 0xff and ends the key with the
 * sentinel 0x00 0x01 (node/keys' encodeEscapedKey), so the records of one
 * user key are contiguous and user keys keep their order: every record of
 * "a" sorts before every record of "a\x00". Inverting the timestamp bytes
 * makes LevelDB's ascending order newest-first.
 *
 * The key slot holds either the key's intent or, when there is none, its
 * latest committed version (with the version's timestamp in the value; see
 * mvcc-value.ts). A point read of the latest value is then one synchronous
 * LevelDB lookup, and a reader always meets an intent before any version.
 * Older versions live at their versioned keys.
 */
import { timestampEncodedBytes, type Timestamp } from '../hlc/index.ts';
import { decodeEscapedKey } from '../keys/index.ts';
import { CorruptionError } from './errors.ts';

const escapeByte = 0x00;
const escapedZero = 0xff;
const sentinel = 0x01;

/**
 * The escaped form of a user key: the same bytes as node/keys'
 * encodeEscapedKey, built without a second pass when the key holds no 0x00
 * (the common case on the point-read path).
 */
export function escapeKey(key: Uint8Array): Buffer {
  const source = Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  let zero = source.indexOf(escapeByte);
  if (zero < 0) {
    const out = Buffer.allocUnsafe(source.length + 2);
    source.copy(out, 0);
    out[source.length] = escapeByte;
    out[source.length + 1] = sentinel;
    return out;
  }
  let zeros = 0;
  for (; zero >= 0; zero = source.indexOf(escapeByte, zero + 1)) zeros++;
  const out = Buffer.allocUnsafe(source.length + zeros + 2);
  let j = 0;
  for (let i = 0; i < source.length; i++) {
    const b = source[i]!;
    out[j++] = b;
    if (b === escapeByte) out[j++] = escapedZero;
  }
  out[j++] = escapeByte;
  out[j] = sentinel;
  return out;
}

/** The record slot of a key's intent (or latest version); the lowest record of the key. */
export function intentKey(key: Uint8Array): Buffer {
  return escapeKey(key);
}

/** The record of the version of `key` written at `ts`. */
export function versionKey(key: Uint8Array, ts: Timestamp): Buffer {
  return versionKeyFromPrefix(escapeKey(key), ts);
}

/** `encodeMvccKey(key, ts)`: escaped key ‖ sentinel ‖ descending timestamp (versionKey). */
export const encodeMvccKey = versionKey;

/** versionKey for an already escaped key. */
export function versionKeyFromPrefix(escaped: Buffer, ts: Timestamp): Buffer {
  const out = Buffer.allocUnsafe(escaped.length + timestampEncodedBytes);
  escaped.copy(out, 0);
  const o = escaped.length;
  // Inverted big-endian wall time (8 bytes) and logical (4 bytes).
  out.writeUInt32BE(~Math.floor(ts.wallMicros / 0x1_0000_0000) >>> 0, o);
  out.writeUInt32BE(~(ts.wallMicros >>> 0) >>> 0, o + 4);
  out.writeUInt32BE(~ts.logical >>> 0, o + 8);
  return out;
}

/** Reads the inverted timestamp suffix at `offset` (12 bytes, checked by the caller). */
export function readInvertedTimestamp(raw: Buffer, offset: number): Timestamp {
  const high = ~raw.readUInt32BE(offset) >>> 0;
  const wallMicros = high * 0x1_0000_0000 + (~raw.readUInt32BE(offset + 4) >>> 0);
  if (high > 0x1f_ffff) throw new CorruptionError('MVCC key timestamp overflows');
  return { wallMicros, logical: ~raw.readUInt32BE(offset + 8) >>> 0 };
}

/** Just past every record of an escaped key (its sentinel byte plus one). */
export function recordsEnd(escaped: Buffer): Buffer {
  const out = Buffer.from(escaped);
  out[out.length - 1] = out[out.length - 1]! + 1;
  return out;
}

/**
 * Length of the escaped key at the start of a raw record key (through its
 * sentinel), or -1 when the escaping is malformed. A JavaScript loop: keys
 * are short and this runs once per record of a scan, where a native call's
 * overhead would dominate.
 */
export function escapedPrefixBytes(raw: Buffer): number {
  const last = raw.length - 1;
  for (let i = 0; i < last; i++) {
    if (raw[i] !== escapeByte) continue;
    const following = raw[i + 1];
    if (following === sentinel) return i + 2;
    if (following !== escapedZero) return -1;
    i++;
  }
  return -1;
}

/**
 * The user key of a raw record whose escaped prefix is `prefixBytes` long. A
 * key without escapes is returned as a view of `raw`, not a copy.
 */
export function userKeyOf(raw: Buffer, prefixBytes: number): Buffer {
  const end = prefixBytes - 2;
  let escaped = false;
  for (let i = 0; i < end; i++) {
    if (raw[i] === escapeByte) {
      escaped = true;
      break;
    }
  }
  if (!escaped) return raw.subarray(0, end);
  try {
    return decodeEscapedKey(raw, 0).key;
  } catch (error) {
    throw new CorruptionError(`malformed MVCC key: ${(error as Error).message}`);
  }
}

export interface DecodedMvccKey {
  readonly key: Buffer;
  /** Null for the key slot (intent or latest version). */
  readonly timestamp: Timestamp | null;
  /** Length of the escaped key prefix within the raw key. */
  readonly prefixBytes: number;
}

/** Splits a raw record key into user key and timestamp; CorruptionError on malformed bytes. */
export function decodeMvccKey(raw: Uint8Array): DecodedMvccKey {
  const buf = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const prefixBytes = escapedPrefixBytes(buf);
  if (prefixBytes < 0) throw new CorruptionError('malformed MVCC key: bad escape or no sentinel');
  if (prefixBytes === 2) throw new CorruptionError('malformed MVCC key: empty user key');
  const rest = buf.length - prefixBytes;
  const key = userKeyOf(buf, prefixBytes);
  if (rest === 0) return { key, timestamp: null, prefixBytes };
  if (rest !== timestampEncodedBytes) {
    throw new CorruptionError(`MVCC key has a ${rest}-byte suffix, want 0 or ${timestampEncodedBytes}`);
  }
  return { key, timestamp: readInvertedTimestamp(buf, prefixBytes), prefixBytes };
}

/** The raw key range holding every record of user keys in [start, end). */
export function rawSpan(start: Uint8Array, end: Uint8Array): { gte: Buffer; lt: Buffer } {
  return { gte: escapeKey(start), lt: escapeKey(end) };
}
