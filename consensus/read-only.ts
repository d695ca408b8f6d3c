/**
 * A leader's pending ReadIndex requests (Raft thesis §6.4). Each records the
 * commit index when it arrived and waits until a quorum acknowledges a
 * heartbeat carrying its context: that proves no other leader had been
 * elected when the request arrived, so reading at that index once it is
 * applied is linearizable. An acknowledged request also releases every
 * request queued before it (their heartbeats went out earlier).
 */
import { readIndexPendingMax } from './limits.ts';
import type { LogIndex, ReplicaId } from './types.ts';

/** A read waiting for leadership to be confirmed. */
export interface PendingRead {
  /** The commit index when the request arrived: the read may be served once it is applied. */
  readonly index: LogIndex;
  /** Who asked: 0 or the leader itself for a local request, else the follower that forwarded it. */
  readonly from: ReplicaId;
  readonly context: Uint8Array;
  readonly acks: Set<ReplicaId>;
}

/** A string key for a context, for the map of pending requests. */
export function contextKey(context: Uint8Array): string {
  let key = '';
  for (let i = 0; i < context.length; i++) key += String.fromCharCode(context[i]!);
  return key;
}

/** A leader's queue of ReadIndex requests awaiting a quorum's heartbeat acknowledgement. */
export class ReadOnly {
  readonly #pending = new Map<string, PendingRead>();
  /** Keys in arrival order. */
  #queue: string[] = [];

  get size(): number {
    return this.#queue.length;
  }

  /**
   * Queues a request; returns false (the request is dropped and the caller
   * retries) when one with the same context is pending or the queue is full.
   */
  add(index: LogIndex, from: ReplicaId, context: Uint8Array): boolean {
    const key = contextKey(context);
    if (this.#pending.has(key) || this.#queue.length >= readIndexPendingMax) return false;
    this.#pending.set(key, { index, from, context, acks: new Set() });
    this.#queue.push(key);
    return true;
  }

  /** Records `from`'s acknowledgement of the heartbeat for `context`; returns the acks so far (undefined: unknown context). */
  recvAck(from: ReplicaId, context: Uint8Array): ReadonlySet<ReplicaId> | undefined {
    const read = this.#pending.get(contextKey(context));
    if (!read) return undefined;
    read.acks.add(from);
    return read.acks;
  }

  /** Releases the request for `context` and every one queued before it, oldest first. */
  advance(context: Uint8Array): PendingRead[] {
    const key = contextKey(context);
    const at = this.#queue.indexOf(key);
    if (at < 0) return [];
    const keys = this.#queue.splice(0, at + 1);
    const released: PendingRead[] = [];
    for (const k of keys) {
      const read = this.#pending.get(k);
      if (read) released.push(read);
      this.#pending.delete(k);
    }
    return released;
  }

  /** The newest pending request's context, if any (a heartbeat for it confirms them all). */
  lastPendingContext(): Uint8Array | undefined {
    const key = this.#queue[this.#queue.length - 1];
    return key === undefined ? undefined : this.#pending.get(key)?.context;
  }

  reset(): void {
    this.#pending.clear();
    this.#queue = [];
  }
}
