import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addrOf, compareKeys, decodeEscapedKey, decodeMetaKey, decodeOrderedUint, decodeRaftLogKey, decodeRangeLocalKey,
  decodeTenantPrefix, encodeEscapedKey, encodeOrderedUint, intersectSpans, InvalidKeyError, keyMax, keyNext,
  livenessKey, metaKey, prefixEnd, prettyKey, prettySpan, raftAppliedStateKey, raftHardStateKey, raftLogKey,
  raftLogPrefix, raftTruncatedStateKey, rangeDescriptorKey, rangeIdLocalPrefix, rangeLeaseKey, rangeLookupKey,
  rangeStatsKey, registerTenantKeyPrinter, settingKey, spanContainsKey, spanContainsSpan, spansOverlap,
  storeIdentKey, systemTenantId, tenantPrefix, tenantRecordKey, tenantSpan, transactionRecordKey,
  userKeyBytesMax, validateUserKey, descriptorIdGeneratorKey,
} from './index.ts';

const bytes = fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a));
const sign = (n: number) => Math.sign(n);

describe('prefixEnd', () => {
  it('bounds every key with the prefix', () => {
    fc.assert(fc.property(bytes, bytes, (prefix, suffix) => {
      const key = Buffer.concat([prefix, suffix]);
      // An empty or all-0xff prefix maps to KeyMax, which bounds only keys of the key space (below KeyMax).
      fc.pre(prefix.some((b) => b !== 0xff) || compareKeys(key, keyMax) < 0);
      expect(compareKeys(prefix, key)).toBeLessThanOrEqual(0);
      expect(compareKeys(key, prefixEnd(prefix))).toBeLessThan(0);
    }), { numRuns: 2000 });
  });

  it('handles trailing 0xff bytes and all-0xff prefixes', () => {
    expect(prefixEnd(Buffer.from([1, 0xff, 0xff]))).toEqual(Buffer.from([2]));
    expect(prefixEnd(Buffer.from([0xff, 0xff, 0xff]))).toEqual(keyMax);
    expect(prefixEnd(Buffer.alloc(0))).toEqual(keyMax);
  });

  it('keyNext is the immediate successor', () => {
    fc.assert(fc.property(bytes, bytes, (a, b) => {
      const n = keyNext(a);
      expect(compareKeys(a, n)).toBeLessThan(0);
      if (compareKeys(a, b) < 0) expect(compareKeys(n, b)).toBeLessThanOrEqual(0);
    }));
  });
});

describe('ordered integers', () => {
  it('round trip and order numerically', () => {
    const n = fc.oneof(fc.nat(300), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }));
    fc.assert(fc.property(n, n, (a, b) => {
      expect(decodeOrderedUint(encodeOrderedUint(a), 0)).toEqual({ value: a, next: encodeOrderedUint(a).length });
      expect(sign(compareKeys(encodeOrderedUint(a), encodeOrderedUint(b)))).toBe(sign(a - b));
    }));
  });

  it('rejects malformed encodings', () => {
    expect(() => decodeOrderedUint(Buffer.from([2, 1]), 0)).toThrow(InvalidKeyError);
    expect(() => decodeOrderedUint(Buffer.from([1, 0]), 0)).toThrow(/non-minimal/);
    expect(() => decodeOrderedUint(Buffer.from([9, 1, 1, 1, 1, 1, 1, 1, 1, 1]), 0)).toThrow(InvalidKeyError);
    expect(() => encodeOrderedUint(-1)).toThrow(InvalidKeyError);
  });
});

describe('escaped keys', () => {
  it('round trip and keep order with any suffix', () => {
    fc.assert(fc.property(bytes, bytes, bytes, bytes, (a, b, sa, sb) => {
      const ea = Buffer.concat([encodeEscapedKey(a), sa]);
      const eb = Buffer.concat([encodeEscapedKey(b), sb]);
      expect(decodeEscapedKey(ea, 0).key).toEqual(a);
      if (!a.equals(b)) expect(sign(compareKeys(ea, eb))).toBe(sign(compareKeys(a, b)));
    }));
  });

  it('rejects a missing terminator and bad escapes', () => {
    expect(() => decodeEscapedKey(Buffer.from('abc'), 0)).toThrow(InvalidKeyError);
    expect(() => decodeEscapedKey(Buffer.from([0x61, 0x00, 0x05]), 0)).toThrow(/bad escape/);
  });
});

describe('key space order', () => {
  it('sorts /Local < /Meta < /System < /Tenant < KeyMax', () => {
    const ordered = [
      raftLogKey(1, 1), rangeDescriptorKey(Buffer.from("a")), storeIdentKey, metaKey(Buffer.from('z')),
      descriptorIdGeneratorKey, livenessKey(1), tenantPrefix(1), Buffer.concat([tenantPrefix(2), Buffer.from('x')]), keyMax,
    ];
    for (let i = 1; i < ordered.length; i++) {
      expect(compareKeys(ordered[i - 1]!, ordered[i]!), prettyKey(ordered[i]!)).toBeLessThan(0);
    }
  });

  it('keeps each range-ID-local key under its range prefix, ranges in numeric order', () => {
    const ids = [5, 6, 255, 256, 300, 70000];
    for (const id of ids) {
      const prefix = rangeIdLocalPrefix(id);
      for (const key of [raftLogKey(id, 0), raftLogKey(id, 2 ** 40), raftHardStateKey(id), raftAppliedStateKey(id),
        raftTruncatedStateKey(id), rangeLeaseKey(id), rangeStatsKey(id)]) {
        expect(compareKeys(prefix, key)).toBeLessThan(0);
        expect(compareKeys(key, prefixEnd(prefix))).toBeLessThan(0);
      }
    }
    for (let i = 1; i < ids.length; i++) {
      expect(compareKeys(prefixEnd(rangeIdLocalPrefix(ids[i - 1]!)), rangeIdLocalPrefix(ids[i]!))).toBeLessThanOrEqual(0);
    }
  });

  it('orders Raft log keys by index and decodes them', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 1e6 }), fc.nat(2 ** 48), fc.nat(2 ** 48), (range, a, b) => {
      expect(sign(compareKeys(raftLogKey(range, a), raftLogKey(range, b)))).toBe(sign(a - b));
      expect(decodeRaftLogKey(raftLogKey(range, a))).toEqual({ rangeId: range, index: a });
      const prefix = raftLogPrefix(range);
      expect(compareKeys(prefix, raftLogKey(range, a))).toBeLessThan(0);
    }));
    expect(() => decodeRaftLogKey(raftHardStateKey(3))).toThrow(InvalidKeyError);
  });

  it('keeps tenant spans disjoint and ordered by tenant ID', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.integer({ min: 1, max: 2 ** 40 }), (a, b) => {
      fc.pre(a !== b);
      expect(spansOverlap(tenantSpan(a), tenantSpan(b))).toBe(false);
      expect(sign(compareKeys(tenantPrefix(a), tenantPrefix(b)))).toBe(sign(a - b));
      expect(decodeTenantPrefix(Buffer.concat([tenantPrefix(a), Buffer.from('k')]))?.tenantId).toBe(a);
    }));
    expect(decodeTenantPrefix(metaKey(Buffer.from('a')))).toBeNull();
    expect(systemTenantId).toBe(1);
  });
});

describe('range-local keys', () => {
  it('sort next to their anchor and route by it', () => {
    const anchor = Buffer.concat([tenantPrefix(3), Buffer.from([0, 1, 2])]);
    const txnId = Buffer.alloc(16, 7);
    const rec = transactionRecordKey(anchor, txnId);
    expect(addrOf(rec)).toEqual(anchor);
    expect(decodeRangeLocalKey(rec)?.detail).toEqual(txnId);
    expect(addrOf(rangeDescriptorKey(anchor))).toEqual(anchor);
    expect(() => addrOf(raftHardStateKey(1))).toThrow(InvalidKeyError);
    expect(() => transactionRecordKey(anchor, Buffer.alloc(3))).toThrow(InvalidKeyError);
  });
});

describe('meta addressing', () => {
  it('finds the first meta record ending after the key', () => {
    const key = Buffer.from('m');
    const lookup = rangeLookupKey(key);
    // A range ending exactly at "m" does not contain "m"; one ending after it does.
    expect(compareKeys(metaKey(Buffer.from('m')), lookup)).toBeLessThan(0);
    expect(compareKeys(lookup, metaKey(Buffer.from('m\x00')))).toBeLessThanOrEqual(0);
    expect(decodeMetaKey(metaKey(Buffer.from('xyz')))).toEqual(Buffer.from('xyz'));
  });
});

describe('spans', () => {
  it('contain, overlap and intersect consistently', () => {
    const span = fc.tuple(bytes, bytes).map(([a, b]) => (compareKeys(a, b) <= 0 ? { key: a, endKey: Buffer.concat([b, Buffer.from([1])]) } : { key: b, endKey: Buffer.concat([a, Buffer.from([1])]) }));
    fc.assert(fc.property(span, span, bytes, (a, b, k) => {
      const inter = intersectSpans(a, b);
      expect(inter !== null).toBe(spansOverlap(a, b));
      if (inter) {
        expect(spanContainsSpan(a, inter)).toBe(true);
        expect(spanContainsSpan(b, inter)).toBe(true);
      }
      expect(spanContainsKey(a, k) && spanContainsKey(b, k)).toBe(inter !== null && spanContainsKey(inter, k));
    }));
  });
});

describe('validateUserKey', () => {
  it('rejects empty, oversized and out-of-space keys', () => {
    expect(() => validateUserKey(Buffer.alloc(0))).toThrow(/empty key/);
    expect(() => validateUserKey(Buffer.alloc(userKeyBytesMax + 1, 1))).toThrow(/exceeds the limit/);
    expect(() => validateUserKey(keyMax)).toThrow(InvalidKeyError);
    expect(() => validateUserKey(Buffer.alloc(userKeyBytesMax, 1))).not.toThrow();
  });
});

describe('prettyKey', () => {
  it('renders each kind of key', () => {
    expect(prettyKey(raftLogKey(12, 5))).toBe('/Local/RangeID/12/RaftLog/5');
    expect(prettyKey(raftHardStateKey(12))).toBe('/Local/RangeID/12/RaftHardState');
    expect(prettyKey(rangeDescriptorKey(Buffer.from('foo')))).toBe('/Local/Range"foo"/RangeDescriptor');
    expect(prettyKey(metaKey(Buffer.from('foo')))).toBe('/Meta"foo"');
    expect(prettyKey(livenessKey(3))).toBe('/System/NodeLiveness/3');
    expect(prettyKey(settingKey('kv.split_bytes'))).toBe('/System/Setting/kv.split_bytes');
    expect(prettyKey(tenantRecordKey(9))).toBe('/System/Tenant/9');
    expect(prettyKey(Buffer.concat([tenantPrefix(5), Buffer.from([0x61, 0x00, 0xfe])]))).toBe('/Tenant/5/"a\\x00\\xfe"');
    expect(prettyKey(storeIdentKey)).toBe('/Local/Store/StoreIdent');
    expect(prettyKey(Buffer.alloc(0))).toBe('/Min');
    expect(prettyKey(keyMax)).toBe('/Max');
    expect(prettySpan(tenantSpan(2))).toBe('[/Tenant/2, /Tenant/3)');
  });

  it('uses a registered tenant key printer and never throws', () => {
    registerTenantKeyPrinter((tenant, rest) => `Table/${rest[0]}`);
    try {
      expect(prettyKey(Buffer.concat([tenantPrefix(2), Buffer.from([53, 1])]))).toBe('/Tenant/2/Table/53');
    } finally {
      registerTenantKeyPrinter(null);
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 20 }), (k) => {
      expect(typeof prettyKey(k)).toBe('string');
    }));
  });
});
