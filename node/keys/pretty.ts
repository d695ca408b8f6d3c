/**
 * Human-readable keys for logs and errors: `/Local/RangeID/12/RaftLog/5`,
 * `/Local/Range/"foo"/RangeDescriptor`, `/Meta/"foo"`,
 * `/System/NodeLiveness/3`, `/Tenant/5/"rest"`. Bytes that are not printable
 * ASCII are escaped (`\x00`), so a printed key is one unambiguous line. The SQL layer
 * can register a printer for the part of a key after the tenant prefix (table
 * and index IDs, column values); node/keys itself knows nothing of SQL.
 */
import { decodeOrderedUint, hasPrefix, keyMax } from './bytes.ts';
import {
  decodeRangeIdLocalKey, decodeRangeLocalKey, decodeTenantPrefix, descriptorIdGeneratorKey, livenessPrefix,
  localPrefix, metaPrefix, nodeIdGeneratorKey, rangeIdGeneratorKey, settingsPrefix, storeIdGeneratorKey,
  storeHlcUpperBoundKey, storeIdentKey, storeLastUpKey, storeNodeBookkeepingPrefix, suffixRaftAppliedState, suffixRaftHardState, suffixRaftLog,
  suffixRaftTruncatedState, suffixRangeDescriptor, suffixRangeLease, suffixRangeStats, suffixTransaction,
  systemPrefix, tenantRecordPrefix, tenantsPrefix, zoneConfigPrefix,
} from './layout.ts';
import type { Span } from './span.ts';

/** Prints the part of a tenant's key after its prefix; return null to fall back to quoting. */
export type TenantKeyPrinter = (tenantId: number, rest: Uint8Array) => string | null;

let tenantKeyPrinter: TenantKeyPrinter | null = null;

/**
 * Installs the printer used for tenant keys (the SQL layer decodes table
 * keys); null removes it. One printer per process: the last call wins.
 */
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

/** Joins a nested pretty key after a segment: `/Meta` + `/Tenant/5` or `/Meta` + `/"foo"`. */
function nested(key: Uint8Array): string {
  const inner = prettyKey(key);
  return inner.startsWith('/') ? inner : `/${inner}`;
}

const storeKeyNames: ReadonlyArray<readonly [Buffer, string]> = [
  [storeIdentKey, 'StoreIdent'],
  [storeHlcUpperBoundKey, 'HlcUpperBound'],
  [storeLastUpKey, 'LastUp'],
];

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
    const anchor = nested(byKey.anchor);
    if (Buffer.from(byKey.suffix).equals(suffixRangeDescriptor)) return `/Local/Range${anchor}/RangeDescriptor`;
    if (Buffer.from(byKey.suffix).equals(suffixTransaction)) {
      return `/Local/Range${anchor}/Transaction/${Buffer.from(byKey.detail).toString('hex')}`;
    }
    return `/Local/Range${anchor}/${quoteBytes(byKey.suffix)}`;
  }
  for (const [k, name] of storeKeyNames) if (k.equals(key)) return `/Local/Store/${name}`;
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

/** Setting names are dotted identifiers; anything else is quoted so logs stay unambiguous. */
function isPlainName(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  for (const b of bytes) if (b <= 0x20 || b >= 0x7f || b === 0x22 || b === 0x2f || b === 0x5c) return false;
  return true;
}

const generatorNames: ReadonlyArray<readonly [Buffer, string]> = [
  [rangeIdGeneratorKey, 'RangeIDGenerator'],
  [nodeIdGeneratorKey, 'NodeIDGenerator'],
  [storeIdGeneratorKey, 'StoreIDGenerator'],
  [descriptorIdGeneratorKey, 'DescIDGenerator'],
];

function prettySystem(key: Uint8Array): string {
  if (hasPrefix(key, livenessPrefix)) return prettyIdKey('NodeLiveness', key, livenessPrefix);
  if (hasPrefix(key, tenantRecordPrefix)) return prettyIdKey('Tenant', key, tenantRecordPrefix);
  if (hasPrefix(key, zoneConfigPrefix)) return prettyIdKey('ZoneConfig', key, zoneConfigPrefix);
  if (hasPrefix(key, settingsPrefix)) {
    const name = key.subarray(settingsPrefix.length);
    return `/System/Setting/${isPlainName(name) ? Buffer.from(name).toString('latin1') : quoteBytes(name)}`;
  }
  for (const [k, name] of generatorNames) if (k.equals(key)) return `/System/${name}`;
  return `/System/${quoteBytes(key.subarray(systemPrefix.length))}`;
}

function prettyTenant(key: Uint8Array): string {
  if (key.length === tenantsPrefix.length) return '/Tenant';
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
        return `/Meta${nested(key.subarray(metaPrefix.length))}`;
      case systemPrefix[0]:
        return prettySystem(key);
      case tenantsPrefix[0]:
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
