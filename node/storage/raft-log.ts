/**
 * Raft log storage for the ranges of a store. Entries are opaque here
 * ({index, term, data}): the consensus library lives elsewhere and node/kv
 * adapts between them. Writes go into a Batch so a replica's log append,
 * hard state and applied state commit in the same (group-committed) write.
 *
 * Reads are synchronous, because the Raft library reads its log
 * synchronously: entries, terms and states are LevelDB getSync lookups, and
 * each range's first/last index and last term are cached in memory. The cache
 * moves only when the batch that changes the log commits (Batch.onCommit), so
 * it never runs ahead of the store; a range's log writes must therefore
 * commit in the order they were made (the scheduler's one batch per cycle
 * does). Recent entries themselves are not cached here: node/kv keeps the
 * entries it just appended, and LevelDB's memtable and block cache serve the rest.
 *
 * Records (all checksummed; v1 had no checksums):
 *   entry:           crc32(4) ‖ term(8) ‖ data
 *   hard state:      crc32(4) ‖ term(8) ‖ vote(8) ‖ commit(8)
 *   truncated state: crc32(4) ‖ index(8) ‖ term(8)
 *   applied state:   crc32(4) ‖ index(8) ‖ opaque caller bytes
 * where crc32 covers everything after it.
 */
import { crc32 } from 'node:zlib';
import { assert } from '../assert.ts';
import {
  decodeRaftLogKey, prefixEnd, raftAppliedStateKey, raftHardStateKey, raftLogKey, raftLogPrefix, raftTruncatedStateKey,
} from '../keys/index.ts';
import type { Batch, Engine, Reader } from './engine.ts';
import { CorruptionError, InvalidArgumentError } from './errors.ts';
import { raftEntryBytesMax } from './limits.ts';

export interface LogEntry {
  readonly index: number;
  readonly term: number;
  readonly data: Uint8Array;
}

export interface StoredHardState {
  readonly term: number;
  readonly vote: number;
  readonly commit: number;
}

export interface TruncatedState {
  /** Entries at or below this index are gone. */
  readonly index: number;
  readonly term: number;
}

export interface AppliedState {
  readonly appliedIndex: number;
  /** Caller bytes stored atomically with the applied index (lease, stats, …). */
  readonly data: Uint8Array;
}

const crcBytes = 4;

function writeU64(buf: Buffer, value: number, offset: number): void {
  assert(Number.isSafeInteger(value) && value >= 0, `${value} is not a non-negative safe integer`);
  buf.writeUInt32BE(Math.floor(value / 2 ** 32), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

function readU64(buf: Buffer, offset: number, what: string): number {
  if (offset + 8 > buf.length) throw new CorruptionError(`${what} is truncated`);
  const value = buf.readUInt32BE(offset) * 2 ** 32 + buf.readUInt32BE(offset + 4);
  if (!Number.isSafeInteger(value)) throw new CorruptionError(`${what} overflows`);
  return value;
}

/** A record of `bodyBytes` after its checksum; fill the body, then seal(). */
function allocRecord(bodyBytes: number): Buffer {
  return Buffer.allocUnsafe(crcBytes + bodyBytes);
}

function seal(record: Buffer): Buffer {
  record.writeUInt32BE(crc32(record.subarray(crcBytes)), 0);
  return record;
}

/** Verifies a record's checksum and returns its body. */
function unseal(raw: Buffer, what: string): Buffer {
  if (raw.length < crcBytes) throw new CorruptionError(`${what} is truncated`);
  const body = raw.subarray(crcBytes);
  if (crc32(body) !== raw.readUInt32BE(0)) throw new CorruptionError(`${what} checksum mismatch`);
  return body;
}

function encodeEntry(entry: LogEntry): Buffer {
  if (entry.data.length > raftEntryBytesMax) {
    throw new InvalidArgumentError(`Raft entry of ${entry.data.length} bytes exceeds the limit of ${raftEntryBytesMax}`);
  }
  if (!Number.isSafeInteger(entry.term) || entry.term < 0) throw new InvalidArgumentError(`Raft entry term ${entry.term} is invalid`);
  const out = allocRecord(8 + entry.data.length);
  writeU64(out, entry.term, crcBytes);
  out.set(entry.data, crcBytes + 8);
  return seal(out);
}

function decodeEntry(rangeId: number, index: number, raw: Buffer): LogEntry {
  const what = `Raft entry ${index} of range ${rangeId}`;
  const body = unseal(raw, what);
  return { index, term: readU64(body, 0, what), data: body.subarray(8) };
}

function encodeTruncated(state: TruncatedState): Buffer {
  const raw = allocRecord(16);
  writeU64(raw, state.index, crcBytes);
  writeU64(raw, state.term, crcBytes + 8);
  return seal(raw);
}

/** What the store holds of a range's log, as of the last commit. */
interface LogState {
  truncated: TruncatedState;
  lastIndex: number;
  lastTerm: number;
}

/** Log access for the ranges of one store. */
export class RaftLogStore {
  /** Per range: the committed view (loaded on first use). */
  readonly #states = new Map<number, LogState>();
  /**
   * Per range: the highest index written by any batch, committed or not, so
   * an append that overwrites a suffix deletes everything that may exist.
   */
  readonly #written = new Map<number, number>();

  constructor(private readonly engine: Engine) {}

  #state(rangeId: number): LogState {
    let state = this.#states.get(rangeId);
    if (!state) {
      const truncated = this.#readTruncated(rangeId);
      const lastIndex = this.#findLastIndex(rangeId, truncated.index);
      const lastTerm = lastIndex === truncated.index ? truncated.term : this.#readEntry(rangeId, lastIndex).term;
      state = { truncated, lastIndex, lastTerm };
      this.#states.set(rangeId, state);
    }
    return state;
  }

  /**
   * The last index, found without an iterator: entries are contiguous from
   * the truncated index on, so an exponential then binary search over point
   * lookups finds the end in about 2·log2(length) reads, once per range.
   */
  #findLastIndex(rangeId: number, truncatedIndex: number): number {
    const exists = (index: number) => this.engine.getSync(raftLogKey(rangeId, index)) !== undefined;
    let present = truncatedIndex;
    let step = 1;
    while (exists(present + step)) {
      present += step;
      step *= 2;
    }
    let missing = present + step;
    while (missing - present > 1) {
      const mid = present + Math.floor((missing - present) / 2);
      if (exists(mid)) present = mid;
      else missing = mid;
    }
    return present;
  }

  /**
   * Applies `change` to the cached view once `batch` commits. The view is
   * looked up then, not now: an earlier write in the same batch (a reset)
   * may have replaced it. A range not loaded by then is read fresh when next used.
   */
  #onCommit(batch: Batch, rangeId: number, change: (state: LogState) => void): void {
    batch.onCommit(() => {
      const state = this.#states.get(rangeId);
      if (state) change(state);
    });
  }

  #readEntry(rangeId: number, index: number): LogEntry {
    const raw = this.engine.getSync(raftLogKey(rangeId, index));
    if (!raw) throw new CorruptionError(`Raft log of range ${rangeId} is missing entry ${index}`);
    return decodeEntry(rangeId, index, raw);
  }

  #readTruncated(rangeId: number): TruncatedState {
    const raw = this.engine.getSync(raftTruncatedStateKey(rangeId));
    if (!raw) return { index: 0, term: 0 };
    const body = unseal(raw, 'truncated state');
    if (body.length !== 16) throw new CorruptionError('truncated state has the wrong size');
    return { index: readU64(body, 0, 'truncated state'), term: readU64(body, 8, 'truncated state') };
  }

  /**
   * Appends entries (consecutive indexes, starting at most one past the last
   * index) and deletes any stored entries after the last one: an append that
   * overwrites a conflicting suffix leaves no stale tail behind.
   * `lastIndexHint` (the caller's view of the last index, which may include
   * appends not yet committed) widens the deletion if it is higher.
   */
  appendEntries(batch: Batch, rangeId: number, entries: readonly LogEntry[], lastIndexHint = 0): void {
    if (entries.length === 0) return;
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]!.index !== entries[i - 1]!.index + 1) throw new InvalidArgumentError('appended entries are not consecutive');
    }
    const state = this.#state(rangeId);
    const written = Math.max(this.#written.get(rangeId) ?? 0, state.lastIndex, lastIndexHint);
    const first = entries[0]!.index;
    if (first <= state.truncated.index) {
      throw new InvalidArgumentError(`append at ${first} overwrites the truncated prefix ending at ${state.truncated.index}`);
    }
    if (first > written + 1) throw new InvalidArgumentError(`append at ${first} leaves a gap after ${written}`);
    const encoded = entries.map(encodeEntry);
    for (let i = 0; i < entries.length; i++) batch.put(raftLogKey(rangeId, entries[i]!.index), encoded[i]!);
    const last = entries[entries.length - 1]!;
    for (let index = last.index + 1; index <= written; index++) batch.del(raftLogKey(rangeId, index));
    this.#written.set(rangeId, last.index);
    this.#onCommit(batch, rangeId, (committed) => {
      committed.lastIndex = last.index;
      committed.lastTerm = last.term;
    });
  }

  /**
   * Drops entries up to and including `upToIndex` (which must be stored),
   * recording its index and term as the truncated state.
   */
  truncateLogPrefix(batch: Batch, rangeId: number, upToIndex: number): void {
    const state = this.#state(rangeId);
    if (upToIndex <= state.truncated.index) return;
    if (upToIndex > state.lastIndex) throw new InvalidArgumentError(`truncation at ${upToIndex} beyond the last index ${state.lastIndex}`);
    this.truncatePrefix(batch, rangeId, { index: upToIndex, term: this.#readEntry(rangeId, upToIndex).term }, state.truncated.index + 1);
  }

  /**
   * Drops entries in [firstIndex, state.index], recording `state` as the
   * truncated state (the caller knows the term; truncateLogPrefix looks it up).
   */
  truncatePrefix(batch: Batch, rangeId: number, truncated: TruncatedState, firstIndex: number): void {
    for (let index = firstIndex; index <= truncated.index; index++) batch.del(raftLogKey(rangeId, index));
    batch.put(raftTruncatedStateKey(rangeId), encodeTruncated(truncated));
    this.#onCommit(batch, rangeId, (committed) => {
      committed.truncated = truncated;
      if (committed.lastIndex < truncated.index) {
        committed.lastIndex = truncated.index;
        committed.lastTerm = truncated.term;
      }
    });
  }

  /** Replaces the whole log with an empty one starting after `truncated` (a snapshot was installed). */
  async resetLog(batch: Batch, rangeId: number, truncated: TruncatedState): Promise<void> {
    const prefix = raftLogPrefix(rangeId);
    for await (const [key] of batch.iterate({ gte: prefix, lt: prefixEnd(prefix) })) batch.del(key);
    batch.put(raftTruncatedStateKey(rangeId), encodeTruncated(truncated));
    this.#written.set(rangeId, truncated.index);
    batch.onCommit(() => {
      this.#states.set(rangeId, { truncated, lastIndex: truncated.index, lastTerm: truncated.term });
    });
  }

  truncatedState(rangeId: number): TruncatedState {
    return this.#state(rangeId).truncated;
  }

  /** The entry at `index`, or undefined when it is not stored. */
  entry(rangeId: number, index: number): LogEntry | undefined {
    const raw = this.engine.getSync(raftLogKey(rangeId, index));
    return raw ? decodeEntry(rangeId, index, raw) : undefined;
  }

  /**
   * Entries in [lo, hi), stopping before the data would exceed `maxBytes`
   * (always at least one). The range must lie within [firstIndex, lastIndex].
   */
  entries(rangeId: number, lo: number, hi: number, maxBytes = Infinity): LogEntry[] {
    const state = this.#state(rangeId);
    if (lo <= state.truncated.index || hi > state.lastIndex + 1) {
      throw new InvalidArgumentError(`entries [${lo}, ${hi}) outside the log (${state.truncated.index}, ${state.lastIndex}] of range ${rangeId}`);
    }
    const out: LogEntry[] = [];
    let bytes = 0;
    for (let index = lo; index < hi; index++) {
      const entry = this.#readEntry(rangeId, index);
      bytes += entry.data.length;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  /** The term of the entry at `index` (the truncated state's term at its index); undefined outside the log. */
  term(rangeId: number, index: number): number | undefined {
    const state = this.#state(rangeId);
    if (index === state.truncated.index) return state.truncated.term;
    if (index === state.lastIndex) return state.lastTerm;
    if (index < state.truncated.index || index > state.lastIndex) return undefined;
    return this.#readEntry(rangeId, index).term;
  }

  /** The highest stored index (the truncated index when the log is empty). */
  lastIndex(rangeId: number): number {
    return this.#state(rangeId).lastIndex;
  }

  /** The term of the last index. */
  lastTerm(rangeId: number): number {
    return this.#state(rangeId).lastTerm;
  }

  /** The first stored index (one past the truncated index). */
  firstIndex(rangeId: number): number {
    return this.#state(rangeId).truncated.index + 1;
  }

  setHardState(batch: Batch, rangeId: number, state: StoredHardState): void {
    const raw = allocRecord(24);
    writeU64(raw, state.term, crcBytes);
    writeU64(raw, state.vote, crcBytes + 8);
    writeU64(raw, state.commit, crcBytes + 16);
    batch.put(raftHardStateKey(rangeId), seal(raw));
  }

  hardState(rangeId: number): StoredHardState {
    const raw = this.engine.getSync(raftHardStateKey(rangeId));
    if (!raw) return { term: 0, vote: 0, commit: 0 };
    const body = unseal(raw, 'hard state');
    if (body.length !== 24) throw new CorruptionError('hard state has the wrong size');
    return { term: readU64(body, 0, 'hard state'), vote: readU64(body, 8, 'hard state'), commit: readU64(body, 16, 'hard state') };
  }

  setAppliedState(batch: Batch, rangeId: number, state: AppliedState): void {
    const raw = allocRecord(8 + state.data.length);
    writeU64(raw, state.appliedIndex, crcBytes);
    raw.set(state.data, crcBytes + 8);
    batch.put(raftAppliedStateKey(rangeId), seal(raw));
  }

  appliedState(rangeId: number): AppliedState {
    const raw = this.engine.getSync(raftAppliedStateKey(rangeId));
    if (!raw) return { appliedIndex: 0, data: new Uint8Array(0) };
    const body = unseal(raw, 'applied state');
    return { appliedIndex: readU64(body, 0, 'applied state'), data: body.subarray(8) };
  }

  /** Removes everything stored for a range's log (the replica is being destroyed). */
  async destroy(batch: Batch, rangeId: number, reader: Reader = batch): Promise<void> {
    const prefix = raftLogPrefix(rangeId);
    for await (const [key] of reader.iterate({ gte: prefix, lt: prefixEnd(prefix) })) {
      assert(decodeRaftLogKey(key).rangeId === rangeId, 'log prefix holds another range');
      batch.del(key);
    }
    batch.del(raftHardStateKey(rangeId));
    batch.del(raftTruncatedStateKey(rangeId));
    batch.del(raftAppliedStateKey(rangeId));
    this.#written.delete(rangeId);
    batch.onCommit(() => this.#states.delete(rangeId));
  }
}
