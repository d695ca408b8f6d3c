/**
 * Human-readable keys for logs and errors: `/Local/RangeID/12/RaftLog/5`,
 * `/Meta/"foo"`, `/System/NodeLiveness/3`, `/Tenant/5/"rest"`. The SQL layer
 * can register a printer for the part of a key after the tenant prefix (table
 * and index IDs, column values); node/keys itself knows nothing of SQL.
 */
import { decodeOrderedUint, hasPrefix, keyMax } from './bytes.ts';
import {
  decodeRangeIdLocalKey, decodeRangeLocalKey, decodeTenantPrefix, descriptorIdGeneratorKey, livenessPrefix,
  localPrefix, metaPrefix, nodeIdGeneratorKey, rangeIdGeneratorKey, settingsPrefix, storeIdGeneratorKey,
  storeIdentKey, storeNodeBookkeepingPrefix, suffixRaftAppliedState, suffixRaftHardState, suffixRaftLog,
  suffixRaftTruncatedState, suffixRangeDescriptor, suffixRangeLease, suffixRangeStats, suffixTransaction,
  systemPrefix, tenantRecordPrefix, zoneConfigPrefix,
} from './layout.ts';
import type { Span } from './span.ts';

/** Prints the part of a tenant's key after its prefix; return null to fall back to quoting. */
export type TenantKeyPrinter = (tenantId: number, rest: Uint8Array) => string | null;

let tenantKeyPrinter: TenantKeyPrinter | null = null;

/** Installs the printer used for tenant keys (the SQL layer decodes table keys). */
export function registerTenantKeyPrinter(printer: TenantKeyPrinter | null): void {
  tenantKeyPrinter = printer;
}

/** Quotes bytes, escaping anything that is not printable ASCII. */
export function quoteBytes(bytes: Uint8Array): string {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

const rangeIdSuffixNames: ReadonlyArray<readonly [Buffer, string]> = [
  [suffixRaftLog, 'RaftLog'],
  [suffixRaftHardState, 'RaftHardState'],
  [suffixRaftTruncatedState, 'RaftTruncatedState'],
  [suffixRaftAppliedState, 'RaftAppliedState'],
  [suffixRangeLease, 'RangeLease'],
  [suffixRangeStats, 'RangeStats'],
];

function suffixName(table: ReadonlyArray<readonly [Buffer, string]>, suffix: Uint8Array): string {
  for (const [bytes, name] of table) if (bytes.equals(suffix)) return name;
  return quoteBytes(suffix);
}

function prettyLocal(key: Uint8Array): string {
  const byId = decodeRangeIdLocalKey(key);
  if (byId) {
    const name = suffixName(rangeIdSuffixNames, byId.suffix);
    if (name === 'RaftLog' && byId.detail.length === 8) {
      const d = Buffer.from(byId.detail);
      return `/Local/RangeID/${byId.rangeId}/RaftLog/${d.readUInt32BE(0) * 2 ** 32 + d.readUInt32BE(4)}`;
    }
    const detail = byId.detail.length > 0 ? `/${quoteBytes(byId.detail)}` : '';
    return `/Local/RangeID/${byId.rangeId}/${name}${detail}`;
  }
  const byKey = decodeRangeLocalKey(key);
  if (byKey) {
    const anchor = prettyKey(byKey.anchor);
    if (Buffer.from(byKey.suffix).equals(suffixRangeDescriptor)) return `/Local/Range${anchor}/RangeDescriptor`;
    if (Buffer.from(byKey.suffix).equals(suffixTransaction)) {
      return `/Local/Range${anchor}/Transaction/${Buffer.from(byKey.detail).toString('hex')}`;
    }
    return `/Local/Range${anchor}/${quoteBytes(byKey.suffix)}`;
  }
  if (Buffer.from(key).equals(storeIdentKey)) return '/Local/Store/StoreIdent';
  if (hasPrefix(key, storeNodeBookkeepingPrefix)) {
    return `/Local/Store/Node/${quoteBytes(key.subarray(storeNodeBookkeepingPrefix.length))}`;
  }
  return `/Local/${quoteBytes(key.subarray(localPrefix.length))}`;
}

function prettyIdKey(name: string, key: Uint8Array, prefix: Uint8Array): string {
  try {
    const { value, next } = decodeOrderedUint(key, prefix.length);
    const rest = next < key.length ? `/${quoteBytes(key.subarray(next))}` : '';
    return `/System/${name}/${value}${rest}`;
  } catch {
    return `/System/${name}/${quoteBytes(key.subarray(prefix.length))}`;
  }
}

function prettySystem(key: Uint8Array): string {
  if (hasPrefix(key, livenessPrefix)) return prettyIdKey('NodeLiveness', key, livenessPrefix);
  if (hasPrefix(key, tenantRecordPrefix)) return prettyIdKey('Tenant', key, tenantRecordPrefix);
  if (hasPrefix(key, zoneConfigPrefix)) return prettyIdKey('ZoneConfig', key, zoneConfigPrefix);
  if (hasPrefix(key, settingsPrefix)) {
    return `/System/Setting/${Buffer.from(key.subarray(settingsPrefix.length)).toString('utf8')}`;
  }
  const generators: ReadonlyArray<readonly [Buffer, string]> = [
    [rangeIdGeneratorKey, 'RangeIDGenerator'],
    [nodeIdGeneratorKey, 'NodeIDGenerator'],
    [storeIdGeneratorKey, 'StoreIDGenerator'],
    [descriptorIdGeneratorKey, 'DescIDGenerator'],
  ];
  for (const [k, name] of generators) if (k.equals(key)) return `/System/${name}`;
  return `/System/${quoteBytes(key.subarray(systemPrefix.length))}`;
}

function prettyTenant(key: Uint8Array): string {
  const decoded = decodeTenantPrefix(key);
  if (!decoded) return quoteBytes(key);
  if (decoded.rest.length === 0) return `/Tenant/${decoded.tenantId}`;
  const printed = tenantKeyPrinter?.(decoded.tenantId, decoded.rest) ?? null;
  return `/Tenant/${decoded.tenantId}/${printed ?? quoteBytes(decoded.rest)}`;
}

/** A readable rendering of any key; never throws. */
export function prettyKey(key: Uint8Array): string {
  if (key.length === 0) return '/Min';
  if (Buffer.from(key).equals(keyMax)) return '/Max';
  try {
    switch (key[0]) {
      case localPrefix[0]:
        return prettyLocal(key);
      case metaPrefix[0]:
        return `/Meta${prettyKey(key.subarray(1))}`;
      case systemPrefix[0]:
        return prettySystem(key);
      case 0x04:
        return prettyTenant(key);
      default:
        return quoteBytes(key);
    }
  } catch {
    return quoteBytes(key);
  }
}

/** `[start, end)` in pretty form. */
export function prettySpan(span: Span): string {
  if (span.endKey.length === 0) return prettyKey(span.key);
  return `[${prettyKey(span.key)}, ${prettyKey(span.endKey)})`;
}
