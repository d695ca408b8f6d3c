/**
 * Encodings of MVCC record values, each checksummed (CRC-32 over the tag and
 * body) so corruption is detected on read instead of being served:
 *
 *   older version (versioned key): tag(1: 0=value, 1=tombstone) ‖ payload ‖ crc32
 *   latest version (key slot):     tag(1: 3=value, 4=tombstone) ‖ timestamp(12) ‖ payload ‖ crc32
 *   intent (key slot):             tag(1: 2) ‖ txnId(16) ‖ epoch(4) ‖ writeTs(12) ‖ sequence(4) ‖ priority(4)
 *                                  ‖ count(4) ‖ count × [sequence(4) ‖ tombstone(1) ‖ length(4) ‖ bytes] ‖ crc32
 *
 * The trailing crc32 is little-endian, so CRC-32 over a whole intact record
 * is a fixed residue: verifying costs one checksum call and no slicing.
 * Timestamps are node/hlc's 12-byte big-endian encoding. An intent carries
 * its transaction's provisional value and the history of values it wrote at
 * earlier sequence numbers, so a savepoint rollback can restore an older
 * write and a read at an older sequence sees what it should.
 *
 * Wire format history: v1 tag ‖ crc32BE(body) ‖ body left the tag
 * unprotected (a flipped bit could turn an intent into a value); v2
 * crc32BE(tag ‖ body) ‖ tag ‖ body protected it but needed a slice to verify;
 * v3 (this) puts the checksum in a little-endian trailer.
 */
import { crc32 } from './checksum.ts';
import { timestampEncodedBytes, type Timestamp } from '../hlc/index.ts';
import { CorruptionError } from './errors.ts';

const tagValue = 0;
const tagTombstone = 1;
const tagIntent = 2;
const tagLatestValue = 3;
const tagLatestTombstone = 4;
/** Every record is tag(1) ‖ body ‖ crc32 (4, little-endian) of tag and body. */
const tagOffset = 0;
const bodyOffset = 1;
const trailerBytes = 4;
const overheadBytes = bodyOffset + trailerBytes;
/**
 * CRC-32 of any bytes followed by their own CRC-32 in little-endian order:
 * a record verifies with one checksum call over all of it, no slicing.
 */
const crcResidue = 0x2144_df1c;

/** What a transaction's intent says about its owner. */
export interface TxnMeta {
  /** 16-byte transaction ID. */
  readonly id: Uint8Array;
  readonly epoch: number;
  readonly writeTimestamp: Timestamp;
  /** Sequence number of the write within the transaction. */
  readonly sequence: number;
  readonly priority: number;
}

/** One write of an intent's history; `value` null is a deletion. */
export interface IntentWrite {
  readonly sequence: number;
  readonly value: Uint8Array | null;
}

export interface IntentRecord {
  readonly txn: TxnMeta;
  /** Oldest first; the last entry is the intent's current value. */
  readonly history: readonly IntentWrite[];
}

/** Allocates a record with room for `bodyBytes`; fill the body at bodyOffset, then seal(). */
function allocRecord(bodyBytes: number): Buffer {
  return Buffer.allocUnsafe(overheadBytes + bodyBytes);
}

function seal(buf: Buffer, tag: number): Buffer {
  buf[tagOffset] = tag;
  const end = buf.length - trailerBytes;
  buf.writeUInt32LE(crc32(buf.subarray(0, end)), end);
  return buf;
}

function unseal(raw: Uint8Array, what: string): { tag: number; body: Buffer } {
  const buf = verifySealed(raw, what);
  return { tag: buf[tagOffset]!, body: buf.subarray(bodyOffset, buf.length - trailerBytes) };
}

function asBuffer(raw: Uint8Array): Buffer {
  return Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
}

/**
 * Verifies the checksum of a sealed record and returns it as a Buffer; the
 * hot read paths use this and then slice the payload themselves.
 */
export function verifySealed(raw: Uint8Array, what: string): Buffer {
  const buf = asBuffer(raw);
  if (buf.length < overheadBytes) throw new CorruptionError(`${what} of ${buf.length} bytes is truncated`);
  if (crc32(buf) !== crcResidue) throw new CorruptionError(`${what} checksum mismatch`);
  return buf;
}

/** Encodes a committed version; null is a tombstone. */
export function encodeVersionValue(value: Uint8Array | null): Buffer {
  const out = allocRecord(value?.length ?? 0);
  if (value) out.set(value, bodyOffset);
  return seal(out, value ? tagValue : tagTombstone);
}

/** Decodes a committed version; null is a tombstone. */
export function decodeVersionValue(raw: Uint8Array): Buffer | null {
  const { tag, body } = unseal(raw, 'MVCC value');
  if (tag === tagValue) return body;
  if (tag === tagTombstone) {
    if (body.length !== 0) throw new CorruptionError('tombstone with a payload');
    return null;
  }
  throw new CorruptionError(`MVCC value has unknown tag ${tag}`);
}

/** True when an encoded version (older or latest) is a tombstone, without verifying the checksum. */
export function isTombstoneValue(raw: Uint8Array): boolean {
  return raw[tagOffset] === tagTombstone || raw[tagOffset] === tagLatestTombstone;
}

/** Encodes the latest committed version, kept in the key's own slot with its timestamp. */
export function encodeLatestValue(ts: Timestamp, value: Uint8Array | null): Buffer {
  const out = allocRecord(timestampEncodedBytes + (value?.length ?? 0));
  putTimestamp(out, ts, bodyOffset);
  if (value) out.set(value, bodyOffset + timestampEncodedBytes);
  return seal(out, value ? tagLatestValue : tagLatestTombstone);
}

/** What the key slot holds: the latest committed version, or an intent. */
export type KeySlotRecord =
  | { readonly kind: 'latest'; readonly timestamp: Timestamp; readonly value: Buffer | null }
  | { readonly kind: 'intent'; readonly record: IntentRecord };

/** Decodes the key slot's record (checking its checksum). */
export function decodeKeySlot(raw: Uint8Array): KeySlotRecord {
  const tag = raw[tagOffset];
  if (tag === tagIntent) return { kind: 'intent', record: decodeIntent(raw) };
  if (tag !== tagLatestValue && tag !== tagLatestTombstone) throw new CorruptionError(`key slot holds a record with tag ${tag}`);
  const buf = verifySealed(raw, 'latest version');
  return { kind: 'latest', timestamp: latestTimestamp(buf), value: latestPayload(buf, tag) };
}

/** True when a key slot record is the latest committed version (not an intent); does not verify. */
export function isLatestRecord(raw: Uint8Array): boolean {
  return raw[tagOffset] === tagLatestValue || raw[tagOffset] === tagLatestTombstone;
}

/** A record's tag (what kind of record it is), not yet verified. */
export function recordTag(raw: Uint8Array): number {
  return raw[tagOffset] ?? -1;
}

/** The timestamp of a verified latest-version record. */
export function latestTimestamp(buf: Buffer): Timestamp {
  if (buf.length < overheadBytes + timestampEncodedBytes) throw new CorruptionError('latest version is truncated');
  return readTimestampChecked(buf, bodyOffset);
}

/** The payload of a verified latest-version record (null: tombstone). */
export function latestPayload(buf: Buffer, tag: number): Buffer | null {
  if (tag === tagLatestValue) return buf.subarray(bodyOffset + timestampEncodedBytes, buf.length - trailerBytes);
  if (buf.length !== overheadBytes + timestampEncodedBytes) throw new CorruptionError('tombstone with a payload');
  return null;
}

/** The value of a version record of either kind (checked); null is a tombstone. */
export function decodeAnyVersionValue(raw: Uint8Array): Buffer | null {
  const tag = raw[tagOffset];
  if (tag === tagLatestValue || tag === tagLatestTombstone) {
    const buf = verifySealed(raw, 'latest version');
    latestTimestamp(buf);
    return latestPayload(buf, tag);
  }
  return decodeVersionValue(raw);
}

const intentFixedBytes = 16 + 4 + 12 + 4 + 4 + 4;

export function encodeIntent(record: IntentRecord): Buffer {
  let size = intentFixedBytes;
  for (const w of record.history) size += 9 + (w.value?.length ?? 0);
  const out = allocRecord(size);
  let o = bodyOffset;
  out.set(record.txn.id, o);
  o += 16;
  out.writeUInt32BE(record.txn.epoch, o);
  putTimestamp(out, record.txn.writeTimestamp, o + 4);
  out.writeUInt32BE(record.txn.sequence, o + 16);
  out.writeUInt32BE(record.txn.priority, o + 20);
  out.writeUInt32BE(record.history.length, o + 24);
  o += 28;
  for (const w of record.history) {
    out.writeUInt32BE(w.sequence, o);
    out[o + 4] = w.value ? 0 : 1;
    out.writeUInt32BE(w.value?.length ?? 0, o + 5);
    o += 9;
    if (w.value) {
      out.set(w.value, o);
      o += w.value.length;
    }
  }
  return seal(out, tagIntent);
}

export function decodeIntent(raw: Uint8Array): IntentRecord {
  const { tag, body } = unseal(raw, 'intent');
  if (tag !== tagIntent) throw new CorruptionError(`intent slot holds a record with tag ${tag}`);
  if (body.length < intentFixedBytes) throw new CorruptionError('intent record is truncated');
  if (body.length < 16) throw new CorruptionError('intent record is truncated');
  const txn: TxnMeta = {
    id: Buffer.from(body.subarray(0, 16)),
    epoch: body.readUInt32BE(16),
    writeTimestamp: readTimestampChecked(body, 20),
    sequence: body.readUInt32BE(32),
    priority: body.readUInt32BE(36),
  };
  const count = body.readUInt32BE(40);
  const history: IntentWrite[] = [];
  let o = intentFixedBytes;
  for (let i = 0; i < count; i++) {
    if (o + 9 > body.length) throw new CorruptionError('intent history is truncated');
    const sequence = body.readUInt32BE(o);
    const tombstone = body[o + 4];
    const length = body.readUInt32BE(o + 5);
    o += 9;
    if (tombstone !== 0 && tombstone !== 1) throw new CorruptionError('intent history has a bad flag');
    if (o + length > body.length) throw new CorruptionError('intent history value is truncated');
    history.push({ sequence, value: tombstone ? null : body.subarray(o, o + length) });
    o += length;
  }
  if (o !== body.length) throw new CorruptionError('intent record has trailing bytes');
  if (history.length === 0) throw new CorruptionError('intent record has no value');
  return { txn, history };
}

/** node/hlc's 12-byte big-endian timestamp encoding, written without a DataView (hot write path). */
function putTimestamp(out: Buffer, ts: Timestamp, offset: number): void {
  out.writeUInt32BE(Math.floor(ts.wallMicros / 0x1_0000_0000), offset);
  out.writeUInt32BE(ts.wallMicros >>> 0, offset + 4);
  out.writeUInt32BE(ts.logical, offset + 8);
}

function readTimestampChecked(buf: Buffer, offset: number): Timestamp {
  if (offset + timestampEncodedBytes > buf.length) throw new CorruptionError('record timestamp is truncated');
  const high = buf.readUInt32BE(offset);
  if (high > 0x1f_ffff) throw new CorruptionError('record timestamp overflows');
  return { wallMicros: high * 0x1_0000_0000 + buf.readUInt32BE(offset + 4), logical: buf.readUInt32BE(offset + 8) };
}

/** The value an intent shows to a reader of its own transaction at `sequence`. */
export function intentValueAt(record: IntentRecord, sequence: number): { found: boolean; value: Uint8Array | null } {
  for (let i = record.history.length - 1; i >= 0; i--) {
    const w = record.history[i]!;
    if (w.sequence <= sequence) return { found: true, value: w.value };
  }
  return { found: false, value: null };
}
