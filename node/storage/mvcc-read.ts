/**
 * Reading MVCC records: grouping the raw records of each user key (intent
 * first, then versions newest first) and choosing what a reader at a
 * timestamp sees.
 */
import { compareTimestamps, type Timestamp } from '../hlc/index.ts';
import { assert } from '../assert.ts';
import { keyNext } from '../keys/index.ts';
import type { Reader } from './engine.ts';
import {
  ReadWithinUncertaintyIntervalError, type IntentConflict,
} from './errors.ts';
import { decodeMvccKey, escapeKey, recordsEnd, versionKeyFromPrefix } from './mvcc-key.ts';
import {
  decodeAnyVersionValue, decodeKeySlot, intentValueAt, isLatestRecord, isTombstoneValue, latestPayload, latestTimestamp, recordTag, verifySealed,
  type IntentRecord, type TxnMeta,
} from './mvcc-value.ts';
import type { TopRecord } from './stats.ts';

export interface VersionRecord {
  readonly timestamp: Timestamp;
  readonly rawKey: Buffer;
  readonly rawValue: Buffer;
  /** True for the latest version, which lives in the key's own slot. */
  readonly inSlot: boolean;
  /** The value, when already decoded and verified (the slot record is checked on load). */
  readonly decoded?: Buffer | null;
}

type KeyIntent = { readonly rawKey: Buffer; readonly rawValue: Buffer; readonly record: IntentRecord };

/** Every record of one user key. */
export interface KeyRecords {
  readonly key: Buffer;
  readonly intent: KeyIntent | null;
  /** Newest first. */
  readonly versions: VersionRecord[];
}

/** Groups the raw records in [gte, lt) by user key, in key order (reverse when asked). */
export async function* keyGroups(reader: Reader, gte: Buffer, lt: Buffer, reverse = false): AsyncGenerator<KeyRecords> {
  for await (const groups of keyGroupChunks(reader, gte, lt, reverse)) yield* groups;
}

type PendingRecord = { rawKey: Buffer; rawValue: Buffer; ts: Timestamp | null };

function finishGroup(key: Buffer, records: PendingRecord[], reverse: boolean): KeyRecords {
  if (records.length === 1) {
    // The common case: a key with only its latest version (or only an intent).
    const only = records[0]!;
    if (only.ts !== null) return { key, intent: null, versions: [{ timestamp: only.ts, rawKey: only.rawKey, rawValue: only.rawValue, inSlot: false }] };
    const slot = decodeKeySlot(only.rawValue);
    if (slot.kind === 'intent') return { key, intent: { rawKey: only.rawKey, rawValue: only.rawValue, record: slot.record }, versions: [] };
    return { key, intent: null, versions: [{ timestamp: slot.timestamp, rawKey: only.rawKey, rawValue: only.rawValue, inSlot: true, decoded: slot.value }] };
  }
  if (reverse) records.reverse();
  let intent: KeyIntent | null = null;
  const versions: VersionRecord[] = [];
  for (const r of records) {
    if (r.ts !== null) {
      versions.push({ timestamp: r.ts, rawKey: r.rawKey, rawValue: r.rawValue, inSlot: false });
      continue;
    }
    const slot = decodeKeySlot(r.rawValue);
    if (slot.kind === 'intent') intent = { rawKey: r.rawKey, rawValue: r.rawValue, record: slot.record };
    else versions.unshift({ timestamp: slot.timestamp, rawKey: r.rawKey, rawValue: r.rawValue, inSlot: true, decoded: slot.value });
  }
  return { key, intent, versions };
}

/**
 * keyGroups in chunks: each chunk holds the keys completed by one chunk of
 * raw entries, so a scan does one await per chunk rather than per key.
 */
export async function* keyGroupChunks(reader: Reader, gte: Buffer, lt: Buffer, reverse = false): AsyncGenerator<KeyRecords[]> {
  let key: Buffer | null = null;
  let prefix = 0;
  let records: PendingRecord[] = [];
  for await (const entries of reader.iterateChunks({ gte, lt, reverse })) {
    const done: KeyRecords[] = [];
    for (const [rawKey, rawValue] of entries) {
      if (key && rawKey.length >= prefix && sameKeyPrefix(rawKey, records[0]!.rawKey, prefix)) {
        const ts = rawKey.length === prefix ? null : decodeMvccKey(rawKey).timestamp;
        records.push({ rawKey, rawValue, ts });
        continue;
      }
      if (key) done.push(finishGroup(key, records, reverse));
      const decoded = decodeMvccKey(rawKey);
      key = decoded.key;
      prefix = decoded.prefixBytes;
      records = [{ rawKey, rawValue, ts: decoded.timestamp }];
    }
    if (done.length > 0) yield done;
  }
  if (key) yield [finishGroup(key, records, reverse)];
}

function sameKeyPrefix(a: Buffer, b: Buffer, prefix: number): boolean {
  if (b.length < prefix) return false;
  // The escaped prefix ends in the terminator 0x00 0x01, which cannot occur
  // earlier in an escaped key, so equal prefixes of that length mean equal keys.
  return a.compare(b, 0, prefix, 0, prefix) === 0 && a[prefix - 1] === 0x01 && a[prefix - 2] === 0x00;
}

/** The key's own slot: its intent or its latest version, read with one point lookup. */
export interface KeyTop {
  readonly key: Buffer;
  readonly escaped: Buffer;
  readonly intent: KeyIntent | null;
  readonly latest: VersionRecord | null;
}

export function loadTop(reader: Reader, key: Uint8Array): KeyTop {
  const escaped = escapeKey(key);
  return topFromSlot(key, escaped, reader.getSync(escaped));
}

/**
 * A key's top from its slot record as already read (undefined: no record).
 * The result's key shares memory with `key` (no copy on the hot path).
 */
export function topFromSlot(key: Uint8Array, escaped: Buffer, raw: Buffer | undefined): KeyTop {
  const userKey = Buffer.isBuffer(key) ? key : Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  if (!raw) return { key: userKey, escaped, intent: null, latest: null };
  if (isLatestRecord(raw)) {
    const buf = verifySealed(raw, 'latest version');
    const latest = { timestamp: latestTimestamp(buf), rawKey: escaped, rawValue: raw, inSlot: true, decoded: latestPayload(buf, recordTag(raw)) };
    return { key: userKey, escaped, intent: null, latest };
  }
  const slot = decodeKeySlot(raw);
  assert(slot.kind === 'intent', 'a key slot that is not a latest version is an intent');
  return { key: userKey, escaped, intent: { rawKey: escaped, rawValue: raw, record: slot.record }, latest: null };
}

/** Older versions of a key (newest first), starting at `from` when given. */
export async function loadHistory(reader: Reader, escaped: Buffer, from?: Timestamp, limit?: number): Promise<VersionRecord[]> {
  const gte = from ? versionKeyFromPrefix(escaped, from) : keyNext(escaped);
  const out: VersionRecord[] = [];
  for await (const [rawKey, rawValue] of reader.iterate({ gte, lt: recordsEnd(escaped), limit: limit ?? 0 })) {
    const decoded = decodeMvccKey(rawKey);
    if (decoded.timestamp === null) continue;
    out.push({ timestamp: decoded.timestamp, rawKey, rawValue, inSlot: false });
  }
  return out;
}

/**
 * What a reader at `ts` sees of one key when its slot alone decides it
 * (null: the answer lies in the older versions). The common case (the latest
 * version is at or below the read timestamp) costs one point lookup.
 */
export function readKeyFromTop(top: KeyTop, ts: Timestamp, options: ReadOptions): Visible | null {
  const latest = top.latest;
  if (latest) {
    if (compareTimestamps(latest.timestamp, ts) <= 0) {
      return { kind: 'value', value: latest.decoded ?? null, timestamp: latest.timestamp };
    }
    checkUncertainty(top.key, latest.timestamp, ts, options);
    return null;
  }
  if (!top.intent) return absent;
  return intentVisibility(top.key, top.intent.record, ts, options);
}

/** The rest of readKeyFromTop: the newest older version at or below the uncertainty limit decides. */
export async function readKeyHistory(reader: Reader, top: KeyTop, ts: Timestamp, options: ReadOptions): Promise<Visible> {
  const [version] = await loadHistory(reader, top.escaped, conflictLimit(ts, options), 1);
  if (!version) return absent;
  checkUncertainty(top.key, version.timestamp, ts, options);
  if (compareTimestamps(version.timestamp, ts) > 0) return absent;
  return { kind: 'value', value: decodeAnyVersionValue(version.rawValue), timestamp: version.timestamp };
}

/** The highest timestamp whose writes a reader at `ts` must know about: its uncertainty limit, if higher. */
function conflictLimit(ts: Timestamp, options: ReadOptions): Timestamp {
  const limit = options.uncertaintyLimit;
  return limit && compareTimestamps(limit, ts) > 0 ? limit : ts;
}

/** Throws when a committed version above the read timestamp lies within the reader's uncertainty interval. */
function checkUncertainty(key: Buffer, version: Timestamp, ts: Timestamp, options: ReadOptions): void {
  const limit = options.uncertaintyLimit;
  if (limit && compareTimestamps(version, ts) > 0 && compareTimestamps(version, limit) <= 0) {
    throw new ReadWithinUncertaintyIntervalError(Buffer.from(key), ts, version);
  }
}

/**
 * What an intent shows a reader: its own transaction's value at the
 * reader's sequence, a conflict for another transaction's intent at or below
 * the reader's uncertainty limit, or null when the reader looks past it.
 */
export function intentVisibility(key: Buffer, record: IntentRecord, ts: Timestamp, options: ReadOptions): Visible | null {
  const owner = record.txn;
  const txn = options.txn;
  if (txn && txnIdsEqual(owner.id, txn.id)) {
    // An intent of an older epoch is the transaction's abandoned attempt: look past it.
    if (owner.epoch !== txn.epoch) return null;
    const seen = intentValueAt(record, txn.sequence);
    if (!seen.found) return null;
    return { kind: 'value', value: seen.value ? Buffer.from(seen.value) : null, timestamp: owner.writeTimestamp };
  }
  if (options.inconsistent || compareTimestamps(owner.writeTimestamp, conflictLimit(ts, options)) > 0) return null;
  return { kind: 'conflict', conflict: { key: Buffer.from(key), txn: owner } };
}

const absent: Visible = Object.freeze({ kind: 'absent' });

export interface ReadOptions {
  /** The reading transaction: it sees its own intent (up to its sequence). */
  readonly txn?: TxnMeta;
  /** Skip other transactions' intents instead of reporting them. */
  readonly inconsistent?: boolean;
  /** Return tombstones as null values instead of omitting them. */
  readonly tombstones?: boolean;
  /**
   * Values committed in (timestamp, uncertaintyLimit] may have happened before
   * the read in real time: seeing one is an uncertainty error.
   */
  readonly uncertaintyLimit?: Timestamp;
}

export type Visible =
  | { readonly kind: 'value'; readonly value: Buffer | null; readonly timestamp: Timestamp }
  | { readonly kind: 'absent' }
  | { readonly kind: 'conflict'; readonly conflict: IntentConflict };

export function txnIdsEqual(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

/** What a reader at `ts` sees of one key. Throws on uncertainty; returns conflicts. */
export function visibleValue(group: KeyRecords, ts: Timestamp, options: ReadOptions): Visible {
  if (group.intent) {
    const decided = intentVisibility(group.key, group.intent.record, ts, options);
    if (decided) return decided;
  }
  for (const v of group.versions) {
    if (compareTimestamps(v.timestamp, ts) > 0) {
      checkUncertainty(group.key, v.timestamp, ts, options);
      continue;
    }
    const value = v.decoded !== undefined ? v.decoded : decodeAnyVersionValue(v.rawValue);
    return { kind: 'value', value, timestamp: v.timestamp };
  }
  return absent;
}

/** The top record of a key for stats: its intent, else its newest version. */
export function topOf(group: { intent: KeyIntent | null; versions: readonly VersionRecord[] }): TopRecord | null {
  if (group.intent) {
    const history = group.intent.record.history;
    return {
      keyBytes: group.intent.rawKey.length,
      valBytes: group.intent.rawValue.length,
      live: history[history.length - 1]!.value !== null,
    };
  }
  const newest = group.versions[0];
  if (!newest) return null;
  return { keyBytes: newest.rawKey.length, valBytes: newest.rawValue.length, live: !isTombstoneValue(newest.rawValue) };
}
