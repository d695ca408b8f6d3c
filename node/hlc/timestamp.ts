/**
 * An HLC timestamp: a physical wall time in microseconds since the Unix epoch
 * plus a logical counter that orders events sharing one wall time.
 *
 * Microseconds keep wall times exact in a JavaScript number until the year
 * 2255 and match PostgreSQL's timestamp precision, which `AS OF SYSTEM TIME`
 * maps onto directly. The logical counter absorbs everything finer.
 */
import { assert } from '../assert.ts';
import { logicalMax } from './limits.ts';

export interface Timestamp {
  readonly wallMicros: number;
  readonly logical: number;
}

/** The zero timestamp: before every real event. */
export const zeroTimestamp: Timestamp = Object.freeze({ wallMicros: 0, logical: 0 });

/** The largest timestamp; reads at it see every committed version. */
export const maxTimestamp: Timestamp = Object.freeze({
  wallMicros: Number.MAX_SAFE_INTEGER,
  logical: logicalMax,
});

/** Wire size of an encoded timestamp: 8 bytes of wall time, 4 of logical. */
export const timestampEncodedBytes = 12;

/** Builds a timestamp, checking both parts are non-negative integers in range. */
export function timestamp(wallMicros: number, logical = 0): Timestamp {
  if (!Number.isSafeInteger(wallMicros) || wallMicros < 0) {
    throw new RangeError(`timestamp wall time ${wallMicros} is not a non-negative safe integer`);
  }
  if (!Number.isInteger(logical) || logical < 0 || logical > logicalMax) {
    throw new RangeError(`timestamp logical ${logical} is not a uint32`);
  }
  return { wallMicros, logical };
}

/** Orders two timestamps: negative when a < b, zero when equal, positive when a > b. */
export function compareTimestamps(a: Timestamp, b: Timestamp): number {
  if (a.wallMicros !== b.wallMicros) return a.wallMicros < b.wallMicros ? -1 : 1;
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1;
  return 0;
}

/** Whether `a` happened strictly before `b`. */
export function timestampLess(a: Timestamp, b: Timestamp): boolean {
  return compareTimestamps(a, b) < 0;
}

/** Whether `a` and `b` are the same instant. */
export function timestampEqual(a: Timestamp, b: Timestamp): boolean {
  return a.wallMicros === b.wallMicros && a.logical === b.logical;
}

/** Whether `t` is the zero timestamp (often "unset"). */
export function timestampIsZero(t: Timestamp): boolean {
  return t.wallMicros === 0 && t.logical === 0;
}

/** The later of two timestamps. */
export function maxOf(a: Timestamp, b: Timestamp): Timestamp {
  return compareTimestamps(a, b) >= 0 ? a : b;
}

/** The smallest timestamp strictly greater than `t`. */
export function nextTimestamp(t: Timestamp): Timestamp {
  if (t.logical === logicalMax) return { wallMicros: t.wallMicros + 1, logical: 0 };
  return { wallMicros: t.wallMicros, logical: t.logical + 1 };
}

/** The largest timestamp strictly smaller than `t` (t must not be zero). */
export function prevTimestamp(t: Timestamp): Timestamp {
  if (t.logical > 0) return { wallMicros: t.wallMicros, logical: t.logical - 1 };
  if (t.wallMicros === 0) throw new RangeError('no timestamp precedes zero');
  return { wallMicros: t.wallMicros - 1, logical: logicalMax };
}

/** Adds a duration in microseconds to the wall time, resetting the logical part. */
export function addMicros(t: Timestamp, micros: number): Timestamp {
  return timestamp(t.wallMicros + micros, 0);
}

/**
 * Writes `t` as 12 big-endian bytes at `offset`; ascending byte order equals
 * timestamp order. The parts are asserted, not trusted: a fractional or
 * negative wall time would be written as a different timestamp.
 */
export function writeTimestamp(t: Timestamp, target: Uint8Array, offset: number): void {
  assert(Number.isSafeInteger(t.wallMicros), `timestamp wall time ${t.wallMicros} is not a safe integer`);
  assert(t.wallMicros >= 0, `timestamp wall time ${t.wallMicros} is negative`);
  assert(Number.isInteger(t.logical), `timestamp logical ${t.logical} is not an integer`);
  assert(t.logical >= 0, `timestamp logical ${t.logical} is negative`);
  assert(t.logical <= logicalMax, `timestamp logical ${t.logical} exceeds uint32`);
  // Typed arrays drop out-of-bounds stores silently, so check the room first.
  if (offset < 0 || offset + timestampEncodedBytes > target.length) {
    throw new RangeError(`timestamp at ${offset} runs past ${target.length} bytes`);
  }
  // Byte by byte: no DataView allocation on this hot path (every MVCC key and value).
  writeUint32(target, offset, Math.floor(t.wallMicros / 0x1_0000_0000));
  writeUint32(target, offset + 4, t.wallMicros >>> 0);
  writeUint32(target, offset + 8, t.logical);
}

function writeUint32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value >>> 24;
  target[offset + 1] = (value >>> 16) & 0xff;
  target[offset + 2] = (value >>> 8) & 0xff;
  target[offset + 3] = value & 0xff;
}

function readUint32(source: Uint8Array, offset: number): number {
  return ((source[offset]! << 24) >>> 0) + (source[offset + 1]! << 16) + (source[offset + 2]! << 8) + source[offset + 3]!;
}

/** Reads a timestamp written by writeTimestamp. */
export function readTimestamp(source: Uint8Array, offset: number): Timestamp {
  if (offset < 0 || offset + timestampEncodedBytes > source.length) {
    throw new RangeError(`timestamp at ${offset} runs past ${source.length} bytes`);
  }
  const high = readUint32(source, offset);
  const low = readUint32(source, offset + 4);
  const wallMicros = high * 0x1_0000_0000 + low;
  if (!Number.isSafeInteger(wallMicros)) throw new RangeError('timestamp wall time overflows');
  return { wallMicros, logical: readUint32(source, offset + 8) };
}

/** `1700000000.000123,4`: seconds.micros,logical, the form logs and errors use. */
export function formatTimestamp(t: Timestamp): string {
  const seconds = Math.floor(t.wallMicros / 1_000_000);
  const micros = String(t.wallMicros % 1_000_000).padStart(6, '0');
  return `${seconds}.${micros},${t.logical}`;
}
