/**
 * Intent resolution for a finished (or savepoint-rolled-back) transaction:
 * synchronously when asked (savepoints, rollbacks), otherwise in the
 * background, tracked so a caller can wait for quiescence. Failures in the
 * background are harmless: a later reader pushes, finds the record final, and
 * resolves the intent itself.
 */
import type { Hlc } from '../hlc/index.ts';
import type { Span } from '../keys/index.ts';
import { txnMeta, type BatchSender, type Resolution, type Txn, type TxnRequest } from './api.ts';
import { syncResolveIntentsMax } from './limits.ts';

export class IntentResolver {
  readonly #pending = new Set<Promise<unknown>>();
  /** Background failures, kept for diagnostics (bounded). */
  readonly failures: unknown[] = [];

  constructor(private readonly sender: BatchSender, private readonly clock: Hlc) {}

  /** Resolves `txn`'s intents in `spans` as `status` (at its write timestamp, without its ignored sequences). */
  async resolve(txn: Txn, status: Resolution['status'], spans: readonly Span[], options: { sync: boolean }): Promise<void> {
    if (spans.length === 0) return;
    const resolution: Resolution = {
      txn: txnMeta(txn), status, timestamp: txn.writeTimestamp,
      ...(txn.ignoredSequences.length > 0 ? { ignoredSequences: txn.ignoredSequences } : {}),
    };
    const requests: TxnRequest[] = spans.map((s) => s.endKey.length > 0
      ? { type: 'resolveIntentRange', key: s.key, endKey: s.endKey, resolution }
      : { type: 'resolveIntent', key: s.key, resolution });
    const work = this.#sendChunks(requests);
    if (options.sync) return work;
    void this.run(work);
  }

  async #sendChunks(requests: readonly TxnRequest[]): Promise<void> {
    for (let i = 0; i < requests.length; i += syncResolveIntentsMax) {
      await this.sender.send({ header: { timestamp: this.clock.now() }, requests: requests.slice(i, i + syncResolveIntentsMax) });
    }
  }

  /** Tracks background work until it settles. */
  run<T>(work: Promise<T>): Promise<void> {
    const tracked = work.then(() => undefined, (error: unknown) => {
      if (this.failures.length < 100) this.failures.push(error);
    }).finally(() => { this.#pending.delete(tracked); });
    this.#pending.add(tracked);
    return tracked;
  }

  /** Waits until no background resolution is in flight. */
  async drain(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}
