/**
 * TxnCoordinator: one client transaction over a BatchSender. It picks the
 * read timestamp from the HLC, numbers writes with sequences, tracks refresh
 * spans (reads) and lock spans (writes), heartbeats the record, pipelines
 * writes and proves them at commit (parallel commit), refreshes its reads
 * when its write timestamp moved, and resolves its intents once finalized.
 * Satisfies sql/kv.ts's KvTxn structurally.
 */
import { compareTimestamps, maxOf, nextTimestamp, type Hlc, type Timestamp } from '../hlc/index.ts';
import type { Span } from '../keys/index.ts';
import { ReadWithinUncertaintyIntervalError } from '../storage/index.ts';
import {
  isTxnWrite, type BatchSender, type InFlightWrite, type Txn, type TxnBatchResponse, type TxnRequest, type TxnResponse,
} from './api.ts';
import { KvTxnError, refreshFailed, toKvTxnError, TxnAbortedError, TxnInvalidError, TxnRetryError } from './errors.ts';
import { PushedCommitError } from './eval-txn.ts';
import { toTxnRequest, toKvResponse, type KvRequestShape, type KvResponseShape, type KeySpanShape, type ScanOptionsShape, type ScanResultShape } from './kv-shape.ts';
import { heartbeatIntervalMicros, inFlightWritesMax, refreshSpansMax } from './limits.ts';
import { IntentResolver } from './resolver.ts';
import { endOf, SpanSet } from './spans.ts';
import type { Ticker } from './ticker.ts';

export interface CoordinatorOptions {
  readonly sender: BatchSender;
  readonly clock: Hlc;
  readonly ticker: Ticker;
  readonly resolver: IntentResolver;
  readonly id: Uint8Array;
  readonly priority: number;
  readonly asOf?: Timestamp;
  readonly readOnly?: boolean;
  /** Send writes with async consensus and prove them at commit (default true). */
  readonly pipelining?: boolean;
}

type State = 'open' | 'committed' | 'aborted';
const uncertaintyRefreshesMax = 16;
const commitAttemptsMax = 16;

export class TxnCoordinator {
  #txn: Txn;
  #state: State = 'open';
  #abortedRemotely: TxnAbortedError | null = null;
  #stopHeartbeat: (() => void) | null = null;
  #hasRecord = false;
  readonly #refresh = new SpanSet(refreshSpansMax);
  readonly #locks = new SpanSet(refreshSpansMax);
  #inFlight: InFlightWrite[] = [];

  constructor(private readonly options: CoordinatorOptions) {
    const now = options.asOf ?? options.clock.now();
    const limit = options.asOf ? now : { wallMicros: now.wallMicros + options.clock.maxOffsetMicros, logical: now.logical };
    this.#txn = {
      id: options.id, epoch: 0, anchorKey: Buffer.alloc(0), readTimestamp: now, writeTimestamp: now, minTimestamp: now,
      uncertaintyLimit: limit, priority: options.priority, sequence: 0, ignoredSequences: [],
    };
  }

  get readTimestamp(): Timestamp { return this.#txn.readTimestamp; }
  get writeTimestamp(): Timestamp { return this.#txn.writeTimestamp; }
  get finished(): boolean { return this.#state !== 'open'; }
  get txn(): Txn { return this.#txn; }
  get id(): Uint8Array { return this.#txn.id; }

  async get(key: Uint8Array, options: { forUpdate?: boolean } = {}): Promise<Uint8Array | null> {
    const [r] = await this.batch([{ type: 'get', key, ...(options.forUpdate ? { forUpdate: true } : {}) }]);
    return r?.type === 'get' ? r.value : null;
  }

  async scan(span: KeySpanShape, options: ScanOptionsShape = {}): Promise<ScanResultShape> {
    const [r] = await this.batch([{ type: 'scan', span, options }]);
    if (r?.type !== 'scan') throw new TxnInvalidError('scan answered with another response');
    return r.result;
  }

  async put(key: Uint8Array, value: Uint8Array): Promise<void> { await this.batch([{ type: 'put', key, value }]); }
  async cput(key: Uint8Array, value: Uint8Array, expected: Uint8Array | null): Promise<void> {
    await this.batch([{ type: 'cput', key, value, expected }]);
  }
  async delete(key: Uint8Array): Promise<void> { await this.batch([{ type: 'delete', key }]); }
  async deleteRange(span: KeySpanShape, options: { returnKeys?: boolean } = {}): Promise<readonly Uint8Array[]> {
    const [r] = await this.batch([{ type: 'deleteRange', span, ...(options.returnKeys ? { returnKeys: true } : {}) }]);
    return r?.type === 'deleteRange' ? r.keys : [];
  }

  /** Sends SQL-shaped requests as one batch. */
  async batch(requests: readonly KvRequestShape[]): Promise<readonly KvResponseShape[]> {
    const mapped = requests.map(toTxnRequest);
    const responses = await this.send(mapped);
    return responses.map((r, i) => toKvResponse(r, requests[i]!));
  }

  /** Sends transactional requests; errors come out as KvTxnErrors. */
  async send(requests: readonly TxnRequest[]): Promise<readonly TxnResponse[]> {
    this.#checkOpen();
    try {
      return await this.#sendWithUncertaintyRefresh(requests);
    } catch (error) {
      throw this.#fail(error);
    }
  }

  async #sendWithUncertaintyRefresh(requests: readonly TxnRequest[]): Promise<readonly TxnResponse[]> {
    const writes = requests.some(isTxnWrite);
    if (writes && (this.options.readOnly || this.options.asOf)) throw new TxnInvalidError('write in a read-only transaction');
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#sendOnce(requests);
      } catch (error) {
        if (!(error instanceof ReadWithinUncertaintyIntervalError) || attempt >= uncertaintyRefreshesMax) throw error;
        // The value may have happened before us: read above it if our earlier reads still hold there.
        this.options.clock.update(error.valueTimestamp);
        const to = nextTimestamp(error.valueTimestamp);
        await this.#refreshTo(maxOf(to, this.#txn.writeTimestamp));
      }
    }
  }

  async #sendOnce(requests: readonly TxnRequest[]): Promise<readonly TxnResponse[]> {
    const writeCount = requests.filter(isTxnWrite).length;
    let all = requests;
    if (writeCount > 0 && !this.#hasRecord) {
      const first = requests.find(isTxnWrite)!;
      this.#txn = { ...this.#txn, anchorKey: Buffer.from('key' in first ? first.key : Buffer.alloc(0)) };
      all = [{ type: 'heartbeatTxn', now: this.options.clock.now() }, ...requests];
    }
    const pipelined = writeCount > 0 && this.options.pipelining !== false;
    const response = await this.options.sender.send({
      header: { timestamp: this.#txn.readTimestamp, txn: this.#txn, ...(pipelined ? { asyncConsensus: true } : {}) }, requests: all,
    });
    this.#absorb(response);
    if (all !== requests && !this.#hasRecord) {
      this.#hasRecord = true;
      this.#startHeartbeat();
    }
    this.#track(requests, pipelined);
    return response.responses.slice(all.length - requests.length);
  }

  #absorb(response: TxnBatchResponse): void {
    this.options.clock.update(response.now);
    if (response.txn && compareTimestamps(response.txn.writeTimestamp, this.#txn.writeTimestamp) > 0) {
      this.#txn = { ...this.#txn, writeTimestamp: response.txn.writeTimestamp };
    }
  }

  /** Records the batch's reads (refresh spans) and writes (sequences, lock spans, in-flight writes). */
  #track(requests: readonly TxnRequest[], pipelined: boolean): void {
    let sequence = this.#txn.sequence;
    for (const r of requests) {
      if (r.type === 'get') this.#refresh.add(r.key);
      if (r.type === 'scan' || r.type === 'deleteRange') this.#refresh.add(r.key, r.endKey);
      if (r.type === 'cput' || r.type === 'increment') this.#refresh.add(r.key);
      if (!isTxnWrite(r)) continue;
      sequence++;
      if (r.type === 'deleteRange') { this.#locks.add(r.key, r.endKey); continue; }
      if (!('key' in r)) continue;
      this.#locks.add(r.key);
      if (pipelined && this.#inFlight.length < inFlightWritesMax) this.#inFlight.push({ key: Buffer.from(r.key), sequence });
    }
    this.#txn = { ...this.#txn, sequence };
  }

  #startHeartbeat(): void {
    this.#stopHeartbeat = this.options.ticker.every(heartbeatIntervalMicros, () => {
      if (this.#state !== 'open') return;
      this.options.sender.send({
        header: { timestamp: this.#txn.readTimestamp, txn: this.#txn },
        requests: [{ type: 'heartbeatTxn', now: this.options.clock.now() }],
      }).catch((error: unknown) => {
        if (error instanceof TxnAbortedError) this.#abortedRemotely = error;
      });
    });
  }

  /** Moves the read timestamp to `to` if every read so far would read the same there. */
  async #refreshTo(to: Timestamp): Promise<void> {
    const from = this.#txn.readTimestamp;
    if (compareTimestamps(to, from) <= 0) return;
    const refreshed: Txn = { ...this.#txn, readTimestamp: to, writeTimestamp: maxOf(to, this.#txn.writeTimestamp) };
    const requests: TxnRequest[] = this.#refresh.spans.map((s: Span) =>
      s.endKey.length > 0 ? { type: 'refreshRange', key: s.key, endKey: s.endKey, refreshFrom: from } : { type: 'refresh', key: s.key, refreshFrom: from });
    if (requests.length > 0) {
      try {
        await this.options.sender.send({ header: { timestamp: to, txn: refreshed }, requests });
      } catch (error) {
        if (error instanceof KvTxnError && error.retryable) throw error;
        throw refreshFailed(to, error instanceof Error ? error.message : String(error));
      }
    }
    this.#txn = refreshed;
  }

  /** A savepoint: the sequence of the last write so far. */
  savepoint(): { readonly sequence: number } {
    this.#checkOpen();
    return { sequence: this.#txn.sequence };
  }

  /**
   * Discards writes after `savepoint`: their sequences are ignored from now
   * on, and the transaction's intents are rewritten without them right away,
   * so its own later reads no longer see them.
   */
  async rollbackToSavepoint(savepoint: { readonly sequence: number }): Promise<void> {
    this.#checkOpen();
    if (savepoint.sequence > this.#txn.sequence) throw new TxnInvalidError('savepoint is from the future');
    if (savepoint.sequence === this.#txn.sequence) return;
    const range = [savepoint.sequence + 1, this.#txn.sequence] as const;
    this.#txn = { ...this.#txn, ignoredSequences: [...this.#txn.ignoredSequences, range] };
    this.#inFlight = this.#inFlight.filter((w) => w.sequence < range[0]);
    try {
      await this.options.resolver.resolve(this.#txn, 'pending', this.#locks.spans, { sync: true });
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /** Commits; returns the commit timestamp. */
  async commit(): Promise<Timestamp> {
    this.#checkOpen();
    try {
      if (this.#locks.size === 0) {
        this.#finish('committed');
        return this.#txn.readTimestamp;
      }
      const { ts, staging } = await this.#commitWithRetries();
      this.#finish('committed');
      void this.options.resolver.run(this.#finalize(staging));
      return ts;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  /**
   * After the client has its answer: a STAGING record is made explicitly
   * COMMITTED before any intent is resolved — a recovery that found an
   * in-flight write already resolved would otherwise abort a committed
   * transaction.
   */
  async #finalize(staging: boolean): Promise<void> {
    if (staging) {
      await this.options.sender.send({
        header: { timestamp: this.#txn.writeTimestamp, txn: this.#txn },
        requests: [{ type: 'endTxn', commit: true, inFlightWrites: [], lockSpans: this.#locks.spans }],
      });
    }
    await this.options.resolver.resolve(this.#txn, 'committed', this.#locks.spans, { sync: true });
  }

  async #commitWithRetries(): Promise<{ ts: Timestamp; staging: boolean }> {
    for (let attempt = 0; attempt < commitAttemptsMax; attempt++) {
      await this.#refreshTo(this.#txn.writeTimestamp);
      try {
        return await this.#commitOnce();
      } catch (error) {
        if (!(error instanceof PushedCommitError)) throw error;
        this.#txn = { ...this.#txn, writeTimestamp: maxOf(error.pushedTo, this.#txn.writeTimestamp) };
      }
    }
    throw new TxnRetryError('pushedCommit', 'pushed too many times while committing');
  }

  /** EndTxn, in parallel with proofs of the in-flight writes (parallel commit). */
  async #commitOnce(): Promise<{ ts: Timestamp; staging: boolean }> {
    const inFlight = this.#inFlight;
    const lockSpans = this.#locks.spans;
    const header = { timestamp: this.#txn.writeTimestamp, txn: this.#txn };
    const end = this.options.sender.send({ header, requests: [{ type: 'endTxn', commit: true, inFlightWrites: inFlight, lockSpans }] });
    const proofs = inFlight.length === 0 ? Promise.resolve(null) : this.options.sender.send({
      header, requests: inFlight.map((w) => ({ type: 'queryIntent', key: w.key, txnId: this.#txn.id, epoch: this.#txn.epoch, sequence: w.sequence }) as const),
    });
    const [ended, proven] = await Promise.all([end, proofs]);
    const r = ended.responses[0];
    if (r?.type !== 'endTxn') throw new TxnInvalidError('endTxn answered with another response');
    if (proven && proven.responses.some((p) => p.type === 'queryIntent' && !p.found)) {
      throw new TxnRetryError('epochChanged', 'a pipelined write was not found at commit');
    }
    // STAGING with every in-flight write proven: implicitly committed; #finalize makes it explicit.
    if (r.status === 'staging') this.#inFlight = [];
    this.#txn = { ...this.#txn, writeTimestamp: r.commitTimestamp };
    return { ts: r.commitTimestamp, staging: r.status === 'staging' };
  }

  /**
   * Commits `requests` (writes only) with the transaction in one batch: when
   * the transaction has no earlier writes or reads and every write is on one
   * range, the writes commit directly without a record or intents.
   */
  async commitInBatch(requests: readonly TxnRequest[]): Promise<Timestamp> {
    this.#checkOpen();
    if (this.#locks.size > 0 || this.#refresh.size > 0 || !requests.every(isTxnWrite)) {
      await this.send(requests);
      return this.commit();
    }
    try {
      const spans = new SpanSet(refreshSpansMax);
      for (const r of requests) if ('key' in r) spans.add(r.key, 'endKey' in r ? r.endKey : undefined);
      const first = requests[0];
      if (first && 'key' in first) this.#txn = { ...this.#txn, anchorKey: Buffer.from(first.key) };
      const response = await this.options.sender.send({
        header: { timestamp: this.#txn.readTimestamp, txn: this.#txn },
        requests: [...requests, { type: 'endTxn', commit: true, inFlightWrites: [], lockSpans: spans.spans, onePhase: true }],
      });
      this.#absorb(response);
      const r = response.responses[response.responses.length - 1];
      if (r?.type !== 'endTxn') throw new TxnInvalidError('endTxn answered with another response');
      this.#finish('committed');
      if (!r.onePhase) void this.options.resolver.resolve({ ...this.#txn, writeTimestamp: r.commitTimestamp }, 'committed', spans.spans, { sync: false });
      return r.commitTimestamp;
    } catch (error) {
      throw this.#fail(error);
    }
  }

  async rollback(): Promise<void> {
    if (this.#state !== 'open') return;
    this.#finish('aborted');
    await this.#cleanup();
  }

  /** Writes the ABORTED record and removes the intents (both best effort: pushers clean up too). */
  async #cleanup(): Promise<void> {
    if (this.#locks.size === 0) return;
    try {
      await this.options.sender.send({
        header: { timestamp: this.#txn.writeTimestamp, txn: this.#txn },
        requests: [{ type: 'endTxn', commit: false, inFlightWrites: [], lockSpans: this.#locks.spans }],
      });
    } catch {
      // The record may already be ABORTED by a pusher; resolving below is what matters.
    }
    await this.options.resolver.resolve(this.#txn, 'aborted', this.#locks.spans, { sync: true });
  }

  #checkOpen(): void {
    if (this.#abortedRemotely) throw this.#fail(this.#abortedRemotely);
    if (this.#state !== 'open') throw new TxnInvalidError(`transaction already ${this.#state}`);
  }

  #finish(state: State): void {
    this.#state = state;
    this.#stopHeartbeat?.();
    this.#stopHeartbeat = null;
  }

  /** Maps an error; a retryable one ends the transaction and cleans up in the background. */
  #fail(error: unknown): KvTxnError {
    const mapped = toKvTxnError(error);
    if (mapped.retryable && this.#state === 'open') {
      this.#finish('aborted');
      void this.options.resolver.run(this.#cleanup());
    }
    return mapped;
  }
}

export { endOf };
