/**
 * The layout of Meridian's key space (DESIGN.md section 3). Top-level
 * prefixes, lowest first:
 *
 *   0x01 /Local    never replicated as user data, never seen by SQL:
 *        0x01 's' …                 store-local (store ident, node bookkeeping)
 *        0x01 'i' <rangeId> <suffix> range-ID-local (Raft log, hard state, lease, stats)
 *        0x01 'k' <escaped key> <suffix>  range-local, addressed by a user key
 *                                       (range descriptors, transaction records)
 *   0x02 /Meta     meta(endKey) → RangeDescriptor
 *   0x03 /System   node liveness, settings, tenants, zone configs, ID generators
 *   0x04 /Tenant/<id>  everything a tenant owns; SQL rows live under it. The
 *                  system tenant (1) is a tenant like any other, so SQL code
 *                  builds keys the same way for every tenant.
 *   0xff 0xff      KeyMax, the end of the key space.
 *
 * Integers inside keys (range, node, tenant IDs) use the order-preserving
 * length-prefixed encoding of bytes.ts, so range 5's keys sort before range
 * 300's and each tenant's keys are contiguous. User keys embedded in local keys
 * are escaped so a longer key can follow them without breaking their order.
 *
 * Version history: v1 (this layout). Keys are persisted, so any change needs
 * a migration.
 */
import {
  concatBytes, decodeEscapedKey, decodeOrderedUint, encodeEscapedKey, encodeOrderedUint, hasPrefix,
  keyMax, keyNext, prefixEnd,
} from './bytes.ts';
import { InvalidKeyError } from './errors.ts';
import { idMax, userKeyBytesMax } from './limits.ts';
import type { Span } from './span.ts';

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Start of the local keys: per-store and per-replica state, never addressed by clients. */
export const localPrefix: Buffer = Buffer.from([0x01]);
/** End of the local keys and start of the global (addressable) key space. */
export const localMax: Buffer = prefixEnd(localPrefix);
/** Start of meta addressing records. */
export const metaPrefix: Buffer = Buffer.from([0x02]);
/** End (exclusive) of /Meta. */
export const metaMax: Buffer = prefixEnd(metaPrefix);
/** Start of cluster-wide system records. */
export const systemPrefix: Buffer = Buffer.from([0x03]);
/** End (exclusive) of /System. */
export const systemMax: Buffer = prefixEnd(systemPrefix);
/** Start of all tenants' keys; `tenantPrefix(id)` extends it. */
export const tenantsPrefix: Buffer = Buffer.from([0x04]);
/** End (exclusive) of /Tenant. */
export const tenantsMax: Buffer = prefixEnd(tenantsPrefix);

const storeLocalPrefix = concatBytes(localPrefix, ascii('s'));
const rangeIdLocalInfix = concatBytes(localPrefix, ascii('i'));
const rangeLocalInfix = concatBytes(localPrefix, ascii('k'));

// Range-ID-local suffixes (4 bytes each, like CockroachDB's). Exported for decoders and pretty-printing.
export const suffixRaftLog = ascii('rftl');
export const suffixRaftHardState = ascii('rfth');
export const suffixRaftTruncatedState = ascii('rftt');
export const suffixRaftAppliedState = ascii('rask');
export const suffixRangeLease = ascii('rll-');
export const suffixRangeStats = ascii('stat');
// Range-local suffixes.
export const suffixRangeDescriptor = ascii('rdsc');
export const suffixTransaction = ascii('txn-');

// Store-local keys: state of one store on one machine, never replicated.
/** All store-local keys sort under this prefix. */
export const storeLocalKeyPrefix: Buffer = storeLocalPrefix;
/** The store's identity: cluster ID, node ID and store ID, written once at bootstrap or join. */
export const storeIdentKey: Buffer = concatBytes(storeLocalPrefix, ascii('iden'));
/**
 * An upper bound on any HLC timestamp this node has handed out, persisted
 * ahead of time so a restarted node never issues a timestamp below one it
 * issued before its crash, even if its physical clock stepped backwards.
 */
export const storeHlcUpperBoundKey: Buffer = concatBytes(storeLocalPrefix, ascii('hlcu'));
/** The wall time this store was last known to be up, for restart diagnostics. */
export const storeLastUpKey: Buffer = concatBytes(storeLocalPrefix, ascii('uptm'));
/** Prefix of the named bookkeeping keys made by storeLocalKey. */
export const storeNodeBookkeepingPrefix: Buffer = concatBytes(storeLocalPrefix, ascii('node'));
/** A store-local key for node bookkeeping (e.g. the list of replicas this store hosts). */
export function storeLocalKey(name: string): Buffer {
  if (name.length === 0) throw new InvalidKeyError('empty store-local key name');
  return concatBytes(storeNodeBookkeepingPrefix, Buffer.from(name, 'utf8'));
}

function checkId(kind: string, id: number): void {
  if (!Number.isInteger(id) || id <= 0 || id > idMax) {
    throw new InvalidKeyError(`${kind} ${id} is not a positive integer up to ${idMax}`);
  }
}

/** Everything stored for one range by ID sorts under this prefix. */
export function rangeIdLocalPrefix(rangeId: number): Buffer {
  checkId('range ID', rangeId);
  return concatBytes(rangeIdLocalInfix, encodeOrderedUint(rangeId));
}

/** The span of all range-ID-local keys of one range: what a replica removal or snapshot covers. */
export function rangeIdLocalSpan(rangeId: number): Span {
  const key = rangeIdLocalPrefix(rangeId);
  return { key, endKey: prefixEnd(key) };
}

function rangeIdLocalKey(rangeId: number, suffix: Uint8Array): Buffer {
  return concatBytes(rangeIdLocalPrefix(rangeId), suffix);
}

/** All Raft log entries of a range sort under this prefix, by index. */
export function raftLogPrefix(rangeId: number): Buffer {
  return rangeIdLocalKey(rangeId, suffixRaftLog);
}

/** The Raft log entry at `index`; 8 big-endian bytes so entries sort by index. */
export function raftLogKey(rangeId: number, index: number): Buffer {
  if (!Number.isSafeInteger(index) || index < 0) throw new InvalidKeyError(`log index ${index} is invalid`);
  const prefix = raftLogPrefix(rangeId);
  const out = Buffer.alloc(prefix.length + 8);
  prefix.copy(out, 0);
  out.writeUIntBE(Math.floor(index / 2 ** 32), prefix.length, 4);
  out.writeUInt32BE(index >>> 0, prefix.length + 4);
  return out;
}

/** The range ID and index of a Raft log key. */
export function decodeRaftLogKey(key: Uint8Array): { rangeId: number; index: number } {
  const decoded = decodeRangeIdLocalKey(key);
  if (!decoded || !Buffer.from(decoded.suffix).equals(suffixRaftLog) || decoded.detail.length !== 8) {
    throw new InvalidKeyError('not a Raft log key');
  }
  const detail = Buffer.from(decoded.detail);
  return { rangeId: decoded.rangeId, index: detail.readUInt32BE(0) * 2 ** 32 + detail.readUInt32BE(4) };
}

/** The replica's Raft hard state (term, vote, commit). */
export function raftHardStateKey(rangeId: number): Buffer {
  return rangeIdLocalKey(rangeId, suffixRaftHardState);
}
/** The replica's applied index (and what is written with it atomically). */
export function raftAppliedStateKey(rangeId: number): Buffer {
  return rangeIdLocalKey(rangeId, suffixRaftAppliedState);
}
/** Index and term of the last log entry removed by log truncation. */
export function raftTruncatedStateKey(rangeId: number): Buffer {
  return rangeIdLocalKey(rangeId, suffixRaftTruncatedState);
}
/** The range's current lease; replicated, so every replica knows the leaseholder. */
export function rangeLeaseKey(rangeId: number): Buffer {
  return rangeIdLocalKey(rangeId, suffixRangeLease);
}
/** The range's MVCC statistics (live bytes, key counts), updated with every applied write. */
export function rangeStatsKey(rangeId: number): Buffer {
  return rangeIdLocalKey(rangeId, suffixRangeStats);
}

/** Splits a range-ID-local key into its range ID, 4-byte suffix and what follows; null if it is not one. */
export function decodeRangeIdLocalKey(key: Uint8Array): { rangeId: number; suffix: Uint8Array; detail: Uint8Array } | null {
  if (!hasPrefix(key, rangeIdLocalInfix)) return null;
  const { value, next } = decodeOrderedUint(key, rangeIdLocalInfix.length);
  if (next + 4 > key.length) throw new InvalidKeyError('range-ID-local key has no suffix');
  return { rangeId: value, suffix: key.subarray(next, next + 4), detail: key.subarray(next + 4) };
}

/** Range-local keys addressed by `key` sort under this prefix, next to each other. */
export function rangeLocalPrefix(key: Uint8Array): Buffer {
  return concatBytes(rangeLocalInfix, encodeEscapedKey(key));
}

/**
 * The span of range-local keys whose anchors lie in `span`: the range-local
 * part of a range's data, moved with it on split, merge and snapshot.
 * Escaping keeps anchors in order, so anchors in [key, endKey) map exactly
 * to [rangeLocalPrefix(key), rangeLocalPrefix(endKey)).
 */
export function rangeLocalSpan(span: Span): Span {
  const endKey = span.endKey.length > 0 ? span.endKey : keyNext(span.key);
  return { key: rangeLocalPrefix(span.key), endKey: rangeLocalPrefix(endKey) };
}

/** Where a range's descriptor is stored, beside the range's start key. */
export function rangeDescriptorKey(startKey: Uint8Array): Buffer {
  return concatBytes(rangeLocalPrefix(startKey), suffixRangeDescriptor);
}

/** A transaction's record, stored beside its anchor key so it lives on the anchor's range. */
export function transactionRecordKey(anchorKey: Uint8Array, txnId: Uint8Array): Buffer {
  if (txnId.length !== 16) throw new InvalidKeyError(`transaction ID has ${txnId.length} bytes, want 16`);
  return concatBytes(rangeLocalPrefix(anchorKey), suffixTransaction, txnId);
}

/** Splits a range-local key into its anchor key, suffix and what follows; null if it is not one. */
export function decodeRangeLocalKey(key: Uint8Array): { anchor: Buffer; suffix: Uint8Array; detail: Uint8Array } | null {
  if (!hasPrefix(key, rangeLocalInfix)) return null;
  const { key: anchor, next } = decodeEscapedKey(key, rangeLocalInfix.length);
  if (next + 4 > key.length) throw new InvalidKeyError('range-local key has no suffix');
  return { anchor, suffix: key.subarray(next, next + 4), detail: key.subarray(next + 4) };
}

/**
 * The key a key is routed by: range-local keys go to the range holding their
 * anchor; other global keys address themselves. Store-local and range-ID-local
 * keys are not addressable (they belong to one store or one replica).
 */
export function addrOf(key: Uint8Array): Buffer {
  if (hasPrefix(key, rangeLocalInfix)) return decodeRangeLocalKey(key)!.anchor;
  if (hasPrefix(key, localPrefix)) throw new InvalidKeyError('local key is not addressable');
  return Buffer.from(key);
}

/** Whether `key` is a local key (store-, range-ID- or range-local): never seen by clients. */
export function isLocalKey(key: Uint8Array): boolean {
  return hasPrefix(key, localPrefix);
}

// Meta addressing.

/** The meta record of the range ending at `endKey`. */
export function metaKey(endKey: Uint8Array): Buffer {
  return concatBytes(metaPrefix, endKey);
}

/** The range end key a meta key records. */
export function decodeMetaKey(key: Uint8Array): Buffer {
  if (!hasPrefix(key, metaPrefix)) throw new InvalidKeyError('not a meta key');
  return Buffer.from(key.subarray(metaPrefix.length));
}

/**
 * Where to start scanning meta to find the range containing `key`: the first
 * meta record whose end key is greater than `key`. Kept behind one function so
 * a two-level meta scheme can replace it.
 */
export function rangeLookupKey(key: Uint8Array): Buffer {
  return metaKey(keyNext(addrOf(key)));
}

// System keys.
const livenessInfix = concatBytes(systemPrefix, ascii('nl'));
const settingsInfix = concatBytes(systemPrefix, ascii('st'));
const tenantRecordInfix = concatBytes(systemPrefix, ascii('tn'));
const zoneConfigInfix = concatBytes(systemPrefix, ascii('zc'));
const idGeneratorInfix = concatBytes(systemPrefix, ascii('id'));

/** All node liveness records sort under this prefix, by node ID. */
export const livenessPrefix: Buffer = livenessInfix;
/** Node `nodeId`'s liveness record (epoch, expiration). */
export function livenessKey(nodeId: number): Buffer {
  checkId('node ID', nodeId);
  return concatBytes(livenessInfix, encodeOrderedUint(nodeId));
}
/** The node ID of a liveness key. */
export function decodeLivenessKey(key: Uint8Array): number {
  return decodeIdKey(key, livenessInfix, 'liveness');
}
/** All cluster settings sort under this prefix, by name. */
export const settingsPrefix: Buffer = settingsInfix;
/** The cluster setting `name` (UTF-8, e.g. `kv.range_split_bytes`). */
export function settingKey(name: string): Buffer {
  if (name.length === 0) throw new InvalidKeyError('empty setting name');
  return concatBytes(settingsInfix, Buffer.from(name, 'utf8'));
}
/** All tenant records sort under this prefix, by tenant ID. */
export const tenantRecordPrefix: Buffer = tenantRecordInfix;
/** The record of tenant `tenantId` (state, credentials, limits); lives in /System, outside the tenant's reach. */
export function tenantRecordKey(tenantId: number): Buffer {
  checkId('tenant ID', tenantId);
  return concatBytes(tenantRecordInfix, encodeOrderedUint(tenantId));
}
/** All zone configs sort under this prefix, by ID. */
export const zoneConfigPrefix: Buffer = zoneConfigInfix;
/** The zone config of object `id` (0 is the cluster default). */
export function zoneConfigKey(id: number): Buffer {
  if (!Number.isSafeInteger(id) || id < 0) throw new InvalidKeyError(`zone config ID ${id} is invalid`);
  return concatBytes(zoneConfigInfix, encodeOrderedUint(id));
}
/** Counter from which new range IDs are allocated (incremented through KV). */
export const rangeIdGeneratorKey: Buffer = concatBytes(idGeneratorInfix, ascii('range'));
/** Counter from which new node IDs are allocated when a node joins. */
export const nodeIdGeneratorKey: Buffer = concatBytes(idGeneratorInfix, ascii('node'));
/** Counter from which new store IDs are allocated. */
export const storeIdGeneratorKey: Buffer = concatBytes(idGeneratorInfix, ascii('store'));
/** Counter from which SQL descriptor IDs are allocated. */
export const descriptorIdGeneratorKey: Buffer = concatBytes(idGeneratorInfix, ascii('desc'));

function decodeIdKey(key: Uint8Array, prefix: Uint8Array, kind: string): number {
  if (!hasPrefix(key, prefix)) throw new InvalidKeyError(`not a ${kind} key`);
  const { value, next } = decodeOrderedUint(key, prefix.length);
  if (next !== key.length) throw new InvalidKeyError(`${kind} key has trailing bytes`);
  return value;
}

// Tenants.
/**
 * The system tenant, which runs inside every node. Its SQL data lives under
 * /Tenant/1 like any other tenant's, so SQL builds keys one way for all
 * tenants; only cluster bookkeeping (liveness, settings, tenant records,
 * zone configs, ID generators) lives in /System.
 */
export const systemTenantId = 1;

/** Every key of tenant `tenantId` starts with this. */
export function tenantPrefix(tenantId: number): Buffer {
  checkId('tenant ID', tenantId);
  return concatBytes(tenantsPrefix, encodeOrderedUint(tenantId));
}

/** The span a tenant may address: every key under its prefix, and nothing else. */
export function tenantSpan(tenantId: number): Span {
  const key = tenantPrefix(tenantId);
  return { key, endKey: prefixEnd(key) };
}

/**
 * Which tenant owns `key`, and the rest of the key after the tenant prefix;
 * null outside tenant space. Throws InvalidKeyError when the bytes after
 * /Tenant do not hold a valid tenant ID.
 */
export function decodeTenantPrefix(key: Uint8Array): { tenantId: number; rest: Uint8Array } | null {
  if (!hasPrefix(key, tenantsPrefix)) return null;
  const { value, next } = decodeOrderedUint(key, tenantsPrefix.length);
  if (value === 0) throw new InvalidKeyError('tenant ID 0 is invalid');
  return { tenantId: value, rest: key.subarray(next) };
}

/** Checks a key a client may write: non-empty, within the size limit, below KeyMax. */
export function validateUserKey(key: Uint8Array): void {
  if (key.length === 0) throw new InvalidKeyError('empty key');
  if (key.length > userKeyBytesMax) {
    throw new InvalidKeyError(`key of ${key.length} bytes exceeds the limit of ${userKeyBytesMax}`);
  }
  if (Buffer.compare(key, keyMax) >= 0) throw new InvalidKeyError('key at or beyond KeyMax');
}
