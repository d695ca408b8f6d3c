/**
 * Byte helpers for building keys: comparison, concatenation, an
 * order-preserving unsigned-integer encoding, and an escaping scheme that lets
 * a user key be embedded in a longer key without breaking its sort order.
 */
import { InvalidKeyError } from './errors.ts';
import { orderedUintBytesMax } from './limits.ts';

/** Lexicographic byte order; negative, zero or positive like Buffer.compare. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Whether two keys hold the same bytes. */
export function keysEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** One key made of `parts` in order (a fresh Buffer; the parts are copied). */
export function concatBytes(...parts: readonly Uint8Array[]): Buffer {
  return Buffer.concat(parts);
}

/** Whether `key` starts with `prefix` (every key starts with the empty prefix). */
export function hasPrefix(key: Uint8Array, prefix: Uint8Array): boolean {
  if (key.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (key[i] !== prefix[i]) return false;
  return true;
}

/**
 * The first key that does not start with `prefix`: increment the last byte
 * that is not 0xff and drop what follows. An all-0xff (or empty) prefix has no
 * such key within any finite length, so it maps to KeyMax, the end of the key
 * space: no valid key (validateUserKey) lies at or beyond it.
 */
export function prefixEnd(prefix: Uint8Array): Buffer {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const byte = prefix[i]!;
    if (byte !== 0xff) {
      const out = Buffer.from(prefix.subarray(0, i + 1));
      out[i] = byte + 1;
      return out;
    }
  }
  return Buffer.from(keyMax);
}

/** The smallest key greater than `key`: `key ‖ 0x00`. */
export function keyNext(key: Uint8Array): Buffer {
  const out = Buffer.alloc(key.length + 1);
  out.set(key, 0);
  return out;
}

/** The start of the key space: the empty key, below every other key. */
export const keyMin: Buffer = Buffer.alloc(0);
/** The end of the key space (exclusive): every valid key sorts below it. */
export const keyMax: Buffer = Buffer.from([0xff, 0xff]);

/**
 * Order-preserving encoding of a non-negative safe integer: a length byte
 * (0–7) followed by that many big-endian bytes of the minimal representation.
 * Fewer bytes means a smaller number, so byte order equals numeric order.
 */
export function encodeOrderedUint(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidKeyError(`${value} is not a non-negative safe integer`);
  }
  let length = 0;
  for (let v = value; v > 0; v = Math.floor(v / 256)) length++;
  const out = Buffer.alloc(1 + length);
  out[0] = length;
  let v = value;
  for (let i = length; i >= 1; i--) {
    out[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return out;
}

/** Decodes encodeOrderedUint at `offset`; returns the value and the offset after it. */
export function decodeOrderedUint(bytes: Uint8Array, offset: number): { value: number; next: number } {
  const length = bytes[offset];
  if (length === undefined || length > orderedUintBytesMax || offset + 1 + length > bytes.length) {
    throw new InvalidKeyError(`malformed integer at byte ${offset}`);
  }
  let value = 0;
  for (let i = 0; i < length; i++) value = value * 256 + bytes[offset + 1 + i]!;
  if (length > 0 && bytes[offset + 1] === 0) throw new InvalidKeyError(`non-minimal integer at byte ${offset}`);
  if (!Number.isSafeInteger(value)) throw new InvalidKeyError(`integer at byte ${offset} overflows`);
  return { value, next: offset + 1 + length };
}

const escapeByte = 0x00;
const escapedZero = 0xff;
const terminator = 0x01;

/**
 * Embeds `key` so that anything may follow it without changing the order of
 * the embedded keys: 0x00 becomes 0x00 0xff and the key ends with 0x00 0x01.
 * Shorter keys sort first (their terminator 0x00 0x01 is below any escaped or
 * ordinary continuation), exactly as the raw keys do.
 */
export function encodeEscapedKey(key: Uint8Array): Buffer {
  let zeros = 0;
  for (const b of key) if (b === escapeByte) zeros++;
  const out = Buffer.alloc(key.length + zeros + 2);
  let j = 0;
  for (const b of key) {
    out[j++] = b;
    if (b === escapeByte) out[j++] = escapedZero;
  }
  out[j++] = escapeByte;
  out[j] = terminator;
  return out;
}

/** Reverses encodeEscapedKey at `offset`; returns the key and the offset after its terminator. */
export function decodeEscapedKey(bytes: Uint8Array, offset: number): { key: Buffer; next: number } {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Fast path: most keys hold no 0x00 byte, so the first one is the terminator.
  const first = buf.indexOf(escapeByte, offset);
  if (first >= 0 && buf[first + 1] === terminator) {
    return { key: Buffer.from(buf.subarray(offset, first)), next: first + 2 };
  }
  const parts: number[] = [];
  for (let i = offset; i < buf.length; i++) {
    const b = buf[i]!;
    if (b !== escapeByte) {
      parts.push(b);
      continue;
    }
    const following = buf[i + 1];
    if (following === escapedZero) {
      parts.push(0);
      i++;
    } else if (following === terminator) {
      return { key: Buffer.from(parts), next: i + 2 };
    } else {
      throw new InvalidKeyError(`bad escape at byte ${i}`);
    }
  }
  throw new InvalidKeyError('escaped key has no terminator');
}
