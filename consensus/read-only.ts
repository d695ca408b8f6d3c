/**
 * Pending ReadIndex requests of a leader (Raft thesis §6.4): each waits until
 * a quorum acknowledges a heartbeat carrying its context, which proves the
 * leader was still leader when the read arrived; then every request queued
 * before it is released too.
 */
import { readIndexPendingMax } from './limits.ts';
import type { LogIndex, Message, ReplicaId } from './types.ts';

interface PendingRead {
  readonly index: LogIndex;
  readonly message: Message;
  readonly acks: Set<ReplicaId>;
}

function keyOf(context: Uint8Array): string {
  let key = '';
  for (const b of context) key += String.fromCharCode(b);
  return key;
}

export class ReadOnly {
  #pending = new Map<string, PendingRead>();
  #queue: string[] = [];

  constructor(readonly option: 'safe' | 'leaseBased') {}

  pending(): number {
    return this.#queue.length;
  }

  /** Queues a request; false when one with the same context is already pending or the queue is full. */
  add(index: LogIndex, message: Message, context: Uint8Array): boolean {
    const key = keyOf(context);
    if (this.#pending.has(key) || this.#queue.length >= readIndexPendingMax) return false;
    this.#pending.set(key, { index, message, acks: new Set() });
    this.#queue.push(key);
    return true;
  }

  /** Records an acknowledgement; returns the requests it releases, oldest first. */
  recvAck(from: ReplicaId, context: Uint8Array, quorum: (acks: ReadonlySet<ReplicaId>) => boolean): PendingRead[] {
    const key = keyOf(context);
    const read = this.#pending.get(key);
    if (!read) return [];
    read.acks.add(from);
    if (!quorum(read.acks)) return [];
    const at = this.#queue.indexOf(key);
    const released = this.#queue.splice(0, at + 1).map((k) => this.#pending.get(k)!);
    for (const k of released) this.#pending.delete(keyOf(k.message.context ?? new Uint8Array(0)));
    this.#pending.delete(key);
    return released;
  }

  reset(): void {
    this.#pending.clear();
    this.#queue = [];
  }
}
