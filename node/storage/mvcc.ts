/**
 * MVCC operations over a Reader (reads) or a Batch (writes). Writes add their
 * effect on the range's statistics into the `stats` object passed in.
 *
 * Semantics follow CockroachDB's MVCC layer where it matters to the layers
 * above: a write below a committed version fails with WriteTooOldError
 * carrying the timestamp to retry at; a write or read that meets another
 * transaction's intent fails with WriteIntentError listing every such intent;
 * a transaction reads its own intent (at its sequence number); intents are
 * resolved as committed (possibly at a higher timestamp), aborted, or pushed.
 *
 * A write that fails has changed neither the batch nor the stats when it
 * touches one key; a multi-key call (mvccPutMany, mvccDeleteRange, the range
 * resolutions, GC) may have done part of its work, so after any error the
 * caller drops the batch and the stats delta, as command evaluation does.
 *
 * MVCC spans hold MVCC records only: keys written raw (the Raft log, store
 * bookkeeping) are not records, and a scan or recount that meets one reports
 * a CorruptionError, so callers keep those key ranges out of MVCC spans.
 */
import { compareTimestamps, nextTimestamp, type Timestamp } from '../hlc/index.ts';
import { keyMax, prettyKey, validateUserKey, InvalidKeyError } from '../keys/index.ts';
import type { Batch, Reader } from './engine.ts';
import {
  ConditionFailedError, InvalidArgumentError, IntentMismatchError, WriteIntentError, WriteTooOldError,
} from './errors.ts';
import { intentHistoryEntriesMax, intentRecordBytesMax, mvccKeyBytesMax, mvccValueBytesMax } from './limits.ts';
import { escapeKey, rawSpan, versionKeyFromPrefix } from './mvcc-key.ts';
import {
  keyGroups, loadHistory, loadTop, readKeyFromTop, readKeyHistory, topFromSlot, topOf, txnIdsEqual, type KeyRecords, type KeyTop, type ReadOptions, type Visible,
  type VersionRecord,
} from './mvcc-read.ts';
import {
  decodeAnyVersionValue, encodeIntent, encodeLatestValue, encodeVersionValue, intentValueAt, isLatestRecord, isTombstoneValue,
  latestPayload, latestTimestamp, recordTag, verifySealed,
  type IntentWrite, type TxnMeta,
} from './mvcc-value.ts';
import { countRecord, countTopChange, type MvccStats } from './stats.ts';

export type { ReadOptions } from './mvcc-read.ts';
export type { MvccSpan, ScanOptions, ScanResult, ScanRow } from './mvcc-scan.ts';
import { scanSpan, type MvccSpan, type ScanOptions, type ScanResult } from './mvcc-scan.ts';

function checkKey(key: Uint8Array): void {
  // Fast path: a non-empty key within the size limit whose first byte is
  // below KeyMax's is valid; anything else gets the key layer's full check.
  if (key.length > 0 && key.length <= mvccKeyBytesMax && key[0]! < keyMax[0]!) return;
  try {
    validateUserKey(key);
  } catch (error) {
    if (error instanceof InvalidKeyError) throw new InvalidArgumentError(error.message);
    throw error;
  }
}

function checkValue(value: Uint8Array | null): void {
  if (value && value.length > mvccValueBytesMax) {
    throw new InvalidArgumentError(`value of ${value.length} bytes exceeds the limit of ${mvccValueBytesMax}`);
  }
}

function checkSpan(span: MvccSpan): void {
  if (Buffer.compare(span.key, span.endKey) >= 0) throw new InvalidArgumentError('empty or inverted span');
}

export interface GetResult {
  /** Null when the key has no visible value (or a tombstone, unless asked for). */
  readonly value: Buffer | null;
  readonly timestamp: Timestamp | null;
}

/**
 * Reads the value of `key` visible at `ts`. When the key's slot decides the
 * answer (the usual case) the read is one synchronous lookup and the promise
 * is already settled; only reads below the latest version iterate.
 */
export function mvccGet(reader: Reader, key: Uint8Array, ts: Timestamp, options: ReadOptions = {}): Promise<GetResult> {
  let top: KeyTop;
  let seen: Visible | null;
  try {
    checkKey(key);
    const escaped = escapeKey(key);
    const raw = reader.getSync(escaped);
    // The hot path: the latest version is visible; no intent, nothing newer.
    const latest = raw === undefined ? null : visibleLatest(raw, ts);
    if (latest) return Promise.resolve(latest);
    top = topFromSlot(key, escaped, raw);
    seen = readKeyFromTop(top, ts, options);
  } catch (error) {
    return Promise.reject(error);
  }
  if (seen) return settle(seen);
  return readKeyHistory(reader, top, ts, options).then(getResult);
}

/** The slot's latest version as a result when it is at or below `ts` (null otherwise, or for an intent). */
function visibleLatest(raw: Buffer, ts: Timestamp): GetResult | null {
  if (!isLatestRecord(raw)) return null;
  const buf = verifySealed(raw, 'latest version');
  const timestamp = latestTimestamp(buf);
  if (compareTimestamps(timestamp, ts) > 0) return null;
  return { value: latestPayload(buf, recordTag(buf)), timestamp };
}

function getResult(seen: Visible): GetResult {
  if (seen.kind === 'conflict') throw new WriteIntentError([seen.conflict]);
  if (seen.kind === 'absent') return { value: null, timestamp: null };
  return { value: seen.value, timestamp: seen.timestamp };
}

function settle(seen: Visible): Promise<GetResult> {
  try {
    return Promise.resolve(getResult(seen));
  } catch (error) {
    return Promise.reject(error);
  }
}

/** Reads the visible values of every key in [span.key, span.endKey) at `ts`. */
export async function mvccScan(reader: Reader, span: MvccSpan, ts: Timestamp, options: ScanOptions = {}): Promise<ScanResult> {
  checkSpan(span);
  return scanSpan(reader, span, ts, options);
}

export interface WriteOptions {
  /** Write an intent owned by this transaction instead of a committed version. */
  readonly txn?: TxnMeta;
}

/** Writes `value` (null: a tombstone) at `ts`, or as the transaction's intent. */
export async function mvccPut(
  batch: Batch, stats: MvccStats, key: Uint8Array, ts: Timestamp, value: Uint8Array | null, options: WriteOptions = {},
): Promise<void> {
  checkKey(key);
  checkValue(value);
  const top = loadTop(batch, key);
  if (checkReplay(top, options.txn, value)) return;
  writeChecked(batch, stats, top, ts, value, options.txn);
}

/**
 * A transactional write at a sequence number its intent already holds is a
 * replay (a retried or reproposed request): it must carry the same value and
 * then changes nothing, so the later writes of the transaction survive it.
 * Returns the replayed write, or null when this is a new write.
 */
function replayedWrite(top: KeyTop, txn: TxnMeta | undefined): IntentWrite | null {
  const intent = top.intent;
  if (!txn || !intent || !txnIdsEqual(intent.record.txn.id, txn.id)) return null;
  const owner = intent.record.txn;
  if (owner.epoch !== txn.epoch || txn.sequence > owner.sequence) return null;
  const write = intent.record.history.find((w) => w.sequence === txn.sequence);
  if (!write) {
    throw new IntentMismatchError(`replayed write at sequence ${txn.sequence} on ${prettyKey(top.key)} is missing from its intent`);
  }
  return write;
}

/** True when the write is a replay of the same value; IntentMismatchError when it replays a different one. */
function checkReplay(top: KeyTop, txn: TxnMeta | undefined, value: Uint8Array | null): boolean {
  const write = replayedWrite(top, txn);
  if (!write) return false;
  const same = write.value === null || value === null ? write.value === value : Buffer.compare(write.value, value) === 0;
  if (!same) throw new IntentMismatchError(`replayed write at sequence ${txn!.sequence} on ${prettyKey(top.key)} has a different value`);
  return true;
}

export interface PutItem {
  readonly key: Uint8Array;
  /** Null writes a tombstone. */
  readonly value: Uint8Array | null;
}

/**
 * Writes several keys at one timestamp: their key slots are read together
 * (one call on LevelDB's thread pool) before the writes are evaluated, as a
 * leaseholder evaluating a batch under latches would.
 */
export async function mvccPutMany(
  batch: Batch, stats: MvccStats, ts: Timestamp, items: readonly PutItem[], options: WriteOptions = {},
): Promise<void> {
  for (const item of items) {
    checkKey(item.key);
    checkValue(item.value);
  }
  const escaped = items.map((item) => escapeKey(item.key));
  const distinct = new Set(escaped.map((e) => e.toString('latin1'))).size === escaped.length;
  if (!distinct || batch.count > 0) {
    // A key written before (twice here, or earlier in the batch) must see that write: read through the batch.
    await batch.prefetch(escaped);
    for (const item of items) {
      const top = loadTop(batch, item.key);
      if (!checkReplay(top, options.txn, item.value)) writeChecked(batch, stats, top, ts, item.value, options.txn);
    }
    return;
  }
  const slots = await batch.readMany(escaped);
  for (let i = 0; i < items.length; i++) {
    // Distinct keys in an empty batch: nothing this call writes changes another item's slot.
    const top = topFromSlot(items[i]!.key, escaped[i]!, slots[i]);
    if (!checkReplay(top, options.txn, items[i]!.value)) writeChecked(batch, stats, top, ts, items[i]!.value, options.txn);
  }
}

/** Moves the latest version out of the key slot into the versioned history. */
function demoteLatest(batch: Batch, stats: MvccStats, latest: VersionRecord, escaped: Buffer): void {
  const rawKey = versionKeyFromPrefix(escaped, latest.timestamp);
  // The slot record was verified when it was loaded.
  const rawValue = encodeVersionValue(latest.decoded !== undefined ? latest.decoded : decodeAnyVersionValue(latest.rawValue));
  countRecord(stats, latest.rawKey.length, latest.rawValue.length, false, -1);
  batch.put(rawKey, rawValue);
  countRecord(stats, rawKey.length, rawValue.length, false, 1);
}

/**
 * Writes into the key slot after the checks every write shares: another
 * transaction's intent blocks it, a committed version at or above `ts` makes
 * it too old. The previous latest version moves into the history.
 */
function writeChecked(
  batch: Batch, stats: MvccStats, top: KeyTop, ts: Timestamp, value: Uint8Array | null, txn: TxnMeta | undefined,
): void {
  let history: IntentWrite[] = [];
  if (top.intent) {
    const owner = top.intent.record.txn;
    if (!txn || !txnIdsEqual(owner.id, txn.id)) throw new WriteIntentError([{ key: top.key, txn: owner }]);
    if (txn.epoch < owner.epoch) throw new IntentMismatchError(`write from epoch ${txn.epoch} below intent epoch ${owner.epoch}`);
    if (txn.epoch === owner.epoch) history = top.intent.record.history.filter((w) => w.sequence < txn.sequence);
    // An intent never moves back in time: it stays above every committed
    // version beneath it (which the slot no longer shows), and readers that
    // looked past it keep doing so.
    if (compareTimestamps(owner.writeTimestamp, ts) > 0) ts = owner.writeTimestamp;
  }
  if (top.latest && compareTimestamps(top.latest.timestamp, ts) >= 0) {
    throw new WriteTooOldError(top.key, ts, nextTimestamp(top.latest.timestamp));
  }
  // Every check comes before the first change to the batch or the stats.
  const rawValue = txn ? encodeIntentChecked(txn, ts, history, value) : encodeLatestValue(ts, value);
  const before = { top: topOf({ intent: top.intent, versions: top.latest ? [top.latest] : [] }), exists: top.intent !== null || top.latest !== null };
  if (top.latest) demoteLatest(batch, stats, top.latest, top.escaped);
  if (top.intent) countRecord(stats, top.intent.rawKey.length, top.intent.rawValue.length, true, -1);
  batch.put(top.escaped, rawValue);
  countRecord(stats, top.escaped.length, rawValue.length, txn !== undefined, 1);
  countTopChange(stats, before, { top: { keyBytes: top.escaped.length, valBytes: rawValue.length, live: value !== null }, exists: true });
}

/** The intent record after the transaction's write at its sequence, within the history limits. */
function encodeIntentChecked(txn: TxnMeta, ts: Timestamp, history: IntentWrite[], value: Uint8Array | null): Buffer {
  if (history.length >= intentHistoryEntriesMax) {
    throw new InvalidArgumentError(`intent history of ${history.length} writes exceeds the limit of ${intentHistoryEntriesMax}`);
  }
  const rawValue = encodeIntent({ txn: { ...txn, writeTimestamp: ts }, history: [...history, { sequence: txn.sequence, value }] });
  if (rawValue.length > intentRecordBytesMax) {
    throw new InvalidArgumentError(`intent record of ${rawValue.length} bytes exceeds the limit of ${intentRecordBytesMax}`);
  }
  return rawValue;
}

/** Writes a tombstone for `key`. */
export function mvccDelete(batch: Batch, stats: MvccStats, key: Uint8Array, ts: Timestamp, options: WriteOptions = {}): Promise<void> {
  return mvccPut(batch, stats, key, ts, null, options);
}

/** The value a writer compares against: its own intent or the newest committed version. */
async function currentForWriter(batch: Batch, top: KeyTop, ts: Timestamp, txn: TxnMeta | undefined): Promise<Buffer | null> {
  if (top.intent) {
    const owner = top.intent.record.txn;
    if (!txn || !txnIdsEqual(owner.id, txn.id)) throw new WriteIntentError([{ key: top.key, txn: owner }]);
    if (owner.epoch === txn.epoch) {
      const seen = intentValueAt(top.intent.record, txn.sequence);
      if (seen.found) return seen.value ? Buffer.from(seen.value) : null;
    }
    const [newest] = await loadHistory(batch, top.escaped, undefined, 1);
    return newest ? decodeAnyVersionValue(newest.rawValue) : null;
  }
  if (!top.latest) return null;
  if (compareTimestamps(top.latest.timestamp, ts) >= 0) {
    throw new WriteTooOldError(top.key, ts, nextTimestamp(top.latest.timestamp));
  }
  return decodeAnyVersionValue(top.latest.rawValue);
}

/** Writes `value` only if the current value equals `expected` (null: the key must be absent). */
export async function mvccConditionalPut(
  batch: Batch, stats: MvccStats, key: Uint8Array, ts: Timestamp, value: Uint8Array | null,
  expected: Uint8Array | null, options: WriteOptions = {},
): Promise<void> {
  checkKey(key);
  checkValue(value);
  const top = loadTop(batch, key);
  // A replay was checked when first written; its condition may no longer hold.
  if (checkReplay(top, options.txn, value)) return;
  const current = await currentForWriter(batch, top, ts, options.txn);
  const matches = expected === null ? current === null : current !== null && Buffer.compare(current, expected) === 0;
  if (!matches) throw new ConditionFailedError(top.key, current);
  writeChecked(batch, stats, top, ts, value, options.txn);
}

function decodeInteger(value: Buffer | null): bigint {
  if (value === null) return 0n;
  if (value.length !== 8) throw new InvalidArgumentError(`value of ${value.length} bytes is not an integer`);
  return value.readBigInt64BE(0);
}

/** Adds `delta` to the 8-byte big-endian integer at `key` (absent counts as 0); returns the new value. */
export async function mvccIncrement(
  batch: Batch, stats: MvccStats, key: Uint8Array, ts: Timestamp, delta: bigint, options: WriteOptions = {},
): Promise<bigint> {
  checkKey(key);
  const top = loadTop(batch, key);
  const replayed = replayedWrite(top, options.txn);
  // A replay returns what the original increment returned.
  if (replayed) return decodeInteger(replayed.value === null ? null : Buffer.from(replayed.value));
  const next = decodeInteger(await currentForWriter(batch, top, ts, options.txn)) + delta;
  if (next > 0x7fff_ffff_ffff_ffffn || next < -0x8000_0000_0000_0000n) throw new InvalidArgumentError('integer overflow');
  const encoded = Buffer.alloc(8);
  encoded.writeBigInt64BE(next);
  writeChecked(batch, stats, top, ts, encoded, options.txn);
  return next;
}

/** Writes tombstones over every live key of the span; returns the keys deleted. */
export async function mvccDeleteRange(
  batch: Batch, stats: MvccStats, span: MvccSpan, ts: Timestamp, options: WriteOptions = {},
): Promise<Buffer[]> {
  checkSpan(span);
  const { rows } = await mvccScan(batch, span, ts, options.txn ? { txn: options.txn } : {});
  const deleted: Buffer[] = [];
  for (const row of rows) {
    await mvccPut(batch, stats, row.key, ts, null, options);
    deleted.push(row.key);
  }
  return deleted;
}

export type IntentStatus = 'committed' | 'aborted' | 'pending';

export interface IntentResolution {
  readonly txn: TxnMeta;
  readonly status: IntentStatus;
  /** Committed: the commit timestamp. Pending: the timestamp the intent is pushed to. */
  readonly timestamp: Timestamp;
  /** Sequence ranges [from, to] rolled back by savepoints; their writes are discarded. */
  readonly ignoredSequences?: ReadonlyArray<readonly [number, number]>;
}

/**
 * Resolves the intent on `key` if `resolution.txn` owns it. Returns whether an
 * intent was resolved: resolving a missing intent is a no-op, since
 * resolution is retried and may race with another resolver.
 */
export async function mvccResolveIntent(batch: Batch, stats: MvccStats, key: Uint8Array, resolution: IntentResolution): Promise<boolean> {
  const top = loadTop(batch, key);
  const intent = top.intent;
  if (!intent || !txnIdsEqual(intent.record.txn.id, resolution.txn.id)) return false;
  const owner = intent.record.txn;
  if (resolution.status === 'pending' && owner.epoch > resolution.txn.epoch) return false;
  const ignored = resolution.ignoredSequences ?? [];
  const history = intent.record.history.filter((w) => !ignored.some(([lo, hi]) => w.sequence >= lo && w.sequence <= hi));
  const staleEpoch = owner.epoch < resolution.txn.epoch;
  const removed = resolution.status === 'aborted' || history.length === 0 || (resolution.status === 'committed' && staleEpoch);
  // The newest older version becomes the latest again when the intent goes away.
  const [restored] = removed ? await loadHistory(batch, top.escaped, undefined, 1) : [];
  const later = compareTimestamps(resolution.timestamp, owner.writeTimestamp) > 0 ? resolution.timestamp : owner.writeTimestamp;
  const current = history[history.length - 1]?.value ?? null;
  if (resolution.status === 'pending' && !removed && later === owner.writeTimestamp && history.length === intent.record.history.length) {
    return true; // Nothing to change: not pushed higher, nothing rolled back.
  }
  let slot: { rawValue: Buffer; intent: boolean; live: boolean } | null = null;
  if (removed) {
    if (restored) {
      const rawValue = encodeLatestValue(restored.timestamp, decodeAnyVersionValue(restored.rawValue));
      slot = { rawValue, intent: false, live: !isTombstoneValue(rawValue) };
    }
  } else if (resolution.status === 'pending') {
    slot = { rawValue: encodeIntent({ txn: { ...owner, writeTimestamp: later }, history }), intent: true, live: current !== null };
  } else {
    slot = { rawValue: encodeLatestValue(later, current), intent: false, live: current !== null };
  }
  // All reads and encodings are done: now change the batch and the stats.
  const before = { top: topOf({ intent, versions: [] }), exists: true };
  countRecord(stats, intent.rawKey.length, intent.rawValue.length, true, -1);
  if (restored) {
    batch.del(restored.rawKey);
    countRecord(stats, restored.rawKey.length, restored.rawValue.length, false, -1);
  }
  if (!slot) {
    batch.del(top.escaped);
    countTopChange(stats, before, { top: null, exists: false });
    return true;
  }
  batch.put(top.escaped, slot.rawValue);
  countRecord(stats, top.escaped.length, slot.rawValue.length, slot.intent, 1);
  countTopChange(stats, before, { top: { keyBytes: top.escaped.length, valBytes: slot.rawValue.length, live: slot.live }, exists: true });
  return true;
}

/** Resolves every intent of the transaction in the span; returns how many were resolved. */
export async function mvccResolveIntentRange(batch: Batch, stats: MvccStats, span: MvccSpan, resolution: IntentResolution): Promise<number> {
  checkSpan(span);
  const { gte, lt } = rawSpan(span.key, span.endKey);
  const keys: Buffer[] = [];
  for await (const group of keyGroups(batch, gte, lt)) {
    if (group.intent && txnIdsEqual(group.intent.record.txn.id, resolution.txn.id)) keys.push(group.key);
  }
  let resolved = 0;
  for (const key of keys) if (await mvccResolveIntent(batch, stats, key, resolution)) resolved++;
  return resolved;
}

/**
 * Removes versions no reader at or above `threshold` can see: everything older
 * than the newest version at or below the threshold, and that version too when
 * it is a tombstone. Intents are never collected.
 */
export async function mvccGarbageCollect(batch: Batch, stats: MvccStats, span: MvccSpan, threshold: Timestamp): Promise<number> {
  checkSpan(span);
  const { gte, lt } = rawSpan(span.key, span.endKey);
  let removed = 0;
  // Streams: the batch's reads see its writes as of when the iteration began,
  // so deleting records behind the iteration is safe and memory stays bounded.
  for await (const group of keyGroups(batch, gte, lt)) {
    const visibleAt = group.versions.findIndex((v) => compareTimestamps(v.timestamp, threshold) <= 0);
    if (visibleAt < 0) continue;
    const visible = group.versions[visibleAt]!;
    const dropVisible = isTombstoneValue(visible.rawValue);
    const firstDropped = dropVisible ? visibleAt : visibleAt + 1;
    if (firstDropped >= group.versions.length) continue;
    const before = { top: topOf(group), exists: true };
    for (const v of group.versions.slice(firstDropped)) {
      batch.del(v.rawKey);
      countRecord(stats, v.rawKey.length, v.rawValue.length, false, -1);
      removed++;
    }
    const after = { intent: group.intent, versions: group.versions.slice(0, firstDropped) };
    countTopChange(stats, before, { top: topOf(after), exists: after.intent !== null || after.versions.length > 0 });
  }
  return removed;
}

/** Removes every record (all versions and intents) of the span, e.g. before ingesting a snapshot. */
export async function clearSpan(batch: Batch, stats: MvccStats, span: MvccSpan): Promise<void> {
  checkSpan(span);
  const { gte, lt } = rawSpan(span.key, span.endKey);
  for await (const group of keyGroups(batch, gte, lt)) {
    countTopChange(stats, { top: topOf(group), exists: true }, { top: null, exists: false });
    if (group.intent) {
      batch.del(group.intent.rawKey);
      countRecord(stats, group.intent.rawKey.length, group.intent.rawValue.length, true, -1);
    }
    for (const v of group.versions) {
      batch.del(v.rawKey);
      countRecord(stats, v.rawKey.length, v.rawValue.length, false, -1);
    }
  }
}

/** Recomputes the statistics of a span from its records. */
export async function computeStats(reader: Reader, span: MvccSpan): Promise<MvccStats> {
  const stats: MvccStats = { liveBytes: 0, liveCount: 0, keyBytes: 0, keyCount: 0, valBytes: 0, valCount: 0, intentBytes: 0, intentCount: 0 };
  const { gte, lt } = rawSpan(span.key, span.endKey);
  for await (const group of keyGroups(reader, gte, lt)) {
    countTopChange(stats, { top: null, exists: false }, { top: topOf(group), exists: true });
    if (group.intent) countRecord(stats, group.intent.rawKey.length, group.intent.rawValue.length, true, 1);
    for (const v of group.versions) countRecord(stats, v.rawKey.length, v.rawValue.length, false, 1);
  }
  return stats;
}
