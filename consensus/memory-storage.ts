/**
 * An in-memory RaftStorage: the reference implementation that tests and the
 * simulator use, and the model for node/kv's LevelDB one. The reader side is
 * what Raft calls; the writer side (append, setHardState, applySnapshot,
 * setConfState, compact, createSnapshot) is what the caller does with each
 * Ready.
 */
import { assert } from './assert.ts';
import { limitSize } from './entry-size.ts';
import { CompactedError, SnapshotOutOfDateError, UnavailableError } from './errors.ts';
import type { ConfState, Entry, HardState, LogIndex, RaftStorage, Snapshot, Term } from './types.ts';

/** A configuration with no members: a replica that will learn its configuration from a snapshot. */
export const emptyConfState: ConfState = { voters: [], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };

const noData = new Uint8Array(0);

/** RaftStorage in memory, with the writer side a host applies each Ready with. */
export class MemoryStorage implements RaftStorage {
  #hardState: HardState = { term: 0, vote: 0, commit: 0 };
  /** The configuration as of the host's applied index. */
  #confState: ConfState;
  #snapshot: Snapshot;
  /** entries[0] is a placeholder standing for the snapshot's index and term. */
  #entries: Entry[];

  /** An empty log whose (empty) snapshot carries `confState`: how a new group starts. */
  constructor(confState: ConfState = emptyConfState) {
    this.#snapshot = { metadata: { index: 0, term: 0, confState }, data: noData };
    this.#confState = confState;
    this.#entries = [{ index: 0, term: 0, type: 'normal', data: noData }];
  }

  /** The hard state, and the configuration as of the host's applied index (setConfState). */
  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.#hardState, confState: this.#confState };
  }

  /**
   * Records the configuration the host applied (RawNode.applyConfChange's
   * result), which a restart with RaftConfig.applied must start from: conf
   * change entries at or below the applied index are not handed out again.
   */
  setConfState(confState: ConfState): void {
    this.#confState = confState;
  }

  /** The hard state written last. */
  get hardState(): HardState {
    return this.#hardState;
  }

  /** Records Ready.hardState. */
  setHardState(hardState: HardState): void {
    this.#hardState = hardState;
  }

  #offset(): LogIndex {
    return this.#entries[0]!.index;
  }

  entries(lo: LogIndex, hi: LogIndex, maxBytes: number): Entry[] {
    const offset = this.#offset();
    if (lo <= offset) throw new CompactedError(lo, offset + 1);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1, this.lastIndex());
    if (lo >= hi) return [];
    return limitSize(this.#entries.slice(lo - offset, hi - offset), maxBytes);
  }

  term(index: LogIndex): Term {
    const offset = this.#offset();
    if (index < offset) throw new CompactedError(index, offset + 1);
    if (index - offset >= this.#entries.length) throw new UnavailableError(index, this.lastIndex());
    return this.#entries[index - offset]!.term;
  }

  firstIndex(): LogIndex {
    return this.#offset() + 1;
  }

  lastIndex(): LogIndex {
    return this.#offset() + this.#entries.length - 1;
  }

  snapshot(): Snapshot {
    return this.#snapshot;
  }

  /** Replaces the whole log with a snapshot's state (Ready.snapshot). */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.metadata.index < this.#snapshot.metadata.index) throw new SnapshotOutOfDateError();
    this.#snapshot = snapshot;
    this.#confState = snapshot.metadata.confState;
    this.#entries = [{ index: snapshot.metadata.index, term: snapshot.metadata.term, type: 'normal', data: noData }];
  }

  /**
   * Records a snapshot of the caller's state machine as of `index`, which it
   * has applied; `confState` is the configuration as of `index`.
   */
  createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.#snapshot.metadata.index) throw new SnapshotOutOfDateError();
    assert(index <= this.lastIndex(), `snapshot index ${index} beyond last index ${this.lastIndex()}`);
    this.#snapshot = { metadata: { index, term: this.term(index), confState }, data };
    return this.#snapshot;
  }

  /** Discards entries up to and including `index` (which must be applied and covered by a snapshot). */
  compact(index: LogIndex): void {
    const offset = this.#offset();
    if (index <= offset) throw new CompactedError(index, offset + 1);
    assert(index <= this.lastIndex(), `compact ${index} beyond last index ${this.lastIndex()}`);
    const kept = this.#entries[index - offset]!;
    const placeholder: Entry = { index: kept.index, term: kept.term, type: 'normal', data: noData };
    this.#entries = [placeholder].concat(this.#entries.slice(index - offset + 1));
  }

  /**
   * Appends Ready.entries: entries already compacted are skipped, and a
   * conflicting suffix of the stored log is replaced.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const lastNew = entries[0]!.index + entries.length - 1;
    if (lastNew < first) return;
    const skip = Math.max(0, first - entries[0]!.index);
    const from = entries[0]!.index + skip;
    const at = from - this.#offset();
    assert(at <= this.#entries.length, `missing log entries: last ${this.lastIndex()}, appending at ${from}`);
    // Truncate in place (a no-op on the common path, appending at the end).
    this.#entries.length = at;
    for (let i = skip; i < entries.length; i++) this.#entries.push(entries[i]!);
  }
}
