import { describe, expect, it } from 'vitest';
import { timestamp } from '../hlc/index.ts';
import { CorruptionError } from '../storage/index.ts';
import { decodeTxnRecord, encodeTxnRecord, txnRecordKey, type TxnRecord } from './record.ts';

const record: TxnRecord = {
  id: Buffer.alloc(16, 3), status: 'staging', epoch: 2, priority: 77, anchorKey: Buffer.from('\x04anchor'),
  writeTimestamp: timestamp(100, 2), minTimestamp: timestamp(90), lastHeartbeat: timestamp(95, 1),
  inFlightWrites: [{ key: Buffer.from('\x04a'), sequence: 1 }, { key: Buffer.from('\x04b'), sequence: 4 }],
  lockSpans: [{ key: Buffer.from('\x04a'), endKey: Buffer.alloc(0) }, { key: Buffer.from('\x04c'), endKey: Buffer.from('\x04d') }],
};

describe('encodeTxnRecord', () => {
  it('round-trips every field, including the abort reason', () => {
    expect(decodeTxnRecord(encodeTxnRecord(record))).toEqual(record);
    const aborted: TxnRecord = { ...record, status: 'aborted', abortReason: 'deadlock', inFlightWrites: [] };
    expect(decodeTxnRecord(encodeTxnRecord(aborted))).toEqual(aborted);
  });

  it('rejects truncated or trailing bytes', () => {
    const raw = encodeTxnRecord(record);
    expect(() => decodeTxnRecord(raw.subarray(0, raw.length - 1))).toThrow(CorruptionError);
    expect(() => decodeTxnRecord(Buffer.concat([raw, Buffer.from([0])]))).toThrow(CorruptionError);
  });

  it('txnRecordKey is range-local beside its anchor', () => {
    const key = txnRecordKey(record.anchorKey, record.id);
    expect(key[0]).toBe(0x01);
    expect(key.includes(Buffer.from('anchor'))).toBe(true);
  });
});
