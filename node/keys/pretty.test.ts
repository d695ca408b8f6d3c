import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { keyMax, keyMin } from './bytes.ts';
import {
  descriptorIdGeneratorKey, livenessKey, localPrefix, metaKey, metaPrefix, nodeIdGeneratorKey, raftAppliedStateKey,
  raftHardStateKey, raftLogKey, raftTruncatedStateKey, rangeDescriptorKey, rangeIdGeneratorKey, rangeLeaseKey,
  rangeStatsKey, settingKey, storeHlcUpperBoundKey, storeIdentKey, storeIdGeneratorKey, storeLastUpKey, storeLocalKey,
  systemPrefix, tenantPrefix, tenantRecordKey, tenantSpan, tenantsPrefix, transactionRecordKey, zoneConfigKey,
} from './layout.ts';
import { prettyKey, prettySpan, quoteBytes, registerTenantKeyPrinter } from './pretty.ts';

const b = (s: string) => Buffer.from(s);
const tenantKey = (id: number, rest: Uint8Array) => Buffer.concat([tenantPrefix(id), rest]);

afterEach(() => registerTenantKeyPrinter(null));

describe('prettyKey', () => {
  it('renders range-ID-local keys', () => {
    expect(prettyKey(raftLogKey(12, 5))).toBe('/Local/RangeID/12/RaftLog/5');
    expect(prettyKey(raftLogKey(300, 2 ** 40))).toBe(`/Local/RangeID/300/RaftLog/${2 ** 40}`);
    expect(prettyKey(raftHardStateKey(12))).toBe('/Local/RangeID/12/RaftHardState');
    expect(prettyKey(raftAppliedStateKey(12))).toBe('/Local/RangeID/12/RaftAppliedState');
    expect(prettyKey(raftTruncatedStateKey(12))).toBe('/Local/RangeID/12/RaftTruncatedState');
    expect(prettyKey(rangeLeaseKey(7))).toBe('/Local/RangeID/7/RangeLease');
    expect(prettyKey(rangeStatsKey(7))).toBe('/Local/RangeID/7/RangeStats');
  });

  it('renders range-local keys with their anchor', () => {
    expect(prettyKey(rangeDescriptorKey(b('foo')))).toBe('/Local/Range/"foo"/RangeDescriptor');
    expect(prettyKey(rangeDescriptorKey(keyMin))).toBe('/Local/Range/Min/RangeDescriptor');
    expect(prettyKey(rangeDescriptorKey(tenantKey(5, b('a'))))).toBe('/Local/Range/Tenant/5/"a"/RangeDescriptor');
    expect(prettyKey(transactionRecordKey(b('k'), Buffer.alloc(16, 0xab))))
      .toBe(`/Local/Range/"k"/Transaction/${'ab'.repeat(16)}`);
  });

  it('renders store-local keys', () => {
    expect(prettyKey(storeIdentKey)).toBe('/Local/Store/StoreIdent');
    expect(prettyKey(storeHlcUpperBoundKey)).toBe('/Local/Store/HlcUpperBound');
    expect(prettyKey(storeLastUpKey)).toBe('/Local/Store/LastUp');
    expect(prettyKey(storeLocalKey('replica/9'))).toBe('/Local/Store/Node/"replica/9"');
    expect(prettyKey(Buffer.concat([localPrefix, b('?')]))).toBe('/Local/"?"');
  });

  it('renders meta keys', () => {
    expect(prettyKey(metaKey(b('foo')))).toBe('/Meta/"foo"');
    expect(prettyKey(metaKey(tenantKey(3, b('x'))))).toBe('/Meta/Tenant/3/"x"');
    expect(prettyKey(metaKey(keyMax))).toBe('/Meta/Max');
    expect(prettyKey(metaPrefix)).toBe('/Meta/Min');
  });

  it('renders system keys', () => {
    expect(prettyKey(livenessKey(3))).toBe('/System/NodeLiveness/3');
    expect(prettyKey(settingKey('kv.split_bytes'))).toBe('/System/Setting/kv.split_bytes');
    expect(prettyKey(settingKey('bad/"name"\n'))).toBe('/System/Setting/"bad/\\"name\\"\\x0a"');
    expect(prettyKey(tenantRecordKey(9))).toBe('/System/Tenant/9');
    expect(prettyKey(zoneConfigKey(0))).toBe('/System/ZoneConfig/0');
    expect(prettyKey(rangeIdGeneratorKey)).toBe('/System/RangeIDGenerator');
    expect(prettyKey(nodeIdGeneratorKey)).toBe('/System/NodeIDGenerator');
    expect(prettyKey(storeIdGeneratorKey)).toBe('/System/StoreIDGenerator');
    expect(prettyKey(descriptorIdGeneratorKey)).toBe('/System/DescIDGenerator');
    expect(prettyKey(Buffer.concat([systemPrefix, b('zz')]))).toBe('/System/"zz"');
  });

  it('renders tenant keys with escaped bytes', () => {
    expect(prettyKey(tenantKey(5, Buffer.from([0x61, 0x00, 0xfe])))).toBe('/Tenant/5/"a\\x00\\xfe"');
    expect(prettyKey(tenantKey(5, b('say "hi" \\')))).toBe('/Tenant/5/"say \\"hi\\" \\\\"');
    expect(prettyKey(tenantPrefix(1))).toBe('/Tenant/1');
    expect(prettyKey(tenantsPrefix)).toBe('/Tenant');
  });

  it('renders the ends of the key space and stray bytes', () => {
    expect(prettyKey(keyMin)).toBe('/Min');
    expect(prettyKey(keyMax)).toBe('/Max');
    expect(prettyKey(Buffer.from([0x00, 0x41]))).toBe('"\\x00A"');
    expect(prettyKey(Buffer.from([tenantsPrefix[0]!, 9]))).toBe('"\\x04\\x09"');
  });

  it('uses a registered tenant key printer, falling back to quoting', () => {
    registerTenantKeyPrinter((tenant, rest) => (rest[0] === 53 ? `Table/${rest[0]}@${tenant}` : null));
    expect(prettyKey(tenantKey(2, Buffer.from([53, 1])))).toBe('/Tenant/2/Table/53@2');
    expect(prettyKey(tenantKey(2, Buffer.from([54, 1])))).toBe('/Tenant/2/"6\\x01"');
    registerTenantKeyPrinter(() => {
      throw new Error('printer bug');
    });
    expect(typeof prettyKey(tenantKey(2, Buffer.from([53])))).toBe('string');
    registerTenantKeyPrinter(null);
    expect(prettyKey(tenantKey(2, Buffer.from([53, 1])))).toBe('/Tenant/2/"5\\x01"');
  });

  it('never throws and always prints one line', () => {
    const prefixed = fc.tuple(fc.constantFrom(0x01, 0x02, 0x03, 0x04), fc.uint8Array({ maxLength: 20 }))
      .map(([first, rest]) => Buffer.concat([Buffer.from([first]), rest]));
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 20 }), prefixed), (k) => {
      const printed = prettyKey(k);
      expect(printed).not.toMatch(/[\x00-\x1f\x7f-\uffff]/);
    }), { numRuns: 2000 });
  });
});

describe('prettySpan', () => {
  it('renders half-open spans and point spans', () => {
    expect(prettySpan(tenantSpan(2))).toBe('[/Tenant/2, /Tenant/3)');
    expect(prettySpan({ key: metaKey(b('a')), endKey: keyMax })).toBe('[/Meta/"a", /Max)');
    expect(prettySpan({ key: livenessKey(1), endKey: Buffer.alloc(0) })).toBe('/System/NodeLiveness/1');
  });
});

describe('quoteBytes', () => {
  it('is injective, so distinct keys never print alike', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 6 }), fc.uint8Array({ maxLength: 6 }), (x, y) => {
      if (!Buffer.from(x).equals(Buffer.from(y))) expect(quoteBytes(x)).not.toBe(quoteBytes(y));
    }), { numRuns: 2000 });
  });
});
