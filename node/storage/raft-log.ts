/**
 * Raft log storage for the ranges of a store. Entries are opaque here
 * ({index, term, data}): the consensus library lives elsewhere and node/kv
 * adapts between them. Writes go into a Batch so a replica's log append,
 * hard state and applied state commit in the same (group-committed) write.
 *
 * The Raft library reads its log synchronously, so reads here use LevelDB's
 * synchronous point lookups; node/kv keeps recent entries in memory on top.
 *
 *   entry value:     term(8) ‖ data
 *   hard state:      term(8) ‖ vote(8) ‖ commit(8)
 *   truncated state: index(8) ‖ term(8)
 *   applied state:   index(8) ‖ opaque caller bytes
 */
import {
  decodeRaftLogKey, raftAppliedStateKey, raftHardStateKey, raftLogKey, raftLogPrefix, raftTruncatedStateKey,
  prefixEnd,
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

function writeU64(buf: Buffer, value: number, offset: number): void {
  buf.writeUInt32BE(Math.floor(value / 2 ** 32), offset);
  buf.writeUInt32BE(value >>> 0, offset + 4);
}

function readU64(buf: Uint8Array, offset: number, what: string): number {
  if (offset + 8 > buf.length) throw new CorruptionError(`${what} is truncated`);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const value = b.readUInt32BE(offset) * 2 ** 32 + b.readUInt32BE(offset + 4);
  if (!Number.isSafeInteger(value)) throw new CorruptionError(`${what} overflows`);
  return value;
}

function encodeEntry(entry: LogEntry): Buffer {
  if (entry.data.length > raftEntryBytesMax) {
    throw new InvalidArgumentError(`Raft entry of ${entry.data.length} bytes exceeds the limit of ${raftEntryBytesMax}`);
  }
  const out = Buffer.allocUnsafe(8 + entry.data.length);
  writeU64(out, entry.term, 0);
  out.set(entry.data, 8);
  return out;
}

function decodeEntry(index: number, raw: Buffer): LogEntry {
  return { index, term: readU64(raw, 0, 'Raft entry'), data: raw.subarray(8) };
}

/** Log access for the ranges of one store. */
export class RaftLogStore {
  constructor(private readonly engine: Engine) {}

  /**
   * Appends entries (consecutive indexes) and deletes any stored entries after
   * the last one: an append that overwrites a conflicting suffix leaves no
   * stale tail behind. `lastIndex` is the range's last index before the append.
   */
  appendEntries(batch: Batch, rangeId: number, entries: readonly LogEntry[], lastIndex: number): void {
    if (entries.length === 0) return;
    for (let i = 1; i < entries.length; i++) {
      if (entries[i]!.index !== entries[i - 1]!.index + 1) throw new InvalidArgumentError('appended entries are not consecutive');
    }
    for (const entry of entries) batch.put(raftLogKey(rangeId, entry.index), encodeEntry(entry));
    const newLast = entries[entries.length - 1]!.index;
    for (let index = newLast + 1; index <= lastIndex; index++) batch.del(raftLogKey(rangeId, index));
  }

  /** Drops entries up to and including `index`, recording its term. */
  truncatePrefix(batch: Batch, rangeId: number, state: TruncatedState, firstIndex: number): void {
    for (let index = firstIndex; index <= state.index; index++) batch.del(raftLogKey(rangeId, index));
    const raw = Buffer.allocUnsafe(16);
    writeU64(raw, state.index, 0);
    writeU64(raw, state.term, 8);
    batch.put(raftTruncatedStateKey(rangeId), raw);
  }

  /** Replaces the whole log with an empty one starting after `state` (a snapshot was installed). */
  async resetLog(batch: Batch, rangeId: number, state: TruncatedState): Promise<void> {
    const prefix = raftLogPrefix(rangeId);
    for await (const [key] of batch.iterate({ gte: prefix, lt: prefixEnd(prefix) })) batch.del(key);
    const raw = Buffer.allocUnsafe(16);
    writeU64(raw, state.index, 0);
    writeU64(raw, state.term, 8);
    batch.put(raftTruncatedStateKey(rangeId), raw);
  }

  truncatedState(rangeId: number): TruncatedState {
    const raw = this.engine.getSync(raftTruncatedStateKey(rangeId));
    if (!raw) return { index: 0, term: 0 };
    return { index: readU64(raw, 0, 'truncated state'), term: readU64(raw, 8, 'truncated state') };
  }

  /** The entry at `index`, or undefined when it is not stored. */
  entry(rangeId: number, index: number): LogEntry | undefined {
    const raw = this.engine.getSync(raftLogKey(rangeId, index));
    return raw ? decodeEntry(index, raw) : undefined;
  }

  /** Entries in [lo, hi), stopping after `maxBytes` of data (always at least one). */
  entries(rangeId: number, lo: number, hi: number, maxBytes = Infinity): LogEntry[] {
    const out: LogEntry[] = [];
    let bytes = 0;
    for (let index = lo; index < hi; index++) {
      const entry = this.entry(rangeId, index);
      if (!entry) throw new CorruptionError(`Raft log of range ${rangeId} is missing entry ${index}`);
      bytes += entry.data.length;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  /** The term of the entry at `index` (the truncated state's term at its index). */
  term(rangeId: number, index: number): number | undefined {
    const truncated = this.truncatedState(rangeId);
    if (index === truncated.index) return truncated.term;
    return this.entry(rangeId, index)?.term;
  }

  /** The highest stored index (the truncated index when the log is empty). */
  async lastIndex(rangeId: number): Promise<number> {
    const prefix = raftLogPrefix(rangeId);
    for await (const [key] of this.engine.iterate({ gte: prefix, lt: prefixEnd(prefix), reverse: true, limit: 1 })) {
      return decodeRaftLogKey(key).index;
    }
    return this.truncatedState(rangeId).index;
  }

  /** The first stored index (one past the truncated index). */
  firstIndex(rangeId: number): number {
    return this.truncatedState(rangeId).index + 1;
  }

  setHardState(batch: Batch, rangeId: number, state: StoredHardState): void {
    const raw = Buffer.allocUnsafe(24);
    writeU64(raw, state.term, 0);
    writeU64(raw, state.vote, 8);
    writeU64(raw, state.commit, 16);
    batch.put(raftHardStateKey(rangeId), raw);
  }

  hardState(rangeId: number): StoredHardState {
    const raw = this.engine.getSync(raftHardStateKey(rangeId));
    if (!raw) return { term: 0, vote: 0, commit: 0 };
    if (raw.length !== 24) throw new CorruptionError('hard state has the wrong size');
    return { term: readU64(raw, 0, 'hard state'), vote: readU64(raw, 8, 'hard state'), commit: readU64(raw, 16, 'hard state') };
  }

  setAppliedState(batch: Batch, rangeId: number, state: AppliedState): void {
    const raw = Buffer.allocUnsafe(8 + state.data.length);
    writeU64(raw, state.appliedIndex, 0);
    raw.set(state.data, 8);
    batch.put(raftAppliedStateKey(rangeId), raw);
  }

  appliedState(rangeId: number): AppliedState {
    const raw = this.engine.getSync(raftAppliedStateKey(rangeId));
    if (!raw) return { appliedIndex: 0, data: new Uint8Array(0) };
    return { appliedIndex: readU64(raw, 0, 'applied state'), data: raw.subarray(8) };
  }

  /** Removes everything stored for a range's log (the replica is being destroyed). */
  async destroy(batch: Batch, rangeId: number, reader: Reader = this.engine): Promise<void> {
    const prefix = raftLogPrefix(rangeId);
    for await (const [key] of reader.iterate({ gte: prefix, lt: prefixEnd(prefix) })) batch.del(key);
    batch.del(raftHardStateKey(rangeId));
    batch.del(raftTruncatedStateKey(rangeId));
    batch.del(raftAppliedStateKey(rangeId));
  }
}
