import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, hasPrefix, keyMax, keyMin, keyNext, prefixEnd } from './bytes.ts';
import { InvalidKeyError } from './errors.ts';
import {
  addrOf, decodeLivenessKey, decodeMetaKey, decodeRaftLogKey, decodeRangeIdLocalKey, decodeRangeLocalKey,
  decodeTenantPrefix, descriptorIdGeneratorKey, isLocalKey, livenessKey, livenessPrefix, localMax, localPrefix,
  metaKey, metaMax, metaPrefix, nodeIdGeneratorKey, raftAppliedStateKey, raftHardStateKey, raftLogKey, raftLogPrefix,
  raftTruncatedStateKey, rangeDescriptorKey, rangeIdGeneratorKey, rangeIdLocalPrefix, rangeIdLocalSpan,
  rangeLeaseKey, rangeLocalSpan, rangeLookupKey, rangeStatsKey, settingKey, storeHlcUpperBoundKey, storeIdentKey,
  storeLastUpKey, storeLocalKey, suffixRaftHardState, systemMax, systemPrefix, systemTenantId, tenantPrefix,
  tenantRecordKey, tenantSpan, tenantsMax, tenantsPrefix, transactionRecordKey, validateUserKey, zoneConfigKey,
} from './layout.ts';
import { userKeyBytesMax } from './limits.ts';
import { spanContainsKey, spansOverlap } from './span.ts';

const sign = (n: number) => Math.sign(n);
const b = (s: string) => Buffer.from(s);
const userKey = fc.uint8Array({ maxLength: 10 }).map((a) => Buffer.from(a));
const rangeId = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
/** Keys outside /Local: what clients address and meta records describe. */
const globalKey = userKey.map((k) => (k.length > 0 && k[0]! <= localPrefix[0]! ? Buffer.concat([metaPrefix, k]) : k));
const txnId = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((a) => Buffer.from(a));

function rangeIdLocalKeys(id: number): Buffer[] {
  return [raftLogKey(id, 0), raftLogKey(id, 1), raftLogKey(id, 2 ** 40), raftHardStateKey(id), raftAppliedStateKey(id),
    raftTruncatedStateKey(id), rangeLeaseKey(id), rangeStatsKey(id)];
}

describe('key space order', () => {
  it('sorts /Local < /Meta < /System < /Tenant < KeyMax', () => {
    const ordered = [
      keyMin, localPrefix, raftLogKey(1, 1), rangeDescriptorKey(b('a')), storeIdentKey, localMax,
      metaPrefix, metaKey(b('z')), metaMax,
      systemPrefix, descriptorIdGeneratorKey, livenessKey(1), systemMax,
      tenantsPrefix, tenantPrefix(1), Buffer.concat([tenantPrefix(2), b('x')]), tenantPrefix(2 ** 40), tenantsMax,
      keyMax,
    ];
    for (let i = 1; i < ordered.length; i++) {
      expect(compareKeys(ordered[i - 1]!, ordered[i]!), `item ${i}`).toBeLessThanOrEqual(0);
    }
    expect(compareKeys(localMax, metaPrefix)).toBe(0);
  });

  it('keeps every local key below localMax and every user-addressed key above it', () => {
    fc.assert(fc.property(rangeId, userKey, txnId, (id, key, txn) => {
      for (const k of [...rangeIdLocalKeys(id), rangeDescriptorKey(key), transactionRecordKey(key, txn)]) {
        expect(isLocalKey(k)).toBe(true);
        expect(compareKeys(k, localMax)).toBeLessThan(0);
      }
      for (const k of [metaKey(key), livenessKey(id), tenantPrefix(id)]) {
        expect(isLocalKey(k)).toBe(false);
        expect(compareKeys(localMax, k)).toBeLessThanOrEqual(0);
      }
    }));
  });
});

describe('range-ID-local keys', () => {
  it('sort within their range prefix, ranges in numeric order', () => {
    const ids = [1, 5, 6, 255, 256, 300, 70_000, 2 ** 32, Number.MAX_SAFE_INTEGER];
    for (const id of ids) {
      const span = rangeIdLocalSpan(id);
      expect(span.key).toEqual(rangeIdLocalPrefix(id));
      for (const key of rangeIdLocalKeys(id)) expect(spanContainsKey(span, key)).toBe(true);
    }
    for (let i = 1; i < ids.length; i++) {
      expect(compareKeys(rangeIdLocalSpan(ids[i - 1]!).endKey, rangeIdLocalPrefix(ids[i]!))).toBeLessThanOrEqual(0);
    }
  });

  it('of different ranges never interleave', () => {
    fc.assert(fc.property(rangeId, rangeId, (a, c) => {
      fc.pre(a !== c);
      expect(spansOverlap(rangeIdLocalSpan(a), rangeIdLocalSpan(c))).toBe(false);
      for (const key of rangeIdLocalKeys(a)) {
        expect(sign(compareKeys(key, rangeIdLocalPrefix(c)))).toBe(sign(a - c));
        expect(decodeRangeIdLocalKey(key)?.rangeId).toBe(a);
      }
    }));
  });

  it('keep the Raft log in index order, under the log prefix, and decode', () => {
    fc.assert(fc.property(rangeId, fc.nat(2 ** 48), fc.nat(2 ** 48), (id, x, y) => {
      expect(sign(compareKeys(raftLogKey(id, x), raftLogKey(id, y)))).toBe(sign(x - y));
      expect(decodeRaftLogKey(raftLogKey(id, x))).toEqual({ rangeId: id, index: x });
      expect(hasPrefix(raftLogKey(id, x), raftLogPrefix(id))).toBe(true);
    }));
    expect(decodeRaftLogKey(raftLogKey(7, Number.MAX_SAFE_INTEGER))).toEqual({ rangeId: 7, index: Number.MAX_SAFE_INTEGER });
  });

  it('reject bad IDs and non-log keys', () => {
    expect(() => decodeRaftLogKey(raftHardStateKey(3))).toThrow(InvalidKeyError);
    expect(() => decodeRaftLogKey(Buffer.concat([raftLogPrefix(3), Buffer.alloc(4)]))).toThrow(InvalidKeyError);
    expect(() => decodeRaftLogKey(metaKey(b('a')))).toThrow(InvalidKeyError);
    expect(() => rangeIdLocalPrefix(0)).toThrow(InvalidKeyError);
    expect(() => rangeIdLocalPrefix(1.5)).toThrow(InvalidKeyError);
    expect(() => rangeIdLocalPrefix(2 ** 53)).toThrow(InvalidKeyError);
    expect(() => raftLogKey(1, -1)).toThrow(InvalidKeyError);
    expect(() => decodeRangeIdLocalKey(rangeIdLocalPrefix(4))).toThrow(/no suffix/);
    expect(decodeRangeIdLocalKey(storeIdentKey)).toBeNull();
  });

  it('decode into range ID, suffix and detail', () => {
    const decoded = decodeRangeIdLocalKey(raftHardStateKey(42));
    expect(decoded?.rangeId).toBe(42);
    expect(Buffer.from(decoded!.suffix)).toEqual(suffixRaftHardState);
    expect(decoded?.detail.length).toBe(0);
  });
});

describe('range-local keys', () => {
  it('route by their anchor and round trip', () => {
    fc.assert(fc.property(userKey, txnId, (anchor, txn) => {
      const rec = transactionRecordKey(anchor, txn);
      expect(addrOf(rec)).toEqual(anchor);
      expect(decodeRangeLocalKey(rec)?.anchor).toEqual(anchor);
      expect(Buffer.from(decodeRangeLocalKey(rec)!.detail)).toEqual(txn);
      expect(addrOf(rangeDescriptorKey(anchor))).toEqual(anchor);
      expect(decodeRangeLocalKey(rangeDescriptorKey(anchor))?.detail.length).toBe(0);
    }));
  });

  it('sort with their anchors and fall in the range-local span of a span exactly when the anchor does', () => {
    fc.assert(fc.property(userKey, userKey, userKey, txnId, (start, end, anchor, txn) => {
      fc.pre(compareKeys(start, end) < 0);
      const span = { key: start, endKey: end };
      const local = rangeLocalSpan(span);
      const inside = spanContainsKey(span, anchor);
      expect(spanContainsKey(local, rangeDescriptorKey(anchor))).toBe(inside);
      expect(spanContainsKey(local, transactionRecordKey(anchor, txn))).toBe(inside);
    }), { numRuns: 1000 });
    const point = rangeLocalSpan({ key: b('k'), endKey: Buffer.alloc(0) });
    expect(spanContainsKey(point, rangeDescriptorKey(b('k')))).toBe(true);
    expect(spanContainsKey(point, rangeDescriptorKey(b('k\x00')))).toBe(false);
  });

  it('reject bad transaction IDs; local keys of a store or range are not addressable', () => {
    expect(() => transactionRecordKey(b('a'), Buffer.alloc(3))).toThrow(InvalidKeyError);
    expect(() => addrOf(raftHardStateKey(1))).toThrow(InvalidKeyError);
    expect(() => addrOf(storeIdentKey)).toThrow(InvalidKeyError);
    expect(addrOf(livenessKey(2))).toEqual(livenessKey(2));
    expect(decodeRangeLocalKey(metaKey(b('a')))).toBeNull();
  });
});

describe('meta addressing', () => {
  it('finds the first meta record ending after the key', () => {
    const lookup = rangeLookupKey(b('m'));
    // A range ending exactly at "m" does not contain "m"; one ending at "m\0" does.
    expect(compareKeys(metaKey(b('m')), lookup)).toBeLessThan(0);
    expect(compareKeys(lookup, metaKey(b('m\x00')))).toBeLessThanOrEqual(0);
  });

  it('seek lands on the range containing the key, given any set of range boundaries', () => {
    fc.assert(fc.property(fc.uniqueArray(globalKey, { comparator: (x, y) => x.equals(y), maxLength: 8 }), globalKey, txnId,
      (splits, key, txn) => {
        // Ranges [keyMin, s1), [s1, s2), …, [sn, keyMax): meta records keyed by their end keys.
        const ends = [...splits.filter((s) => s.length > 0), keyMax].sort(compareKeys);
        const metaKeys = ends.map((end) => metaKey(end));
        for (const probe of [key, transactionRecordKey(key, txn)]) {
          const seek = rangeLookupKey(probe);
          const found = metaKeys.find((m) => compareKeys(m, seek) >= 0);
          const end = decodeMetaKey(found!);
          const start = ends[ends.indexOf(ends.find((e) => e.equals(end))!) - 1] ?? keyMin;
          expect(spanContainsKey({ key: start, endKey: end }, key)).toBe(true);
        }
      }));
  });

  it('round trips the end key', () => {
    fc.assert(fc.property(userKey, (k) => {
      expect(decodeMetaKey(metaKey(k))).toEqual(k);
    }));
    expect(() => decodeMetaKey(livenessKey(1))).toThrow(InvalidKeyError);
    expect(hasPrefix(metaKey(keyMax), metaPrefix)).toBe(true);
  });
});

describe('system keys', () => {
  it('sort liveness by node ID and round trip', () => {
    fc.assert(fc.property(rangeId, rangeId, (x, y) => {
      expect(decodeLivenessKey(livenessKey(x))).toBe(x);
      expect(hasPrefix(livenessKey(x), livenessPrefix)).toBe(true);
      expect(sign(compareKeys(livenessKey(x), livenessKey(y)))).toBe(sign(x - y));
    }));
    expect(() => decodeLivenessKey(tenantRecordKey(1))).toThrow(InvalidKeyError);
    expect(() => decodeLivenessKey(Buffer.concat([livenessKey(1), b('x')]))).toThrow(/trailing/);
    expect(() => livenessKey(0)).toThrow(InvalidKeyError);
  });

  it('are distinct and all live in /System', () => {
    const keys = [livenessKey(1), settingKey('a'), tenantRecordKey(1), zoneConfigKey(0), rangeIdGeneratorKey,
      nodeIdGeneratorKey, descriptorIdGeneratorKey];
    for (const k of keys) expect(hasPrefix(k, systemPrefix)).toBe(true);
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(keys.length);
    expect(() => settingKey('')).toThrow(InvalidKeyError);
    expect(() => zoneConfigKey(-1)).toThrow(InvalidKeyError);
  });

  it('store-local keys are local, distinct and not addressable', () => {
    const keys = [storeIdentKey, storeHlcUpperBoundKey, storeLastUpKey, storeLocalKey('replica/')];
    for (const k of keys) expect(isLocalKey(k)).toBe(true);
    expect(new Set(keys.map((k) => k.toString('hex'))).size).toBe(keys.length);
    expect(() => storeLocalKey('')).toThrow(InvalidKeyError);
  });
});

describe('tenants', () => {
  const tenantId = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));

  it('have disjoint spans ordered by tenant ID', () => {
    fc.assert(fc.property(tenantId, tenantId, userKey, (x, y, rest) => {
      fc.pre(x !== y);
      expect(spansOverlap(tenantSpan(x), tenantSpan(y))).toBe(false);
      expect(sign(compareKeys(tenantPrefix(x), tenantPrefix(y)))).toBe(sign(x - y));
      const key = Buffer.concat([tenantPrefix(x), rest]);
      expect(spanContainsKey(tenantSpan(x), key)).toBe(true);
      expect(spanContainsKey(tenantSpan(y), key)).toBe(false);
    }));
  });

  it('round trip through decodeTenantPrefix', () => {
    fc.assert(fc.property(tenantId, userKey, (id, rest) => {
      const decoded = decodeTenantPrefix(Buffer.concat([tenantPrefix(id), rest]));
      expect(decoded?.tenantId).toBe(id);
      expect(Buffer.from(decoded!.rest)).toEqual(rest);
    }));
  });

  it('spans lie inside tenant space', () => {
    fc.assert(fc.property(tenantId, (id) => {
      const span = tenantSpan(id);
      expect(compareKeys(tenantsPrefix, span.key)).toBeLessThan(0);
      expect(compareKeys(span.endKey, tenantsMax)).toBeLessThanOrEqual(0);
      expect(span.endKey).toEqual(prefixEnd(tenantPrefix(id)));
    }));
  });

  it('reject keys outside tenant space and invalid IDs', () => {
    expect(decodeTenantPrefix(metaKey(b('a')))).toBeNull();
    expect(decodeTenantPrefix(livenessKey(4))).toBeNull();
    expect(() => decodeTenantPrefix(Buffer.from([tenantsPrefix[0]!, 0]))).toThrow(/tenant ID 0/);
    expect(() => tenantPrefix(0)).toThrow(InvalidKeyError);
    expect(() => tenantSpan(-3)).toThrow(InvalidKeyError);
    expect(systemTenantId).toBe(1);
    expect(decodeTenantPrefix(tenantPrefix(systemTenantId))?.tenantId).toBe(1);
  });
});

describe('validateUserKey', () => {
  it('rejects empty, oversized and out-of-space keys', () => {
    expect(() => validateUserKey(Buffer.alloc(0))).toThrow(/empty key/);
    expect(() => validateUserKey(Buffer.alloc(userKeyBytesMax + 1, 1))).toThrow(/exceeds the limit/);
    expect(() => validateUserKey(keyMax)).toThrow(InvalidKeyError);
    expect(() => validateUserKey(keyNext(keyMax))).toThrow(InvalidKeyError);
    expect(() => validateUserKey(Buffer.alloc(userKeyBytesMax, 1))).not.toThrow();
    expect(() => validateUserKey(Buffer.concat([tenantPrefix(5), b('row')]))).not.toThrow();
  });
});
