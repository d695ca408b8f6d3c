/**
 * Transaction records: the one place a transaction's fate is decided. A record
 * lives at a range-local key beside the anchor key (its first write), so it is
 * on the anchor's range and moves with it on splits. Stored raw (not MVCC).
 *
 * Wire format (v1): version(1)=1 ‖ status(1) ‖ abortReason(1) ‖ id(16) ‖ epoch(4) ‖ priority(4)
 *   ‖ writeTs(12) ‖ minTs(12) ‖ lastHeartbeat(12) ‖ anchorLen(4) ‖ anchor
 *   ‖ inFlightCount(4) × [sequence(4) ‖ len(4) ‖ key] ‖ lockSpanCount(4) × [len(4) ‖ key ‖ len(4) ‖ endKey]
 */
import { readTimestamp, timestampEncodedBytes, writeTimestamp, type Timestamp } from '../hlc/index.ts';
import { transactionRecordKey, type Span } from '../keys/index.ts';
import { CorruptionError, type Batch, type Reader } from '../storage/index.ts';
import type { InFlightWrite, TxnStatus } from './api.ts';
import type { AbortReason } from './errors.ts';

export interface TxnRecord {
  readonly id: Uint8Array;
  readonly status: TxnStatus;
  readonly abortReason?: AbortReason;
  readonly epoch: number;
  readonly priority: number;
  readonly anchorKey: Uint8Array;
  readonly writeTimestamp: Timestamp;
  readonly minTimestamp: Timestamp;
  readonly lastHeartbeat: Timestamp;
  /** STAGING only: the writes that must all be present for the commit to have happened. */
  readonly inFlightWrites: readonly InFlightWrite[];
  /** Spans holding the transaction's intents, for resolution once finalized. */
  readonly lockSpans: readonly Span[];
}

const formatVersion = 1;
const statuses: readonly TxnStatus[] = ['pending', 'staging', 'committed', 'aborted'];
const reasons: readonly (AbortReason | undefined)[] = [undefined, 'pushed', 'deadlock', 'abandoned', 'client'];

/** The record's key: range-local, beside `anchorKey`. */
export function txnRecordKey(anchorKey: Uint8Array, txnId: Uint8Array): Buffer {
  return transactionRecordKey(anchorKey, txnId);
}

class Writer {
  readonly parts: Buffer[] = [];
  u8(v: number): void { this.parts.push(Buffer.from([v])); }
  u32(v: number): void { const b = Buffer.alloc(4); b.writeUInt32BE(v); this.parts.push(b); }
  ts(t: Timestamp): void { const b = Buffer.alloc(timestampEncodedBytes); writeTimestamp(t, b, 0); this.parts.push(b); }
  bytes(v: Uint8Array): void { this.u32(v.length); this.parts.push(Buffer.from(v)); }
  fixed(v: Uint8Array): void { this.parts.push(Buffer.from(v)); }
}

class Cursor {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  need(n: number): void { if (this.offset + n > this.buf.length) throw new CorruptionError('transaction record truncated'); }
  u8(): number { this.need(1); return this.buf[this.offset++]!; }
  u32(): number { this.need(4); const v = this.buf.readUInt32BE(this.offset); this.offset += 4; return v; }
  ts(): Timestamp { this.need(timestampEncodedBytes); const t = readTimestamp(this.buf, this.offset); this.offset += timestampEncodedBytes; return t; }
  fixed(n: number): Buffer { this.need(n); const v = Buffer.from(this.buf.subarray(this.offset, this.offset + n)); this.offset += n; return v; }
  bytes(): Buffer { return this.fixed(this.u32()); }
}

export function encodeTxnRecord(record: TxnRecord): Buffer {
  const w = new Writer();
  w.u8(formatVersion);
  w.u8(statuses.indexOf(record.status));
  w.u8(reasons.indexOf(record.abortReason));
  if (record.id.length !== 16) throw new RangeError('transaction ID must have 16 bytes');
  w.fixed(record.id);
  w.u32(record.epoch);
  w.u32(record.priority);
  w.ts(record.writeTimestamp);
  w.ts(record.minTimestamp);
  w.ts(record.lastHeartbeat);
  w.bytes(record.anchorKey);
  w.u32(record.inFlightWrites.length);
  for (const write of record.inFlightWrites) { w.u32(write.sequence); w.bytes(write.key); }
  w.u32(record.lockSpans.length);
  for (const span of record.lockSpans) { w.bytes(span.key); w.bytes(span.endKey); }
  return Buffer.concat(w.parts);
}

export function decodeTxnRecord(raw: Buffer): TxnRecord {
  const c = new Cursor(raw);
  if (c.u8() !== formatVersion) throw new CorruptionError('unknown transaction record version');
  const status = statuses[c.u8()];
  const reasonIndex = c.u8();
  if (!status || reasonIndex >= reasons.length) throw new CorruptionError('bad transaction record status');
  const id = c.fixed(16);
  const epoch = c.u32();
  const priority = c.u32();
  const writeTs = c.ts();
  const minTs = c.ts();
  const lastHeartbeat = c.ts();
  const anchorKey = c.bytes();
  const inFlightWrites: InFlightWrite[] = [];
  for (let n = c.u32(); n > 0; n--) { const sequence = c.u32(); inFlightWrites.push({ sequence, key: c.bytes() }); }
  const lockSpans: Span[] = [];
  for (let n = c.u32(); n > 0; n--) { const key = c.bytes(); lockSpans.push({ key, endKey: c.bytes() }); }
  if (c.offset !== raw.length) throw new CorruptionError('trailing bytes after transaction record');
  const reason = reasons[reasonIndex];
  return {
    id, status, epoch, priority, anchorKey, writeTimestamp: writeTs, minTimestamp: minTs, lastHeartbeat, inFlightWrites, lockSpans,
    ...(reason ? { abortReason: reason } : {}),
  };
}

/** Reads the record of `txnId` anchored at `anchorKey` (null when none was written). */
export async function readTxnRecord(reader: Reader, anchorKey: Uint8Array, txnId: Uint8Array): Promise<TxnRecord | null> {
  const raw = await reader.get(txnRecordKey(anchorKey, txnId));
  return raw === undefined ? null : decodeTxnRecord(raw);
}

/** Writes `record` into the batch at its key. */
export function writeTxnRecord(batch: Batch, record: TxnRecord): void {
  batch.put(txnRecordKey(record.anchorKey, record.id), encodeTxnRecord(record));
}

/** Whether the record's status is final (COMMITTED or ABORTED). */
export function isFinalized(status: TxnStatus): boolean {
  return status === 'committed' || status === 'aborted';
}
