/**
 * The flow-control window toward one follower: the append messages sent and
 * not yet acknowledged, as (last index, bytes) pairs in a ring buffer. A
 * leader stops sending when the window is full by count or by bytes, and
 * frees it as acknowledgements arrive (etcd-io/raft tracker/inflights.go).
 */
import { assert } from './assert.ts';

/** The append messages in flight to one follower, bounded by count and bytes. */
export class Inflights {
  /** Last index of each message, in send order, starting at #start. */
  #indexes: number[] = [];
  #sizes: number[] = [];
  #start = 0;
  #count = 0;
  #bytes = 0;

  /**
   * @param capacity most messages in flight
   * @param bytesMax most bytes in flight (0: unlimited); one message may
   *   exceed it so a single large entry still goes out
   */
  constructor(readonly capacity: number, readonly bytesMax: number) {
    assert(Number.isSafeInteger(capacity) && capacity > 0, `inflight capacity ${capacity} must be positive`);
  }

  get count(): number {
    return this.#count;
  }

  get bytes(): number {
    return this.#bytes;
  }

  full(): boolean {
    return this.#count === this.capacity || (this.bytesMax > 0 && this.#bytes >= this.bytesMax);
  }

  /** Records a message carrying entries up to `lastIndex`, `bytes` in size. */
  add(lastIndex: number, bytes: number): void {
    assert(!this.full(), 'cannot add to a full inflight window');
    if (this.#count > 0) {
      const newest = this.#indexes[(this.#start + this.#count - 1) % this.#indexes.length]!;
      assert(lastIndex > newest, `inflight index ${lastIndex} must exceed ${newest}`);
    }
    if (this.#count === this.#indexes.length) this.#grow();
    const at = (this.#start + this.#count) % this.#indexes.length;
    this.#indexes[at] = lastIndex;
    this.#sizes[at] = bytes;
    this.#count++;
    this.#bytes += bytes;
  }

  /** Doubles the buffer (up to capacity), unrolling the ring so #start is 0. */
  #grow(): void {
    const size = Math.min(this.capacity, Math.max(4, this.#indexes.length * 2));
    const indexes = new Array<number>(size);
    const sizes = new Array<number>(size);
    for (let i = 0; i < this.#count; i++) {
      const from = (this.#start + i) % this.#indexes.length;
      indexes[i] = this.#indexes[from]!;
      sizes[i] = this.#sizes[from]!;
    }
    this.#indexes = indexes;
    this.#sizes = sizes;
    this.#start = 0;
  }

  /** Frees every message whose last index is at or below `index` (they were acknowledged). */
  freeLE(index: number): void {
    const length = this.#indexes.length;
    while (this.#count > 0 && this.#indexes[this.#start]! <= index) {
      this.#bytes -= this.#sizes[this.#start]!;
      this.#start = (this.#start + 1) % length;
      this.#count--;
    }
    if (this.#count === 0) this.#start = 0;
  }

  /** Frees the oldest message: lets a window stuck on lost messages send a probe. */
  freeFirstOne(): void {
    if (this.#count === 0) return;
    this.freeLE(this.#indexes[this.#start]!);
  }

  reset(): void {
    this.#start = 0;
    this.#count = 0;
    this.#bytes = 0;
  }
}
