/**
 * A replica's Raft log as the consensus library reads it (RaftStorage, read
 * synchronously), kept in the store's LevelDB through node/storage's
 * RaftLogStore, with a bounded cache of recent entries so the leader's reads
 * for replication rarely reach LevelDB. Writes go into the scheduler's batch,
 * so every replica's log appends on a store commit in one synced write.
 */
import {
  CompactedError, UnavailableError, type ConfState, type Entry, type HardState, type RaftStorage, type Snapshot,
} from '../../consensus/index.ts';
import { assert } from '../assert.ts';
import type { Batch, LogEntry, RaftLogStore } from '../storage/index.ts';
import { raftEntryCacheEntriesMax } from './limits.ts';

const typeNormal = 0;
const typeConfChange = 1;

/** Raft entries are stored with their type in the first byte of the payload. */
function toLogEntry(e: Entry): LogEntry {
  const data = new Uint8Array(e.data.length + 1);
  data[0] = e.type === 'confChange' ? typeConfChange : typeNormal;
  data.set(e.data, 1);
  return { index: e.index, term: e.term, data };
}

function fromLogEntry(e: LogEntry): Entry {
  const type = e.data[0] === typeConfChange ? 'confChange' : 'normal';
  return { index: e.index, term: e.term, type, data: e.data.subarray(1) };
}

export interface ReplicaRaftState {
  readonly hardState: HardState;
  readonly confState: ConfState;
  readonly truncatedIndex: number;
  readonly truncatedTerm: number;
  readonly lastIndex: number;
}

/** Produces a snapshot of the replica's state machine at its applied index. */
export type SnapshotSource = () => Snapshot;

export class ReplicaRaftStorage implements RaftStorage {
  #hardState: HardState;
  #confState: ConfState;
  #truncatedIndex: number;
  #truncatedTerm: number;
  #lastIndex: number;
  readonly #cache = new Map<number, Entry>();

  constructor(
    private readonly log: RaftLogStore,
    readonly rangeId: number,
    state: ReplicaRaftState,
    private readonly snapshotSource: SnapshotSource,
  ) {
    this.#hardState = state.hardState;
    this.#confState = state.confState;
    this.#truncatedIndex = state.truncatedIndex;
    this.#truncatedTerm = state.truncatedTerm;
    this.#lastIndex = state.lastIndex;
  }

  /** Loads a replica's persisted Raft state; `confState` is the configuration as of its applied index. */
  static async load(log: RaftLogStore, rangeId: number, confState: ConfState, snapshotSource: SnapshotSource): Promise<ReplicaRaftStorage> {
    const truncated = log.truncatedState(rangeId);
    const lastIndex = await log.lastIndex(rangeId);
    return new ReplicaRaftStorage(log, rangeId, {
      hardState: log.hardState(rangeId), confState, truncatedIndex: truncated.index, truncatedTerm: truncated.term, lastIndex,
    }, snapshotSource);
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.#hardState, confState: this.#confState };
  }

  firstIndex(): number {
    return this.#truncatedIndex + 1;
  }

  lastIndex(): number {
    return this.#lastIndex;
  }

  term(index: number): number {
    if (index === this.#truncatedIndex) return this.#truncatedTerm;
    if (index < this.#truncatedIndex) throw new CompactedError(index, this.firstIndex());
    if (index > this.#lastIndex) throw new UnavailableError(index, this.#lastIndex);
    const cached = this.#cache.get(index);
    if (cached) return cached.term;
    const term = this.log.term(this.rangeId, index);
    assert(term !== undefined, `range ${this.rangeId} is missing log entry ${index}`);
    return term;
  }

  entries(lo: number, hi: number, maxBytes: number): Entry[] {
    if (lo <= this.#truncatedIndex) throw new CompactedError(lo, this.firstIndex());
    if (hi > this.#lastIndex + 1) throw new UnavailableError(hi - 1, this.#lastIndex);
    const out: Entry[] = [];
    let bytes = 0;
    for (let index = lo; index < hi; index++) {
      let entry = this.#cache.get(index);
      if (!entry) {
        const stored = this.log.entry(this.rangeId, index);
        assert(stored !== undefined, `range ${this.rangeId} is missing log entry ${index}`);
        entry = fromLogEntry(stored);
      }
      bytes += entry.data.length;
      if (out.length > 0 && bytes > maxBytes) break;
      out.push(entry);
    }
    return out;
  }

  snapshot(): Snapshot {
    return this.snapshotSource();
  }

  get confState(): ConfState {
    return this.#confState;
  }

  /** Records the configuration as of the applied index (persisted by the caller with its applied state). */
  setConfState(confState: ConfState): void {
    this.#confState = confState;
  }

  // Writer side: each call adds to the scheduler's batch; the in-memory view
  // moves at once because Raft only reads storage after the batch commits.

  append(batch: Batch, entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    this.log.appendEntries(batch, this.rangeId, entries.map(toLogEntry), this.#lastIndex);
    const first = entries[0]!.index;
    for (let i = first; i <= this.#lastIndex; i++) this.#cache.delete(i);
    for (const e of entries) this.#cache.set(e.index, e);
    this.#lastIndex = entries[entries.length - 1]!.index;
    this.#trimCache();
  }

  setHardState(batch: Batch, hardState: HardState): void {
    this.log.setHardState(batch, this.rangeId, hardState);
    this.#hardState = hardState;
  }

  /** Replaces the log with the snapshot's position (the state itself is ingested by the caller). */
  async applySnapshot(batch: Batch, snapshot: Snapshot): Promise<void> {
    const { index, term, confState } = snapshot.metadata;
    await this.log.resetLog(batch, this.rangeId, { index, term });
    this.#cache.clear();
    this.#truncatedIndex = index;
    this.#truncatedTerm = term;
    this.#lastIndex = index;
    this.#confState = confState;
  }

  /** Drops entries up to `index` (which must be applied). */
  compact(batch: Batch, index: number): void {
    if (index <= this.#truncatedIndex) return;
    assert(index <= this.#lastIndex, `compact ${index} beyond last index ${this.#lastIndex}`);
    const term = this.term(index);
    this.log.truncatePrefix(batch, this.rangeId, { index, term }, this.firstIndex());
    for (let i = this.#truncatedIndex + 1; i <= index; i++) this.#cache.delete(i);
    this.#truncatedIndex = index;
    this.#truncatedTerm = term;
  }

  #trimCache(): void {
    if (this.#cache.size <= raftEntryCacheEntriesMax) return;
    const drop = this.#cache.size - raftEntryCacheEntriesMax;
    let n = 0;
    for (const index of this.#cache.keys()) {
      if (n++ >= drop) break;
      this.#cache.delete(index);
    }
  }
}
