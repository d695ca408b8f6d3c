/**
 * Evaluation of reads and writes under a transaction header on the
 * leaseholder: reads at the read timestamp with the uncertainty limit (and
 * recorded in the timestamp cache), writes at the write timestamp forwarded
 * above the timestamp cache; refreshes and intent queries.
 */
import { compareTimestamps, type Timestamp } from '../hlc/index.ts';
import {
  decodeIntent, intentKey, mvccConditionalPut, mvccDelete, mvccDeleteRange, mvccGet, mvccIncrement, mvccPut, mvccScan,
  WriteIntentError, type Batch, type MvccStats, type ReadOptions, type TxnMeta,
} from '../storage/index.ts';
import { unreachable } from '../assert.ts';
import type { Txn, TxnRequest, TxnResponse } from './api.ts';
import { refreshFailed } from './errors.ts';
import type { TimestampCache } from './tscache.ts';

export type DataRequest = Extract<TxnRequest, { type: 'get' | 'scan' | 'put' | 'cput' | 'delete' | 'deleteRange' | 'increment' }>;
export type DataResponse = TxnResponse;

/** Per-request context: the owner meta at the request's sequence, timestamps to use. */
export interface DataContext {
  readonly txn: Txn | undefined;
  /** The owner as mvcc sees it (sequence of this request), undefined for non-transactional requests. */
  readonly meta: TxnMeta | undefined;
  readonly readTimestamp: Timestamp;
  readonly writeTimestamp: Timestamp;
  readonly tsCache: TimestampCache;
}

function readOptions(ctx: DataContext): ReadOptions {
  const options: { txn?: TxnMeta; uncertaintyLimit?: Timestamp } = {};
  if (ctx.meta) options.txn = ctx.meta;
  if (ctx.txn && compareTimestamps(ctx.txn.uncertaintyLimit, ctx.readTimestamp) > 0) options.uncertaintyLimit = ctx.txn.uncertaintyLimit;
  return options;
}

/** Evaluates one read or write; writes go into `batch` with their stats in `delta`. */
export async function evaluateData(batch: Batch, delta: MvccStats, request: DataRequest, ctx: DataContext): Promise<DataResponse> {
  const writeOptions = ctx.meta ? { txn: ctx.meta } : {};
  const ts = ctx.writeTimestamp;
  switch (request.type) {
    case 'get': {
      const result = await mvccGet(batch, request.key, ctx.readTimestamp, readOptions(ctx));
      ctx.tsCache.add(request.key, undefined, ctx.readTimestamp, ctx.txn?.id ?? null);
      return { type: 'get', value: result.value };
    }
    case 'scan': {
      const span = { key: request.key, endKey: request.endKey };
      const result = await mvccScan(batch, span, ctx.readTimestamp, {
        ...readOptions(ctx), maxKeys: request.maxKeys ?? 0, maxBytes: request.maxBytes ?? 0, reverse: request.reverse ?? false,
      });
      // Only the part actually read is recorded: the resume span was not served.
      const read = result.resumeSpan ? servedSpan(span, result.resumeSpan, request.reverse ?? false) : span;
      ctx.tsCache.add(read.key, read.endKey, ctx.readTimestamp, ctx.txn?.id ?? null);
      const rows = result.rows.map((r) => ({ key: r.key, value: r.value }));
      const resume = result.resumeSpan;
      return resume ? { type: 'scan', rows, resume: { key: Buffer.from(resume.key), endKey: Buffer.from(resume.endKey) } } : { type: 'scan', rows };
    }
    case 'put':
      await mvccPut(batch, delta, request.key, ts, request.value, writeOptions);
      return { type: 'put' };
    case 'cput':
      await mvccConditionalPut(batch, delta, request.key, ts, request.value, request.expected, writeOptions);
      return { type: 'cput' };
    case 'delete':
      await mvccDelete(batch, delta, request.key, ts, writeOptions);
      return { type: 'delete' };
    case 'increment':
      return { type: 'increment', value: await mvccIncrement(batch, delta, request.key, ts, request.delta, writeOptions) };
    case 'deleteRange': {
      const keys = await mvccDeleteRange(batch, delta, { key: request.key, endKey: request.endKey }, ts, writeOptions);
      // The range was read to find its keys: later writes must not slip beneath.
      ctx.tsCache.add(request.key, request.endKey, ts, ctx.txn?.id ?? null);
      return { type: 'deleteRange', keys };
    }
    default:
      return unreachable(request);
  }
}

function servedSpan(span: { key: Uint8Array; endKey: Uint8Array }, resume: { key: Uint8Array; endKey: Uint8Array }, reverse: boolean) {
  return reverse ? { key: resume.endKey, endKey: span.endKey } : { key: span.key, endKey: resume.key };
}

/**
 * Refresh: the transaction's reads of [key, endKey) at `from` would read the
 * same at `to` — no committed value in (from, to] and no other transaction's
 * intent at or below `to`. Records the reads at `to` in the timestamp cache.
 */
export async function evaluateRefresh(
  batch: Batch, span: { key: Uint8Array; endKey?: Uint8Array }, from: Timestamp, to: Timestamp, txn: Txn, tsCache: TimestampCache,
): Promise<void> {
  const committed = span.endKey
    ? (await mvccScan(batch, { key: span.key, endKey: span.endKey }, to, { inconsistent: true, tombstones: true })).rows
      .map((r) => r.timestamp)
    : [(await mvccGet(batch, span.key, to, { inconsistent: true, tombstones: true })).timestamp];
  for (const ts of committed) {
    if (ts && compareTimestamps(ts, from) > 0) throw refreshFailed(to, 'a newer committed value');
  }
  const own = { id: txn.id, epoch: txn.epoch, writeTimestamp: txn.writeTimestamp, sequence: txn.sequence, priority: txn.priority };
  try {
    if (span.endKey) await mvccScan(batch, { key: span.key, endKey: span.endKey }, to, { txn: own });
    else await mvccGet(batch, span.key, to, { txn: own });
  } catch (error) {
    if (error instanceof WriteIntentError) throw refreshFailed(to, 'another transaction\'s intent');
    throw error;
  }
  tsCache.add(span.key, span.endKey, to, txn.id);
}

/** The intent slot's tag in node/storage's record format v3 (mvcc-value.ts). */
const intentTag = 2;

/**
 * Whether `key` holds the transaction's intent of `epoch` with a write at
 * `sequence` or later, at or below `atMost`: the proof of a pipelined write.
 */
export async function evaluateQueryIntent(
  batch: Batch, request: Extract<TxnRequest, { type: 'queryIntent' }>, atMost: Timestamp,
): Promise<boolean> {
  const raw = await batch.get(intentKey(request.key));
  if (raw === undefined || raw[0] !== intentTag) return false;
  const record = decodeIntent(raw);
  if (Buffer.compare(record.txn.id, request.txnId) !== 0 || record.txn.epoch !== request.epoch) return false;
  if (compareTimestamps(record.txn.writeTimestamp, atMost) > 0) return false;
  return record.history.some((w) => w.sequence >= request.sequence);
}
