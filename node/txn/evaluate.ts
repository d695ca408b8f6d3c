/**
 * Evaluates a transactional batch on a range's leaseholder into a write
 * batch (the caller holds latches, then proposes/commits the batch and
 * calls `TxnReplicaState.applied` with the effects).
 *
 * Sequence numbers: header.txn.sequence is the last sequence the coordinator
 * used before this batch; the batch's k-th write (1-based) is written at
 * sequence + k, and a read sees the writes before it in the batch.
 */
import { compareTimestamps, maxOf, type Hlc, type Timestamp } from '../hlc/index.ts';
import { compareKeys, spanContainsKey, type Span } from '../keys/index.ts';
import type { Batch, MvccStats } from '../storage/index.ts';
import { unreachable } from '../assert.ts';
import { isTxnWrite, requestSpan, txnMeta, type Txn, type TxnBatchRequest, type TxnRequest, type TxnResponse } from './api.ts';
import { TxnInvalidError } from './errors.ts';
import { evaluateData, evaluateQueryIntent, evaluateRefresh, type DataRequest } from './eval-data.ts';
import {
  evaluateEndTxn, evaluateHeartbeat, evaluatePushTxn, evaluateQueryTxn, evaluateResolveIntent, evaluateResolveIntentRange,
} from './eval-txn.ts';
import type { TimestampCache } from './tscache.ts';

/** What a leaseholder holds for transactions besides its data. */
export interface TxnReplicaState {
  readonly tsCache: TimestampCache;
  readonly clock: Hlc;
  /** The range's span: one-phase commits need every write inside it. */
  readonly rangeSpan: Span;
}

export interface EvalEffects {
  /** Keys whose intents were resolved (COMMITTED/ABORTED or removed): waiters in the lock table wake. */
  readonly resolvedKeys: Uint8Array[];
  readonly resolvedSpans: Span[];
}

export interface EvalResult {
  readonly txn?: Txn;
  readonly responses: TxnResponse[];
  readonly effects: EvalEffects;
}

type RecordRequest = Exclude<TxnRequest, DataRequest>;

function isData(type: string): boolean {
  return type === 'get' || type === 'scan' || type === 'put' || type === 'cput' || type === 'delete' || type === 'deleteRange' || type === 'increment';
}

/** The write timestamp this batch's writes need: above every other reader of their keys. */
function forwardWrites(state: TxnReplicaState, request: TxnBatchRequest, ts: Timestamp): Timestamp {
  const txnId = request.header.txn?.id ?? null;
  for (const r of request.requests) {
    if (!isData(r.type) || !isTxnWrite(r)) continue;
    const span = requestSpan(r, request.header.txn);
    ts = state.tsCache.writeFloor(span.key, span.endKey, ts, txnId);
  }
  return ts;
}

/** Evaluates every request of the batch into `batch`; throws storage or txn errors (the caller drops the batch). */
export async function evaluateTxnBatch(
  state: TxnReplicaState, batch: Batch, delta: MvccStats, request: TxnBatchRequest,
): Promise<EvalResult> {
  const header = request.header;
  let txn = header.txn;
  const now = state.clock.now();
  const endTxn = request.requests.find((r) => r.type === 'endTxn');
  const onePhase = txn !== undefined && endTxn?.type === 'endTxn' && endTxn.commit && endTxn.onePhase === true && onePhaseEligible(state, request);
  if (txn) {
    const writeTimestamp = forwardWrites(state, request, txn.writeTimestamp);
    if (compareTimestamps(writeTimestamp, txn.writeTimestamp) > 0) txn = { ...txn, writeTimestamp };
  }
  const readTs = txn ? txn.readTimestamp : header.timestamp;
  const writeTs = txn ? txn.writeTimestamp : forwardWrites(state, request, header.timestamp);
  const effects: EvalEffects = { resolvedKeys: [], resolvedSpans: [] };
  const responses: TxnResponse[] = [];
  let sequence = txn?.sequence ?? 0;
  for (const r of request.requests) {
    if (isData(r.type)) {
      if (isTxnWrite(r)) sequence++;
      const meta = txn && !onePhase ? { ...txnMeta(txn), sequence } : undefined;
      const ctx = { txn, meta, readTimestamp: readTs, writeTimestamp: writeTs, tsCache: state.tsCache };
      responses.push(await evaluateData(batch, delta, r as DataRequest, ctx));
      continue;
    }
    responses.push(await evaluateTxnRequest(state, batch, delta, r as RecordRequest, txn, header.timestamp, now, onePhase, effects));
  }
  return { ...(txn ? { txn } : {}), responses, effects };
}

function onePhaseEligible(state: TxnReplicaState, request: TxnBatchRequest): boolean {
  for (const r of request.requests) {
    if (r.type === 'endTxn' || !isData(r.type)) continue;
    if (!isTxnWrite(r)) throw new TxnInvalidError('a one-phase commit batch may not read');
    const span = requestSpan(r, undefined);
    if (!spanContainsKey(state.rangeSpan, span.key)) return false;
    if (span.endKey && compareKeys(span.endKey, state.rangeSpan.endKey) > 0) return false;
  }
  return true;
}

async function evaluateTxnRequest(
  state: TxnReplicaState, batch: Batch, delta: MvccStats, r: RecordRequest,
  txn: Txn | undefined, ts: Timestamp, now: Timestamp, onePhase: boolean, effects: EvalEffects,
): Promise<TxnResponse> {
  switch (r.type) {
    case 'heartbeatTxn':
      return { type: 'heartbeatTxn', status: (await evaluateHeartbeat(batch, needTxn(txn), maxOf(now, r.now))).status };
    case 'endTxn': {
      const t = needTxn(txn);
      if (onePhase) return { type: 'endTxn', status: 'committed', commitTimestamp: t.writeTimestamp, onePhase: true };
      const record = await evaluateEndTxn(batch, t, r, now);
      return { type: 'endTxn', status: record.status, commitTimestamp: record.writeTimestamp, onePhase: false };
    }
    case 'pushTxn':
      return { type: 'pushTxn', result: await evaluatePushTxn(batch, r, txn?.priority ?? 0) };
    case 'queryTxn':
      return { type: 'queryTxn', result: await evaluateQueryTxn(batch, r.anchorKey, r.txnId) };
    case 'queryIntent':
      return { type: 'queryIntent', found: await evaluateQueryIntent(batch, r, txn?.writeTimestamp ?? ts) };
    case 'resolveIntent':
      if (await evaluateResolveIntent(batch, delta, r.key, r.resolution)) effects.resolvedKeys.push(r.key);
      return { type: 'resolveIntent' };
    case 'resolveIntentRange': {
      const resolved = await evaluateResolveIntentRange(batch, delta, { key: r.key, endKey: r.endKey }, r.resolution);
      effects.resolvedSpans.push({ key: r.key, endKey: r.endKey });
      return { type: 'resolveIntentRange', resolved };
    }
    case 'refresh': case 'refreshRange': {
      const t = needTxn(txn);
      const span = r.type === 'refreshRange' ? { key: r.key, endKey: r.endKey } : { key: r.key };
      await evaluateRefresh(batch, span, r.refreshFrom, t.readTimestamp, t, state.tsCache);
      return { type: r.type };
    }
    default:
      return unreachable(r);
  }
}

function needTxn(txn: Txn | undefined): Txn {
  if (!txn) throw new TxnInvalidError('request needs a transaction');
  return txn;
}
