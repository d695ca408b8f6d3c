/**
 * Evaluation of the transaction-record requests on the range holding the
 * record: heartbeat (which also creates the PENDING record), EndTxn (commit,
 * STAGING for parallel commits, abort), PushTxn, QueryTxn, intent resolution.
 */
import { compareTimestamps, maxOf, type Timestamp } from '../hlc/index.ts';
import { mvccResolveIntent, mvccResolveIntentRange, type Batch, type MvccStats } from '../storage/index.ts';
import type { PushResult, Resolution, Txn, TxnRequest } from './api.ts';
import { TxnAbortedError, TxnInvalidError, TxnPushFailedError, TxnRetryError, type AbortReason } from './errors.ts';
import { txnExpirationMicros } from './limits.ts';
import { isFinalized, readTxnRecord, writeTxnRecord, type TxnRecord } from './record.ts';
import { evaluateQueryIntent } from './eval-data.ts';

function newRecord(txn: Txn, now: Timestamp): TxnRecord {
  return {
    id: txn.id, status: 'pending', epoch: txn.epoch, priority: txn.priority, anchorKey: txn.anchorKey,
    writeTimestamp: txn.writeTimestamp, minTimestamp: txn.minTimestamp, lastHeartbeat: now, inFlightWrites: [], lockSpans: [],
  };
}

function summary(record: TxnRecord): PushResult {
  return { status: record.status, writeTimestamp: record.writeTimestamp, epoch: record.epoch, ...(record.abortReason ? { abortReason: record.abortReason } : {}) };
}

/** Creates the PENDING record or refreshes its heartbeat; an ABORTED record fails the coordinator. */
export async function evaluateHeartbeat(batch: Batch, txn: Txn, now: Timestamp): Promise<TxnRecord> {
  const record = await readTxnRecord(batch, txn.anchorKey, txn.id);
  if (record?.status === 'aborted') throw new TxnAbortedError(record.abortReason ?? 'pushed');
  if (record && isFinalized(record.status)) return record;
  const next = record ? { ...record, lastHeartbeat: maxOf(record.lastHeartbeat, now) } : newRecord(txn, now);
  writeTxnRecord(batch, next);
  return next;
}

export type EndTxnRequest = Extract<TxnRequest, { type: 'endTxn' }>;

/**
 * Commits or aborts. A commit whose record was pushed above the coordinator's
 * write timestamp fails with a `pushedCommit` retry carrying the new
 * timestamp, so the coordinator can refresh its reads there and try again.
 */
export async function evaluateEndTxn(batch: Batch, txn: Txn, request: EndTxnRequest, now: Timestamp): Promise<TxnRecord> {
  const found = await readTxnRecord(batch, txn.anchorKey, txn.id);
  if (found?.status === 'aborted') {
    if (!request.commit) return found;
    throw new TxnAbortedError(found.abortReason ?? 'pushed');
  }
  if (found?.status === 'committed') {
    if (request.commit) return found;
    throw new TxnInvalidError('cannot abort a committed transaction');
  }
  const record = found ?? newRecord(txn, now);
  if (record.epoch > txn.epoch) throw new TxnInvalidError('end of a transaction from an older epoch');
  if (!request.commit) {
    const aborted: TxnRecord = { ...record, status: 'aborted', abortReason: 'client', lockSpans: request.lockSpans, inFlightWrites: [] };
    writeTxnRecord(batch, aborted);
    return aborted;
  }
  if (compareTimestamps(record.writeTimestamp, txn.writeTimestamp) > 0) {
    throw new PushedCommitError(record.writeTimestamp);
  }
  const staging = request.inFlightWrites.length > 0;
  const next: TxnRecord = {
    ...record, status: staging ? 'staging' : 'committed', epoch: txn.epoch, writeTimestamp: txn.writeTimestamp,
    inFlightWrites: request.inFlightWrites, lockSpans: request.lockSpans, lastHeartbeat: maxOf(record.lastHeartbeat, now),
  };
  writeTxnRecord(batch, next);
  return next;
}

/** A commit found its record pushed: refresh to `pushedTo` and commit there. */
export class PushedCommitError extends TxnRetryError {
  constructor(readonly pushedTo: Timestamp) {
    super('pushedCommit', 'the transaction record was pushed');
  }
}

export type PushTxnRequest = Extract<TxnRequest, { type: 'pushTxn' }>;

function expired(record: TxnRecord, now: Timestamp): boolean {
  return now.wallMicros - record.lastHeartbeat.wallMicros > txnExpirationMicros;
}

/**
 * Pushes the pushee: finalized records are reported as they are; an expired
 * or out-prioritised (or `force`d) pushee is aborted or has its timestamp
 * moved; otherwise TxnPushFailedError and the pusher waits. An expired
 * STAGING record is recovered: committed when every in-flight write is
 * present, aborted otherwise.
 */
export async function evaluatePushTxn(batch: Batch, request: PushTxnRequest, pusherPriority: number): Promise<PushResult> {
  const pushee = request.pushee;
  const now = request.now;
  const found = await readTxnRecord(batch, pushee.anchorKey, pushee.id);
  // No record: the pushee's heartbeat clock starts at its intent's timestamp.
  const record: TxnRecord = found ?? {
    id: pushee.id, status: 'pending', epoch: pushee.epoch, priority: pushee.priority, anchorKey: pushee.anchorKey,
    writeTimestamp: pushee.writeTimestamp, minTimestamp: pushee.writeTimestamp, lastHeartbeat: pushee.writeTimestamp,
    inFlightWrites: [], lockSpans: [],
  };
  if (isFinalized(record.status)) return summary(record);
  if (record.status === 'staging') {
    if (!expired(record, now) && !request.force) throw new TxnPushFailedError(pushee.id);
    return summary(await recoverStaging(batch, record));
  }
  const abort = (reason: AbortReason): PushResult => {
    const aborted: TxnRecord = { ...record, status: 'aborted', abortReason: reason };
    writeTxnRecord(batch, aborted);
    return summary(aborted);
  };
  if (request.force) return abort(request.force);
  if (expired(record, now)) return abort('abandoned');
  if (request.pushType === 'timestamp' && compareTimestamps(record.writeTimestamp, request.pushTo) >= 0) return summary(record);
  if (pusherPriority <= record.priority) throw new TxnPushFailedError(pushee.id);
  if (request.pushType === 'abort') return abort('pushed');
  const pushed: TxnRecord = { ...record, writeTimestamp: request.pushTo };
  writeTxnRecord(batch, pushed);
  return summary(pushed);
}

/** Decides an abandoned STAGING transaction from its in-flight writes (here: on this engine). */
async function recoverStaging(batch: Batch, record: TxnRecord): Promise<TxnRecord> {
  let all = true;
  for (const write of record.inFlightWrites) {
    const request = { type: 'queryIntent', key: write.key, txnId: record.id, epoch: record.epoch, sequence: write.sequence } as const;
    if (!(await evaluateQueryIntent(batch, request, record.writeTimestamp))) { all = false; break; }
  }
  const next: TxnRecord = all
    ? { ...record, status: 'committed', inFlightWrites: [] }
    : { ...record, status: 'aborted', abortReason: 'abandoned', inFlightWrites: [] };
  writeTxnRecord(batch, next);
  return next;
}

/** The record's status, or null when none exists. */
export async function evaluateQueryTxn(batch: Batch, anchorKey: Uint8Array, txnId: Uint8Array): Promise<PushResult | null> {
  const record = await readTxnRecord(batch, anchorKey, txnId);
  return record ? summary(record) : null;
}

/** Resolves one intent; returns whether it existed. */
export function evaluateResolveIntent(batch: Batch, delta: MvccStats, key: Uint8Array, resolution: Resolution): Promise<boolean> {
  return mvccResolveIntent(batch, delta, key, resolution.ignoredSequences ? { ...resolution, ignoredSequences: resolution.ignoredSequences } : resolution);
}

/** Resolves the transaction's intents in [key, endKey). */
export function evaluateResolveIntentRange(
  batch: Batch, delta: MvccStats, span: { key: Uint8Array; endKey: Uint8Array }, resolution: Resolution,
): Promise<number> {
  return mvccResolveIntentRange(batch, delta, span, resolution);
}
