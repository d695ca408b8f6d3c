import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareTimestamps, maxTimestamp, timestamp, writeTimestamp, type Timestamp } from '../hlc/index.ts';
import { encodeEscapedKey } from '../keys/index.ts';
import { CorruptionError } from './errors.ts';
import { decodeMvccKey, escapeKey, intentKey, versionKey } from './mvcc-key.ts';
import { decodeAnyVersionValue, decodeIntent, decodeKeySlot, encodeIntent, encodeLatestValue, encodeVersionValue, recordTag } from './mvcc-value.ts';

const key = fc.uint8Array({ minLength: 1, maxLength: 12 }).map((a) => Buffer.from(a));
const ts: fc.Arbitrary<Timestamp> = fc.oneof(
  fc.record({ wallMicros: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), logical: fc.nat(0xffff_ffff) }),
  fc.record({ wallMicros: fc.nat(50), logical: fc.nat(3) }),
);
const options = { seed: 3, numRuns: 300 };

describe('MVCC keys', () => {
  it('escape keys exactly as node/keys does', () => {
    fc.assert(fc.property(key, (k) => {
      expect(escapeKey(k)).toEqual(encodeEscapedKey(k));
    }), options);
  });

  it('round trip through decodeMvccKey', () => {
    fc.assert(fc.property(key, ts, (k, t) => {
      expect(decodeMvccKey(versionKey(k, t))).toMatchObject({ key: k, timestamp: t });
      expect(decodeMvccKey(intentKey(k))).toMatchObject({ key: k, timestamp: null });
    }), options);
  });

  it('store the timestamp as the inverse of node/hlc encoding', () => {
    fc.assert(fc.property(key, ts, (k, t) => {
      const plain = Buffer.alloc(12);
      writeTimestamp(t, plain, 0);
      const suffix = versionKey(k, t).subarray(-12);
      expect([...suffix]).toEqual([...plain].map((b) => 0xff - b));
    }), options);
  });

  it('sort every record of a key together: the slot first, then versions newest first', () => {
    fc.assert(fc.property(key, ts, key, ts, (a, ta, b, tb) => {
      const records = (k: Buffer, t: Timestamp) => [intentKey(k), versionKey(k, t)];
      const keyOrder = Buffer.compare(a, b);
      for (const ra of records(a, ta)) {
        for (const rb of records(b, tb)) {
          if (keyOrder !== 0) expect(Math.sign(Buffer.compare(ra, rb))).toBe(keyOrder);
        }
      }
      expect(Buffer.compare(intentKey(a), versionKey(a, ta))).toBeLessThan(0);
      const versionOrder = Buffer.compare(versionKey(a, ta), versionKey(a, tb));
      expect(Math.sign(versionOrder)).toBe(-Math.sign(compareTimestamps(ta, tb)) || 0);
    }), options);
  });

  it('refuse malformed record keys', () => {
    expect(() => decodeMvccKey(Buffer.from('abc'))).toThrow(CorruptionError);
    expect(() => decodeMvccKey(Buffer.from([0x61, 0x00, 0x02]))).toThrow(CorruptionError);
    expect(() => decodeMvccKey(Buffer.from([0x00, 0x01]))).toThrow(/empty user key/);
    expect(() => decodeMvccKey(Buffer.concat([intentKey(Buffer.from('a')), Buffer.alloc(5)]))).toThrow(/5-byte suffix/);
    const overflow = Buffer.concat([intentKey(Buffer.from('a')), Buffer.alloc(12, 0x00)]);
    expect(() => decodeMvccKey(overflow)).toThrow(/overflows/);
  });
});

describe('MVCC values', () => {
  it('round trip latest versions, older versions and intents', () => {
    const value = fc.option(fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)), { freq: 4 });
    fc.assert(fc.property(ts, value, (t, v) => {
      expect(decodeKeySlot(encodeLatestValue(t, v))).toEqual({ kind: 'latest', timestamp: t, value: v });
      expect(decodeAnyVersionValue(encodeLatestValue(t, v))).toEqual(v);
      expect(decodeAnyVersionValue(encodeVersionValue(v))).toEqual(v);
      const txn = { id: Buffer.alloc(16, 9), epoch: 3, writeTimestamp: t, sequence: 7, priority: 2 };
      const history = [{ sequence: 2, value: Buffer.from('old') }, { sequence: 7, value: v }];
      expect(decodeIntent(encodeIntent({ txn, history }))).toEqual({ txn, history });
    }), options);
    expect(decodeKeySlot(encodeLatestValue(maxTimestamp, null))).toEqual({ kind: 'latest', timestamp: maxTimestamp, value: null });
    expect(decodeKeySlot(encodeLatestValue(timestamp(1), Buffer.alloc(0)))).toEqual({ kind: 'latest', timestamp: timestamp(1), value: Buffer.alloc(0) });
  });

  it('detect any single flipped bit', () => {
    const records = [encodeLatestValue(timestamp(5, 1), Buffer.from('value')), encodeVersionValue(Buffer.from('older')), encodeIntent({
      txn: { id: Buffer.alloc(16, 1), epoch: 0, writeTimestamp: timestamp(5), sequence: 1, priority: 0 },
      history: [{ sequence: 1, value: Buffer.from('v') }],
    })];
    for (const record of records) {
      for (let bit = 0; bit < record.length * 8; bit++) {
        const bad = Buffer.from(record);
        bad[bit >> 3]! ^= 1 << (bit & 7);
        expect(() => (recordTag(bad) === 2 ? decodeIntent(bad) : decodeAnyVersionValue(bad)), `bit ${bit}`).toThrow(CorruptionError);
      }
    }
  });
});
