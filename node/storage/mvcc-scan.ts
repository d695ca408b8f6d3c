/**
 * MVCC scans. A forward scan streams raw records and decides each user key
 * from its first record (the key slot) whenever it can, skipping the key's
 * older versions with one prefix comparison each instead of decoding them;
 * this is the hot path of SQL reads. A reverse scan meets a key's records
 * oldest first, so it groups them per key first (mvcc-read.ts).
 *
 * Both stop at a key boundary when maxKeys or maxBytes is reached and return
 * a resume span; both collect every conflicting intent in what they read and
 * report them together rather than stopping at the first.
 */
import { compareTimestamps, type Timestamp } from '../hlc/index.ts';
import { keyNext } from '../keys/index.ts';
import type { Reader } from './engine.ts';
import { CorruptionError, ReadWithinUncertaintyIntervalError, WriteIntentError, type IntentConflict } from './errors.ts';
import { escapedPrefixBytes, rawSpan, readInvertedTimestamp, userKeyOf } from './mvcc-key.ts';
import { intentVisibility, keyGroupChunks, visibleValue, type ReadOptions } from './mvcc-read.ts';
import {
  decodeAnyVersionValue, decodeIntent, isLatestRecord, latestPayload, latestTimestamp, recordTag, verifySealed,
  type IntentRecord,
} from './mvcc-value.ts';

export interface MvccSpan {
  readonly key: Uint8Array;
  readonly endKey: Uint8Array;
}

export interface ScanOptions extends ReadOptions {
  /** Stop after this many rows (0 or absent: no limit). */
  readonly maxKeys?: number;
  /** Stop once the rows' keys and values reach this many bytes (0 or absent: no limit). */
  readonly maxBytes?: number;
  readonly reverse?: boolean;
}

export interface ScanRow {
  readonly key: Buffer;
  /** Empty for a tombstone (returned only with `tombstones`). */
  readonly value: Buffer;
  readonly timestamp: Timestamp;
  /** Set (true) only on tombstone rows, which only `tombstones` scans return. */
  readonly tombstone?: true;
}

export interface ScanResult {
  readonly rows: ScanRow[];
  /** The rest of the span when a limit stopped the scan. */
  readonly resumeSpan: MvccSpan | null;
}

const emptyValue = Buffer.alloc(0);

/** Reads the visible values of every key in [span.key, span.endKey) at `ts`. */
export function scanSpan(reader: Reader, span: MvccSpan, ts: Timestamp, options: ScanOptions): Promise<ScanResult> {
  return options.reverse ? scanReverse(reader, span, ts, options) : new ForwardScanner(ts, options).run(reader, span);
}

class ForwardScanner {
  readonly rows: ScanRow[] = [];
  readonly conflicts: IntentConflict[] = [];
  readonly #maxKeys: number;
  readonly #maxBytes: number;
  #bytes = 0;
  /** The current key's first raw record: its first #prefixBytes bytes are the escaped key. */
  #prefix: Buffer | null = null;
  #prefixBytes = 0;
  #key: Buffer = emptyValue;
  /**
   * True while looking for the newest version at or below the read
   * timestamp; false once the key is decided and its remaining records are skipped.
   */
  #searching = false;

  constructor(
    readonly ts: Timestamp,
    readonly options: ScanOptions,
  ) {
    this.#maxKeys = options.maxKeys ?? 0;
    this.#maxBytes = options.maxBytes ?? 0;
  }

  async run(reader: Reader, span: MvccSpan): Promise<ScanResult> {
    const { gte, lt } = rawSpan(span.key, span.endKey);
    const firstChunkEntries = this.#maxKeys > 0 ? this.#maxKeys + 1 : 0;
    for await (const entries of reader.iterateChunks({ gte, lt, firstChunkEntries })) {
      for (const [rawKey, rawValue] of entries) {
        if (this.#sameKey(rawKey)) {
          if (this.#searching) this.#version(rawKey, rawValue, this.#prefixBytes);
          // A skipped version is not decoded, but a malformed key is still caught.
          else if (rawKey.length !== this.#prefixBytes + 12) this.#version(rawKey, rawValue, this.#prefixBytes);
          continue;
        }
        const prefixBytes = escapedPrefixBytes(rawKey);
        if (prefixBytes <= 2) throw new CorruptionError('malformed MVCC key: bad escape, no sentinel or empty key');
        const key = userKeyOf(rawKey, prefixBytes);
        if (this.#limitReached()) {
          if (this.conflicts.length > 0) throw new WriteIntentError(this.conflicts);
          return { rows: this.rows, resumeSpan: { key: Buffer.from(key), endKey: Buffer.from(span.endKey) } };
        }
        this.#prefix = rawKey;
        this.#prefixBytes = prefixBytes;
        this.#key = key;
        this.#firstRecord(rawKey, rawValue, prefixBytes);
      }
    }
    if (this.conflicts.length > 0) throw new WriteIntentError(this.conflicts);
    return { rows: this.rows, resumeSpan: null };
  }

  #limitReached(): boolean {
    return (this.#maxKeys > 0 && this.rows.length >= this.#maxKeys) || (this.#maxBytes > 0 && this.#bytes >= this.#maxBytes);
  }

  #sameKey(rawKey: Buffer): boolean {
    const prefix = this.#prefix;
    const n = this.#prefixBytes;
    if (prefix === null || rawKey.length < n) return false;
    // The escaped prefix ends with the sentinel 0x00 0x01, which cannot occur
    // earlier in an escaped key: equal first n bytes mean the same user key.
    // Compared from the end: neighbouring keys mostly differ in their last
    // bytes, and a short JavaScript loop beats a native call here.
    for (let i = n - 3; i >= 0; i--) if (rawKey[i] !== prefix[i]) return false;
    return rawKey[n - 2] === 0x00 && rawKey[n - 1] === 0x01;
  }

  /** The first record met of a key: normally its slot (intent or latest version). */
  #firstRecord(rawKey: Buffer, rawValue: Buffer, prefixBytes: number): void {
    const suffixBytes = rawKey.length - prefixBytes;
    if (suffixBytes !== 0) {
      // Versions without a slot record (not written by this layout, but readable).
      this.#searching = true;
      this.#version(rawKey, rawValue, prefixBytes);
      return;
    }
    if (!isLatestRecord(rawValue)) {
      this.#intent(decodeIntent(rawValue));
      return;
    }
    const buf = verifySealed(rawValue, 'latest version');
    const timestamp = latestTimestamp(buf);
    if (compareTimestamps(timestamp, this.ts) <= 0) {
      this.#emit(latestPayload(buf, recordTag(rawValue)), timestamp);
      this.#searching = false;
      return;
    }
    this.#checkUncertainty(timestamp);
    this.#searching = true;
  }

  #intent(record: IntentRecord): void {
    const seen = intentVisibility(this.#key, record, this.ts, this.options);
    this.#searching = seen === null;
    if (seen?.kind === 'conflict') this.conflicts.push(seen.conflict);
    else if (seen?.kind === 'value') this.#emit(seen.value, seen.timestamp);
  }

  /** An older version while looking for the one visible at the read timestamp. */
  #version(rawKey: Buffer, rawValue: Buffer, prefixBytes: number): void {
    if (rawKey.length !== prefixBytes + 12) throw new CorruptionError(`MVCC key has a ${rawKey.length - prefixBytes}-byte suffix, want 12`);
    const timestamp = readInvertedTimestamp(rawKey, prefixBytes);
    if (compareTimestamps(timestamp, this.ts) > 0) {
      this.#checkUncertainty(timestamp);
      return;
    }
    this.#emit(decodeAnyVersionValue(rawValue), timestamp);
    this.#searching = false;
  }

  #checkUncertainty(timestamp: Timestamp): void {
    const limit = this.options.uncertaintyLimit;
    if (limit && compareTimestamps(timestamp, limit) <= 0) {
      throw new ReadWithinUncertaintyIntervalError(Buffer.from(this.#key), this.ts, timestamp);
    }
  }

  #emit(value: Buffer | null, timestamp: Timestamp): void {
    if (value === null && !this.options.tombstones) return;
    const row: ScanRow = value === null ? { key: this.#key, value: emptyValue, timestamp, tombstone: true } : { key: this.#key, value, timestamp };
    this.rows.push(row);
    this.#bytes += row.key.length + row.value.length;
  }
}

async function scanReverse(reader: Reader, span: MvccSpan, ts: Timestamp, options: ScanOptions): Promise<ScanResult> {
  const { gte, lt } = rawSpan(span.key, span.endKey);
  const rows: ScanRow[] = [];
  const conflicts: IntentConflict[] = [];
  const maxKeys = options.maxKeys ?? 0;
  const maxBytes = options.maxBytes ?? 0;
  let bytes = 0;
  for await (const groups of keyGroupChunks(reader, gte, lt, true)) {
    for (const group of groups) {
      if ((maxKeys > 0 && rows.length >= maxKeys) || (maxBytes > 0 && bytes >= maxBytes)) {
        if (conflicts.length > 0) throw new WriteIntentError(conflicts);
        return { rows, resumeSpan: { key: Buffer.from(span.key), endKey: keyNext(group.key) } };
      }
      const seen = visibleValue(group, ts, options);
      if (seen.kind === 'conflict') conflicts.push(seen.conflict);
      else if (seen.kind === 'value' && (seen.value || options.tombstones)) {
        const value = seen.value ?? emptyValue;
        rows.push(seen.value === null ? { key: group.key, value, timestamp: seen.timestamp, tombstone: true } : { key: group.key, value, timestamp: seen.timestamp });
        bytes += group.key.length + value.length;
      }
    }
  }
  if (conflicts.length > 0) throw new WriteIntentError(conflicts);
  return { rows, resumeSpan: null };
}
