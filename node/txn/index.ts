/**
 * node/txn — serializable distributed transactions, CockroachDB style.
 *
 * Replica side (pure functions over node/storage, no Raft):
 * - api.ts: Txn, the transactional requests/responses, TxnBatchRequest, BatchSender.
 * - record.ts: transaction records (PENDING/STAGING/COMMITTED/ABORTED) at range-local keys.
 * - evaluate.ts: evaluateTxnBatch — a batch under a txn header into a write batch;
 *   eval-data.ts (reads with uncertainty, writes above the timestamp cache, refresh,
 *   query intent) and eval-txn.ts (heartbeat, EndTxn incl. one-phase and STAGING,
 *   PushTxn, QueryTxn, resolution).
 * - tscache.ts: TimestampCache, bounded, with a low-water mark.
 * - concurrency.ts: LockTable (wait queues, waits-for graph, deadlock victims) and
 *   ConcurrencyManager (push, wait, re-push).
 * - local-sender.ts: LocalTxnSender, the in-process reference wiring (latches.ts).
 *
 * Client side:
 * - coordinator.ts: TxnCoordinator (KvTxn): refresh, heartbeats, pipelined writes,
 *   parallel and one-phase commit, savepoints, AS OF SYSTEM TIME.
 * - db.ts: TxnDb (KvStore): begin, run with retries. resolver.ts: IntentResolver.
 * - kv-shape.ts: sql/kv.ts's shapes, replicated. errors.ts: KvTxnError and kinds.
 *
 * Wiring into a replica (local-sender.ts is the reference): the leaseholder
 * holds one TimestampCache (low-water = lease start) and one LockTable +
 * ConcurrencyManager per range. Every TxnRequest is evaluated on the
 * leaseholder of the range holding its key (record requests: the range of
 * the txn's anchor key). For each batch: take latches over requestSpan() of
 * each request (read latches where !isTxnWrite) → evaluateTxnBatch(state,
 * batch, delta, request) → propose the batch through Raft → after apply,
 * locks.noteTxn(header.txn) for writing batches and locks.released(key) /
 * releasedSpan(...) for EvalEffects → release latches. On WriteIntentError:
 * release latches, concurrency.waitOn(conflict, txn, readOnly, readTs) for
 * each conflict, re-evaluate. On WriteTooOldError: re-evaluate with the
 * txn's writeTimestamp (or the batch timestamp) at error.actualTimestamp.
 * TxnPushFailedError from a pushTxn is expected: the pusher waits.
 */
export * from './api.ts';
export {
  KvTxnError, TxnAbortedError, TxnInvalidError, TxnPushFailedError, TxnRetryError, toKvTxnError,
  type AbortReason, type RetryReason, type TxnErrorKind,
} from './errors.ts';
export { decodeTxnRecord, encodeTxnRecord, readTxnRecord, txnRecordKey, writeTxnRecord, isFinalized, type TxnRecord } from './record.ts';
export { evaluateTxnBatch, type EvalEffects, type EvalResult, type TxnReplicaState } from './evaluate.ts';
export { PushedCommitError } from './eval-txn.ts';
export { TimestampCache, type TsCacheHit } from './tscache.ts';
export { ConcurrencyManager, LockTable, type ConcurrencyOptions } from './concurrency.ts';
export { LocalTxnSender, type LocalTxnSenderOptions } from './local-sender.ts';
export { TxnCoordinator, type CoordinatorOptions } from './coordinator.ts';
export { TxnDb, type Rng, type TxnDbOptions } from './db.ts';
export { IntentResolver } from './resolver.ts';
export { ManualTicker, TimerTicker, type Ticker } from './ticker.ts';
export type {
  KeySpanShape, KeyValueShape, KvRequestShape, KvResponseShape, KvTxnOptionsShape, ScanOptionsShape, ScanResultShape, TimestampShape,
} from './kv-shape.ts';
export * from './limits.ts';
