/**
 * The lock table and wait queues. A request that meets another
 * transaction's intent releases its latches and waits here: it pushes the
 * holder (timestamp for readers, abort for writers), and when the push fails
 * it waits until the intent is resolved or a delay passes, then pushes
 * again — so an expired heartbeat is noticed. Waits-for edges form a graph;
 * a waiter that closes a cycle force-aborts the cycle's lowest-priority
 * transaction (itself on ties), which is told 'deadlock'.
 */
import { maxTimestamp, nextTimestamp, type Hlc, type Timestamp } from '../hlc/index.ts';
import type { IntentConflict } from '../storage/index.ts';
import type { BatchSender, PushResult, PushType, Txn, TxnBatchRequest } from './api.ts';
import { TxnAbortedError, TxnPushFailedError, TxnRetryError } from './errors.ts';
import { anchorsMax, lockWaitRoundsMax } from './limits.ts';

const hex = (id: Uint8Array): string => Buffer.from(id).toString('hex');

interface Lock {
  readonly holder: string;
  released: Promise<void>;
  release: () => void;
}

/** Per-key locks discovered from intents, and who waits on whom. */
export class LockTable {
  readonly #locks = new Map<string, Lock>();
  /** waiter → [holder, waiter priority] */
  readonly #waitsFor = new Map<string, { holder: string; priority: number }>();
  /** Anchor keys of transactions seen writing here (intents do not carry them). */
  readonly #anchors = new Map<string, Uint8Array>();

  /** Remembers where `txn`'s record lives; called when its writes are evaluated. */
  noteTxn(txn: Txn): void {
    const id = hex(txn.id);
    this.#anchors.delete(id);
    this.#anchors.set(id, txn.anchorKey);
    // Oldest first (insertion order): forgetting one only makes its pushers wait instead of push.
    if (this.#anchors.size > anchorsMax) this.#anchors.delete(this.#anchors.keys().next().value!);
  }

  anchorOf(txnId: Uint8Array): Uint8Array | undefined {
    return this.#anchors.get(hex(txnId));
  }

  forgetTxn(txnId: Uint8Array): void {
    this.#anchors.delete(hex(txnId));
  }

  /** The lock on `key` held by `holder`, created on first discovery. */
  lockFor(key: Uint8Array, holder: Uint8Array): Lock {
    const k = hex(key);
    const existing = this.#locks.get(k);
    if (existing && existing.holder === hex(holder)) return existing;
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const lock = { holder: hex(holder), released, release };
    this.#locks.set(k, lock);
    return lock;
  }

  /** The intent on `key` was resolved: wake its waiters. */
  released(key: Uint8Array): void {
    const k = hex(key);
    const lock = this.#locks.get(k);
    if (!lock) return;
    this.#locks.delete(k);
    lock.release();
  }

  /** Every lock in [key, endKey) was resolved (by a range resolution of `txnId`). */
  releasedSpan(key: Uint8Array, endKey: Uint8Array, txnId: Uint8Array): void {
    const holder = hex(txnId);
    for (const [k, lock] of this.#locks) {
      const raw = Buffer.from(k, 'hex');
      if (lock.holder === holder && Buffer.compare(raw, key) >= 0 && Buffer.compare(raw, endKey) < 0) {
        this.#locks.delete(k);
        lock.release();
      }
    }
  }

  get lockCount(): number {
    return this.#locks.size;
  }

  /**
   * Adds waiter → holder; when that closes a cycle returns the cycle's
   * lowest-priority member (the waiter on ties), else null.
   */
  wait(waiter: Txn, holder: Uint8Array, holderPriority: number): { id: string; isWaiter: boolean } | null {
    const w = hex(waiter.id);
    this.#waitsFor.set(w, { holder: hex(holder), priority: waiter.priority });
    let victim = { id: w, priority: waiter.priority };
    let at = hex(holder);
    let atPriority = holderPriority;
    for (let steps = 0; steps <= this.#waitsFor.size; steps++) {
      if (at === w) return { id: victim.id, isWaiter: victim.id === w };
      if (atPriority < victim.priority) victim = { id: at, priority: atPriority };
      const next = this.#waitsFor.get(at);
      if (!next) return null;
      at = next.holder;
      atPriority = this.#waitsFor.get(at)?.priority ?? Number.MAX_SAFE_INTEGER;
    }
    return null;
  }

  doneWaiting(waiter: Txn): void {
    this.#waitsFor.delete(hex(waiter.id));
  }
}

export interface ConcurrencyOptions {
  /** Delay before re-pushing a holder that could not be pushed (injected; tests use short real timers). */
  readonly sleep: () => Promise<void>;
  readonly roundsMax?: number;
}

/**
 * Handles a conflict found during evaluation: returns when the request may be
 * re-evaluated (the intent is gone or moved above the reader), throws
 * TxnAbortedError when the waiter itself was aborted (deadlock victim or pushed).
 */
export class ConcurrencyManager {
  constructor(
    readonly locks: LockTable,
    private readonly sender: BatchSender,
    private readonly clock: Hlc,
    private readonly options: ConcurrencyOptions,
  ) {}

  async waitOn(conflict: IntentConflict, waiter: Txn | undefined, read: boolean, readTs: Timestamp): Promise<void> {
    const holder = conflict.txn;
    // Without the anchor the record cannot be found; pushing a guessed one could abort a live
    // transaction, so such a waiter only waits (for resolution) until its rounds run out.
    const anchorKey = this.locks.anchorOf(holder.id);
    const pushType: PushType = read ? 'timestamp' : 'abort';
    const lock = this.locks.lockFor(conflict.key, holder.id);
    try {
      for (let round = 0; round < (this.options.roundsMax ?? lockWaitRoundsMax); round++) {
        let force: 'deadlock' | undefined;
        if (waiter) {
          const victim = this.locks.wait(waiter, holder.id, holder.priority);
          if (victim?.isWaiter) throw new TxnAbortedError('deadlock');
          if (victim && victim.id === Buffer.from(holder.id).toString('hex')) force = 'deadlock';
        }
        const pushed = anchorKey ? await this.#push(waiter, { ...holder, anchorKey }, pushType, nextTimestamp(readTs), force) : null;
        if (pushed) {
          await this.#resolve(conflict, pushed);
          return;
        }
        await Promise.race([lock.released, this.options.sleep()]);
        if (waiter) await this.#checkSelf(waiter);
        if (!(await this.#stillHeld(conflict))) return;
      }
      throw new TxnRetryError('lockWaitExhausted', 'waited too long on a lock');
    } finally {
      if (waiter) this.locks.doneWaiting(waiter);
    }
  }

  async #push(
    waiter: Txn | undefined, pushee: IntentConflict['txn'] & { anchorKey: Uint8Array }, pushType: PushType, pushTo: Timestamp,
    force: 'deadlock' | undefined,
  ): Promise<PushResult | null> {
    const request: TxnBatchRequest = {
      header: { timestamp: this.clock.now(), ...(waiter ? { txn: waiter } : {}) },
      requests: [{ type: 'pushTxn', pushee, pushType, pushTo, now: this.clock.now(), ...(force ? { force } : {}) }],
    };
    try {
      const response = await this.sender.send(request);
      const r = response.responses[0];
      return r?.type === 'pushTxn' ? r.result : null;
    } catch (error) {
      if (error instanceof TxnPushFailedError) return null;
      throw error;
    }
  }

  /** Moves or removes the conflicting intent according to the push result. */
  async #resolve(conflict: IntentConflict, result: PushResult): Promise<void> {
    const status = result.status === 'committed' ? 'committed' : result.status === 'aborted' ? 'aborted' : 'pending';
    await this.sender.send({
      header: { timestamp: this.clock.now() },
      requests: [{ type: 'resolveIntent', key: conflict.key, resolution: { txn: conflict.txn, status, timestamp: result.writeTimestamp } }],
    });
  }

  async #checkSelf(waiter: Txn): Promise<void> {
    const response = await this.sender.send({
      header: { timestamp: this.clock.now() },
      requests: [{ type: 'queryTxn', txnId: waiter.id, anchorKey: waiter.anchorKey }],
    });
    const r = response.responses[0];
    if (r?.type === 'queryTxn' && r.result?.status === 'aborted') throw new TxnAbortedError(r.result.abortReason ?? 'pushed');
  }

  /** Whether the key still holds the holder's intent (it may have been resolved without our lock seeing it). */
  async #stillHeld(conflict: IntentConflict): Promise<boolean> {
    const response = await this.sender.send({
      header: { timestamp: maxTimestamp },
      requests: [{ type: 'queryIntent', key: conflict.key, txnId: conflict.txn.id, epoch: conflict.txn.epoch, sequence: 0 }],
    });
    const r = response.responses[0];
    return r?.type === 'queryIntent' ? r.found : true;
  }
}
