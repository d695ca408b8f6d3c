/**
 * The timestamp cache: for any key span, the highest timestamp it was read
 * at (and by whom), so a later write below a served read is pushed above it.
 * Memory is bounded: when full, the older half of the entries are folded
 * into the low-water mark, which every key reports at least — a safe
 * overestimate (writes move up further than needed, never less).
 */
import { compareTimestamps, maxOf, nextTimestamp, type Timestamp } from '../hlc/index.ts';
import { compareKeys, keyNext } from '../keys/index.ts';
import { assert } from '../assert.ts';
import { tsCacheEntriesMax } from './limits.ts';

interface Entry {
  readonly start: Uint8Array;
  /** Exclusive. */
  readonly end: Uint8Array;
  readonly timestamp: Timestamp;
  /** The reader; a transaction's own reads do not push its writes. Null: several readers or a non-transactional read. */
  readonly txnId: Uint8Array | null;
}

export interface TsCacheHit {
  readonly timestamp: Timestamp;
  readonly txnId: Uint8Array | null;
}

export class TimestampCache {
  #entries: Entry[] = [];
  #lowWater: Timestamp;
  readonly #entriesMax: number;

  /** `lowWater`: no read may be assumed below it (a new leaseholder starts it at its lease start). */
  constructor(lowWater: Timestamp, options: { entriesMax?: number } = {}) {
    this.#lowWater = lowWater;
    this.#entriesMax = options.entriesMax ?? tsCacheEntriesMax;
    assert(this.#entriesMax >= 2, 'timestamp cache needs room for two entries');
  }

  get lowWater(): Timestamp {
    return this.#lowWater;
  }

  get size(): number {
    return this.#entries.length;
  }

  /** Records a read of [key, endKey) (a point read when endKey is absent or empty) at `ts`. */
  add(key: Uint8Array, endKey: Uint8Array | undefined, ts: Timestamp, txnId: Uint8Array | null): void {
    const end = endKey && endKey.length > 0 ? endKey : keyNext(key);
    if (compareTimestamps(ts, this.#lowWater) <= 0) return;
    this.#entries.push({ start: Buffer.from(key), end: Buffer.from(end), timestamp: ts, txnId: txnId ? Buffer.from(txnId) : null });
    if (this.#entries.length > this.#entriesMax) this.#evict();
  }

  /** The highest read timestamp over [key, endKey) and its reader (null reader: the low-water mark or several). */
  getMax(key: Uint8Array, endKey?: Uint8Array): TsCacheHit {
    const end = endKey && endKey.length > 0 ? endKey : keyNext(key);
    let best: TsCacheHit = { timestamp: this.#lowWater, txnId: null };
    for (const e of this.#entries) {
      if (compareKeys(e.start, end) >= 0 || compareKeys(key, e.end) >= 0) continue;
      const c = compareTimestamps(e.timestamp, best.timestamp);
      if (c > 0) best = { timestamp: e.timestamp, txnId: e.txnId };
      else if (c === 0 && !sameTxn(best.txnId, e.txnId)) best = { timestamp: best.timestamp, txnId: null };
    }
    return best;
  }

  /**
   * The lowest timestamp a write by `txnId` to [key, endKey) may use at or
   * above `ts`: above every read by another reader.
   */
  writeFloor(key: Uint8Array, endKey: Uint8Array | undefined, ts: Timestamp, txnId: Uint8Array | null): Timestamp {
    const hit = this.getMax(key, endKey);
    if (txnId && hit.txnId && sameTxn(hit.txnId, txnId)) return ts;
    return compareTimestamps(hit.timestamp, ts) >= 0 ? nextTimestamp(hit.timestamp) : ts;
  }

  /** Drops the older half into the low-water mark. */
  #evict(): void {
    const sorted = [...this.#entries].sort((a, b) => compareTimestamps(a.timestamp, b.timestamp));
    const cut = Math.floor(sorted.length / 2);
    for (const e of sorted.slice(0, cut)) this.#lowWater = maxOf(this.#lowWater, e.timestamp);
    this.#entries = sorted.slice(cut).filter((e) => compareTimestamps(e.timestamp, this.#lowWater) > 0);
  }
}

function sameTxn(a: Uint8Array | null, b: Uint8Array | null): boolean {
  return a !== null && b !== null && Buffer.compare(a, b) === 0;
}
