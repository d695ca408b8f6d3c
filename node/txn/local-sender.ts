/**
 * LocalTxnSender: evaluates transactional batches directly against one
 * Engine, as a leaseholder would without Raft: latches → evaluate into a
 * write batch → commit → release; conflicts go to the concurrency manager
 * (wait, push, retry), writes that are too old move up and re-evaluate.
 * Deterministic tests run on it, and it is the reference for wiring the
 * same pieces into a replica.
 */
import { compareTimestamps, maxOf, type Hlc } from '../hlc/index.ts';
import { everythingSpan, keyMax, keyMin, type Span } from '../keys/index.ts';
import { emptyStats, WriteIntentError, WriteTooOldError, type Engine, type MvccStats, addStats } from '../storage/index.ts';
import { isTxnWrite, requestSpan, type BatchSender, type TxnBatchRequest, type TxnBatchResponse } from './api.ts';
import { ConcurrencyManager, LockTable } from './concurrency.ts';
import { TxnRetryError } from './errors.ts';
import { evaluateTxnBatch, type EvalResult, type TxnReplicaState } from './evaluate.ts';
import { SpanLatches, type LatchSpan } from './latches.ts';
import { evalAttemptsMax } from './limits.ts';
import { TimestampCache } from './tscache.ts';

export interface LocalTxnSenderOptions {
  readonly clock: Hlc;
  /** Delay between pushes while waiting on a lock. */
  readonly sleep: () => Promise<void>;
  /** The range's span (one-phase commits need every write inside it); everything by default. */
  readonly rangeSpan?: Span;
  readonly lockWaitRoundsMax?: number;
}

export class LocalTxnSender implements BatchSender {
  readonly state: TxnReplicaState;
  readonly locks = new LockTable();
  readonly concurrency: ConcurrencyManager;
  readonly stats: MvccStats = emptyStats();
  readonly #latches = new SpanLatches();
  /** Batches evaluated (for tests that count round trips). */
  batchCount = 0;

  constructor(readonly engine: Engine, private readonly options: LocalTxnSenderOptions) {
    const rangeSpan = options.rangeSpan ?? everythingSpan;
    this.state = { tsCache: new TimestampCache(options.clock.now()), clock: options.clock, rangeSpan };
    this.concurrency = new ConcurrencyManager(this.locks, this, options.clock, {
      sleep: options.sleep, ...(options.lockWaitRoundsMax ? { roundsMax: options.lockWaitRoundsMax } : {}),
    });
  }

  async send(request: TxnBatchRequest): Promise<TxnBatchResponse> {
    this.batchCount++;
    let current = request;
    if (current.header.txn) this.options.clock.update(current.header.txn.writeTimestamp);
    for (let attempt = 0; attempt < evalAttemptsMax; attempt++) {
      const outcome = await this.#evaluateOnce(current);
      if (outcome.kind === 'done') {
        return { ...(outcome.result.txn ? { txn: outcome.result.txn } : {}), responses: outcome.result.responses, now: this.options.clock.now() };
      }
      if (outcome.kind === 'tooOld') {
        const txn = current.header.txn;
        current = txn
          ? { ...current, header: { ...current.header, txn: { ...txn, writeTimestamp: outcome.error.actualTimestamp } } }
          : { ...current, header: { ...current.header, timestamp: outcome.error.actualTimestamp } };
        continue;
      }
      const read = !current.requests.some(isTxnWrite);
      // A reader pushes an intent past its uncertainty limit: below it the intent would still conflict.
      const txn = current.header.txn;
      const readTs = txn ? maxOf(txn.readTimestamp, txn.uncertaintyLimit) : current.header.timestamp;
      for (const conflict of outcome.error.intents) await this.concurrency.waitOn(conflict, current.header.txn, read, readTs);
    }
    throw new TxnRetryError('lockWaitExhausted', 'batch re-evaluated too many times');
  }

  async #evaluateOnce(
    request: TxnBatchRequest,
  ): Promise<{ kind: 'done'; result: EvalResult } | { kind: 'tooOld'; error: WriteTooOldError } | { kind: 'conflict'; error: WriteIntentError }> {
    const release = await this.#latches.acquire(latchSpans(request));
    try {
      const batch = this.engine.newBatch();
      const delta = emptyStats();
      let result: EvalResult;
      try {
        result = await evaluateTxnBatch(this.state, batch, delta, request);
      } catch (error) {
        if (error instanceof WriteIntentError) return { kind: 'conflict', error };
        if (error instanceof WriteTooOldError && (!request.header.txn || compareTimestamps(error.actualTimestamp, request.header.txn.writeTimestamp) > 0)) {
          return { kind: 'tooOld', error };
        }
        throw error;
      }
      if (batch.count > 0) await batch.commit({ sync: false });
      addStats(this.stats, delta);
      if (request.header.txn && request.requests.some(isTxnWrite)) this.locks.noteTxn(request.header.txn);
      for (const key of result.effects.resolvedKeys) this.locks.released(key);
      for (const r of request.requests) {
        if (r.type === 'resolveIntentRange') this.locks.releasedSpan(r.key, r.endKey, r.resolution.txn.id);
      }
      return { kind: 'done', result };
    } finally {
      release();
    }
  }
}

function latchSpans(request: TxnBatchRequest): LatchSpan[] {
  return request.requests.map((r) => {
    const span = requestSpan(r, request.header.txn);
    const key = span.key.length > 0 ? span.key : keyMin;
    return { key: key.length > 0 ? key : Buffer.from([0]), ...(span.endKey ? { endKey: span.endKey } : {}), read: !isTxnWrite(r) };
  }).filter((s) => s.key.length > 0 && Buffer.compare(s.key, keyMax) < 0);
}
