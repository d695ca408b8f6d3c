/**
 * An in-memory RaftStorage: the reference implementation used by tests and
 * the simulator. node/kv implements the same interface over LevelDB.
 */
import { assert } from './assert.ts';
import { limitSize } from './entry-size.ts';
import { CompactedError, SnapshotOutOfDateError, UnavailableError } from './errors.ts';
import type { ConfState, Entry, HardState, LogIndex, RaftStorage, Snapshot, Term } from './types.ts';

export const emptyConfState: ConfState = { voters: [], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };

export class MemoryStorage implements RaftStorage {
  #hardState: HardState = { term: 0, vote: 0, commit: 0 };
  #snapshot: Snapshot;
  /** entries[0] is a dummy standing for the snapshot's index and term. */
  #entries: Entry[];

  constructor(confState: ConfState = emptyConfState) {
    this.#snapshot = { metadata: { index: 0, term: 0, confState }, data: new Uint8Array(0) };
    this.#entries = [{ index: 0, term: 0, type: 'normal', data: new Uint8Array(0) }];
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.#hardState, confState: this.#snapshot.metadata.confState };
  }

  get hardState(): HardState {
    return this.#hardState;
  }

  setHardState(hardState: HardState): void {
    this.#hardState = hardState;
  }

  #offset(): number {
    return this.#entries[0]!.index;
  }

  entries(lo: LogIndex, hi: LogIndex, maxBytes: number): Entry[] {
    const offset = this.#offset();
    if (lo <= offset) throw new CompactedError(lo, offset + 1);
    if (hi > this.lastIndex() + 1) throw new UnavailableError(hi - 1, this.lastIndex());
    if (this.#entries.length === 1) return [];
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

  /** Replaces everything with the snapshot's state. */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.metadata.index < this.#snapshot.metadata.index) throw new SnapshotOutOfDateError();
    this.#snapshot = snapshot;
    this.#entries = [{ index: snapshot.metadata.index, term: snapshot.metadata.term, type: 'normal', data: new Uint8Array(0) }];
  }

  /** Records a snapshot of the state machine at `index` (must be applied by the caller). */
  createSnapshot(index: LogIndex, confState: ConfState, data: Uint8Array): Snapshot {
    if (index <= this.#snapshot.metadata.index) throw new SnapshotOutOfDateError();
    assert(index <= this.lastIndex(), `snapshot index ${index} beyond last index ${this.lastIndex()}`);
    this.#snapshot = { metadata: { index, term: this.term(index), confState }, data };
    return this.#snapshot;
  }

  /** Discards entries up to and including `index`. */
  compact(index: LogIndex): void {
    const offset = this.#offset();
    if (index <= offset) throw new CompactedError(index, offset + 1);
    assert(index <= this.lastIndex(), `compact ${index} beyond last index ${this.lastIndex()}`);
    const i = index - offset;
    const dummy: Entry = { index: this.#entries[i]!.index, term: this.#entries[i]!.term, type: 'normal', data: new Uint8Array(0) };
    this.#entries = [dummy, ...this.#entries.slice(i + 1)];
  }

  /** Appends entries, truncating any conflicting suffix. */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const last = entries[0]!.index + entries.length - 1;
    if (last < first) return;
    const kept = first > entries[0]!.index ? entries.slice(first - entries[0]!.index) : entries;
    const offset = kept[0]!.index - this.#offset();
    assert(offset <= this.#entries.length, `missing log entry: last ${this.lastIndex()}, appending at ${kept[0]!.index}`);
    this.#entries = [...this.#entries.slice(0, offset), ...kept];
  }
}
