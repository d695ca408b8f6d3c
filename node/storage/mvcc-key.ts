/**
 * How MVCC records are laid out in LevelDB's single sorted key space.
 *
 *   intent:  escape(key)                      (sorts before every version)
 *   version: escape(key) ‖ ~timestamp (12 B)  (newest version first)
 *
 * escape() (node/keys) doubles 0x00 bytes and ends with 0x00 0x01, so the
 * records of one user key are contiguous and user keys keep their order:
 * every record of "a" sorts before every record of "a\x00". Inverting the
 * timestamp bytes makes LevelDB's ascending order newest-first.
 */
import { readTimestamp, timestampEncodedBytes, writeTimestamp, type Timestamp } from '../hlc/index.ts';
import { decodeEscapedKey, encodeEscapedKey } from '../keys/index.ts';
import { CorruptionError } from './errors.ts';

/** The record slot of a key's intent; also the lowest record of the key. */
export function intentKey(key: Uint8Array): Buffer {
  return encodeEscapedKey(key);
}

/** The record of the version of `key` written at `ts`. */
export function versionKey(key: Uint8Array, ts: Timestamp): Buffer {
  return versionKeyFromPrefix(encodeEscapedKey(key), ts);
}

/** versionKey for an already escaped key. */
export function versionKeyFromPrefix(escaped: Buffer, ts: Timestamp): Buffer {
  const out = Buffer.allocUnsafe(escaped.length + timestampEncodedBytes);
  escaped.copy(out, 0);
  writeTimestamp(ts, out, escaped.length);
  for (let i = escaped.length; i < out.length; i++) out[i] = 0xff - out[i]!;
  return out;
}

/** Just past every record of an escaped key (its terminator byte plus one). */
export function recordsEnd(escaped: Buffer): Buffer {
  const out = Buffer.from(escaped);
  out[out.length - 1] = out[out.length - 1]! + 1;
  return out;
}

export interface DecodedMvccKey {
  readonly key: Buffer;
  /** Null for an intent record. */
  readonly timestamp: Timestamp | null;
  /** Length of the escaped key prefix within the raw key. */
  readonly prefixBytes: number;
}

/** Splits a raw record key into user key and timestamp. */
export function decodeMvccKey(raw: Uint8Array): DecodedMvccKey {
  let decoded: { key: Buffer; next: number };
  try {
    decoded = decodeEscapedKey(raw, 0);
  } catch (error) {
    throw new CorruptionError(`malformed MVCC key: ${(error as Error).message}`);
  }
  const rest = raw.length - decoded.next;
  if (rest === 0) return { key: decoded.key, timestamp: null, prefixBytes: decoded.next };
  if (rest !== timestampEncodedBytes) {
    throw new CorruptionError(`MVCC key has a ${rest}-byte suffix, want 0 or ${timestampEncodedBytes}`);
  }
  const inverted = Buffer.allocUnsafe(timestampEncodedBytes);
  for (let i = 0; i < timestampEncodedBytes; i++) inverted[i] = 0xff - raw[decoded.next + i]!;
  let timestamp: Timestamp;
  try {
    timestamp = readTimestamp(inverted, 0);
  } catch (error) {
    throw new CorruptionError(`MVCC key timestamp: ${(error as Error).message}`);
  }
  return { key: decoded.key, timestamp, prefixBytes: decoded.next };
}

/** The raw key range holding every record of user keys in [start, end). */
export function rawSpan(start: Uint8Array, end: Uint8Array): { gte: Buffer; lt: Buffer } {
  return { gte: encodeEscapedKey(start), lt: encodeEscapedKey(end) };
}
