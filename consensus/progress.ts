/**
 * What a leader knows about each follower: how far its log matches, what to
 * send next, and the flow-control window of append messages in flight.
 *
 * States: probe (one append at a time until the match point is found),
 * replicate (optimistic pipelining within the window), snapshot (waiting for
 * a snapshot to be installed).
 */
import type { Snapshot } from './types.ts';

export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** A bounded ring of in-flight appends: (last index, bytes) of each message. */
export class Inflights {
  #indexes: number[] = [];
  #sizes: number[] = [];
  #bytes = 0;

  constructor(readonly maxMessages: number, readonly maxBytes: number) {}

  get count(): number {
    return this.#indexes.length;
  }

  get bytes(): number {
    return this.#bytes;
  }

  full(): boolean {
    return this.#indexes.length >= this.maxMessages || (this.maxBytes > 0 && this.#bytes >= this.maxBytes);
  }

  add(lastIndex: number, bytes: number): void {
    this.#indexes.push(lastIndex);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
  }

  /** Frees every message whose last index is at or below `index`. */
  freeLE(index: number): void {
    let n = 0;
    while (n < this.#indexes.length && this.#indexes[n]! <= index) {
      this.#bytes -= this.#sizes[n]!;
      n++;
    }
    if (n > 0) {
      this.#indexes.splice(0, n);
      this.#sizes.splice(0, n);
    }
  }

  /** Frees the oldest message: lets a stuck window probe again after a heartbeat answer. */
  freeFirstOne(): void {
    if (this.#indexes.length === 0) return;
    this.freeLE(this.#indexes[0]!);
  }

  reset(): void {
    this.#indexes = [];
    this.#sizes = [];
    this.#bytes = 0;
  }
}

export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  /** In probe state: an append was sent and no answer came yet. */
  probeSent = false;
  /** In snapshot state: the snapshot's index. */
  pendingSnapshot = 0;
  /** In snapshot state: the snapshot being streamed in chunks. */
  sendingSnapshot: Snapshot | undefined = undefined;
  /** Heard from since the last CheckQuorum round. */
  recentActive = false;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(next: number, isLearner: boolean, maxInflightMessages: number, maxInflightBytes: number) {
    this.next = next;
    this.isLearner = isLearner;
    this.inflights = new Inflights(maxInflightMessages, maxInflightBytes);
  }

  #reset(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.sendingSnapshot = undefined;
    this.state = state;
    this.inflights.reset();
  }

  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.#reset('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.#reset('probe');
      this.next = this.match + 1;
    }
  }

  becomeReplicate(): void {
    this.#reset('replicate');
    this.next = this.match + 1;
  }

  becomeSnapshot(snapshotIndex: number): void {
    this.#reset('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** Records an acknowledgement up to `index`; returns whether it moved anything forward. */
  maybeUpdate(index: number): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /** Notes an append of entries up to `lastIndex` was sent. */
  sentEntries(lastIndex: number, count: number, bytes: number): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
  }

  /**
   * Handles a rejected append at `rejected` with the follower's hint; returns
   * false when the rejection is stale and must be ignored.
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), 1);
    this.probeSent = false;
    return true;
  }

  /** Whether sending is paused (waiting for a probe answer, a full window, or a snapshot). */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent;
      case 'replicate': return this.inflights.full();
      case 'snapshot': return true;
    }
  }
}
