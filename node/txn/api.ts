/**
 * The transactional KV API: the header a batch carries, the requests a range
 * evaluates for transactions, and the interface the coordinator sends through
 * (wired to DistSender by the node; to LocalTxnSender in tests).
 */
import type { Timestamp } from '../hlc/index.ts';
import type { TxnMeta } from '../storage/index.ts';
import type { Span } from '../keys/index.ts';
import type { AbortReason } from './errors.ts';
import { txnRecordKey } from './record.ts';

export type TxnStatus = 'pending' | 'staging' | 'committed' | 'aborted';

/** Sequence ranges [from, to] rolled back by savepoints. */
export type IgnoredSequences = ReadonlyArray<readonly [number, number]>;

/** The coordinator's view of its transaction, sent with every batch. */
export interface Txn {
  readonly id: Uint8Array;
  readonly epoch: number;
  /** The key whose range holds the transaction record. */
  readonly anchorKey: Uint8Array;
  readonly readTimestamp: Timestamp;
  /** Where intents are written; at or above readTimestamp; the commit timestamp. */
  readonly writeTimestamp: Timestamp;
  /** The start timestamp; never moves. */
  readonly minTimestamp: Timestamp;
  /** Values in (readTimestamp, uncertaintyLimit] may precede the transaction in real time. */
  readonly uncertaintyLimit: Timestamp;
  readonly priority: number;
  readonly sequence: number;
  readonly ignoredSequences: IgnoredSequences;
}

/** A pipelined write not yet proven replicated: key and the sequence it was written at. */
export interface InFlightWrite {
  readonly key: Uint8Array;
  readonly sequence: number;
}

/** What an intent needs to say about its owner, plus the record's anchor key for pushes. */
export interface PusheeMeta extends TxnMeta {
  readonly anchorKey: Uint8Array;
}

export type PushType = 'timestamp' | 'abort';

export type TxnRequest =
  | { readonly type: 'get'; readonly key: Uint8Array; readonly forUpdate?: boolean }
  | {
    readonly type: 'scan'; readonly key: Uint8Array; readonly endKey: Uint8Array; readonly maxKeys?: number;
    readonly maxBytes?: number; readonly reverse?: boolean; readonly forUpdate?: boolean;
  }
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'cput'; readonly key: Uint8Array; readonly value: Uint8Array; readonly expected: Uint8Array | null }
  | { readonly type: 'delete'; readonly key: Uint8Array }
  | { readonly type: 'deleteRange'; readonly key: Uint8Array; readonly endKey: Uint8Array }
  | { readonly type: 'increment'; readonly key: Uint8Array; readonly delta: bigint }
  /** Creates (or refreshes) the PENDING record at the anchor key; also the heartbeat. */
  | { readonly type: 'heartbeatTxn'; readonly now: Timestamp }
  /**
   * Commit or abort. With in-flight writes a commit writes STAGING (parallel
   * commit); with `onePhase` and every write of the batch on this range, the
   * writes commit directly and no record is written.
   */
  | {
    readonly type: 'endTxn'; readonly commit: boolean; readonly inFlightWrites: readonly InFlightWrite[];
    readonly lockSpans: readonly Span[]; readonly onePhase?: boolean;
  }
  | { readonly type: 'pushTxn'; readonly pushee: PusheeMeta; readonly pushType: PushType; readonly pushTo: Timestamp;
    readonly now: Timestamp; readonly force?: AbortReason }
  | { readonly type: 'queryTxn'; readonly txnId: Uint8Array; readonly anchorKey: Uint8Array }
  /** Whether the transaction's intent at `sequence` (or later) is on `key` at or below the batch timestamp. */
  | { readonly type: 'queryIntent'; readonly key: Uint8Array; readonly txnId: Uint8Array; readonly epoch: number; readonly sequence: number }
  | { readonly type: 'resolveIntent'; readonly key: Uint8Array; readonly resolution: Resolution }
  | { readonly type: 'resolveIntentRange'; readonly key: Uint8Array; readonly endKey: Uint8Array; readonly resolution: Resolution }
  /** Fails when a committed value or another's intent in (refreshFrom, batch timestamp] is on the key. */
  | { readonly type: 'refresh'; readonly key: Uint8Array; readonly refreshFrom: Timestamp }
  | { readonly type: 'refreshRange'; readonly key: Uint8Array; readonly endKey: Uint8Array; readonly refreshFrom: Timestamp };

export interface Resolution {
  readonly txn: TxnMeta;
  readonly status: 'committed' | 'aborted' | 'pending';
  readonly timestamp: Timestamp;
  readonly ignoredSequences?: IgnoredSequences;
}

export interface PushResult {
  readonly status: TxnStatus;
  readonly writeTimestamp: Timestamp;
  readonly epoch: number;
  readonly abortReason?: AbortReason;
}

export type TxnResponse =
  | { readonly type: 'get'; readonly value: Buffer | null }
  | { readonly type: 'scan'; readonly rows: ReadonlyArray<{ key: Buffer; value: Buffer }>; readonly resume?: Span }
  | { readonly type: 'put' | 'cput' | 'delete' | 'resolveIntent' | 'refresh' | 'refreshRange' }
  | { readonly type: 'deleteRange'; readonly keys: readonly Buffer[] }
  | { readonly type: 'increment'; readonly value: bigint }
  | { readonly type: 'heartbeatTxn'; readonly status: TxnStatus }
  | { readonly type: 'endTxn'; readonly status: TxnStatus; readonly commitTimestamp: Timestamp; readonly onePhase: boolean }
  | { readonly type: 'pushTxn'; readonly result: PushResult }
  | { readonly type: 'queryTxn'; readonly result: PushResult | null }
  | { readonly type: 'queryIntent'; readonly found: boolean }
  | { readonly type: 'resolveIntentRange'; readonly resolved: number };

export interface TxnBatchHeader {
  /** Read/write timestamp of a non-transactional batch; the txn's timestamps otherwise. */
  readonly timestamp: Timestamp;
  readonly txn?: Txn;
  /** Writes of this batch may replicate after the response (pipelining); they are proven at commit. */
  readonly asyncConsensus?: boolean;
}

export interface TxnBatchRequest {
  readonly header: TxnBatchHeader;
  readonly requests: readonly TxnRequest[];
}

export interface TxnBatchResponse {
  /** The transaction as evaluation left it (its write timestamp may have moved up). */
  readonly txn?: Txn;
  readonly responses: readonly TxnResponse[];
  /** The highest timestamp the serving node saw, to update the client's HLC. */
  readonly now: Timestamp;
}

/** How the coordinator reaches KV. The node wires DistSender to it. */
export interface BatchSender {
  send(batch: TxnBatchRequest): Promise<TxnBatchResponse>;
}

/** The storage-level owner of a transaction's intents. */
export function txnMeta(txn: Txn): TxnMeta {
  return { id: txn.id, epoch: txn.epoch, writeTimestamp: txn.writeTimestamp, sequence: txn.sequence, priority: txn.priority };
}

/** Whether a request writes (needs an exclusive latch and a Raft proposal). */
export function isTxnWrite(request: TxnRequest): boolean {
  switch (request.type) {
    case 'get': case 'scan': case 'queryTxn': case 'queryIntent': case 'refresh': case 'refreshRange':
      return false;
    default:
      return true;
  }
}

/** The key span a request touches (point requests: [key, key]). */
export function requestSpan(request: TxnRequest, txn: Txn | undefined): { key: Uint8Array; endKey?: Uint8Array } {
  switch (request.type) {
    case 'scan': case 'deleteRange': case 'resolveIntentRange': case 'refreshRange':
      return { key: request.key, endKey: request.endKey };
    // Record requests latch the record's own key, not the user key it sits beside.
    case 'heartbeatTxn': case 'endTxn':
      return { key: txn ? txnRecordKey(txn.anchorKey, txn.id) : Buffer.alloc(0) };
    case 'pushTxn':
      return { key: txnRecordKey(request.pushee.anchorKey, request.pushee.id) };
    case 'queryTxn':
      return { key: txnRecordKey(request.anchorKey, request.txnId) };
    default:
      return { key: request.key };
  }
}
