/**
 * The Raft log as the state machine sees it: stable entries in RaftStorage
 * plus an unstable tail (entries and possibly a snapshot) not yet persisted,
 * and the committed and applied indexes.
 */
import { assert } from './assert.ts';
import { limitSize } from './entry-size.ts';
import { CompactedError, UnavailableError } from './errors.ts';
import type { Entry, LogIndex, RaftStorage, Snapshot, Term } from './types.ts';

class Unstable {
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];
  /** Index of entries[0]. */
  offset: LogIndex;

  constructor(offset: LogIndex) {
    this.offset = offset;
  }

  maybeFirstIndex(): LogIndex | undefined {
    return this.snapshot ? this.snapshot.metadata.index + 1 : undefined;
  }

  maybeLastIndex(): LogIndex | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  maybeTerm(index: LogIndex): Term | undefined {
    if (index < this.offset) {
      if (this.snapshot && this.snapshot.metadata.index === index) return this.snapshot.metadata.term;
      return undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || index > last) return undefined;
    return this.entries[index - this.offset]?.term;
  }

  stableTo(index: LogIndex, term: Term): void {
    const t = this.maybeTerm(index);
    if (t === undefined || t !== term || index < this.offset) return;
    this.entries = this.entries.slice(index + 1 - this.offset);
    this.offset = index + 1;
  }

  stableSnapTo(index: LogIndex): void {
    if (this.snapshot && this.snapshot.metadata.index === index) this.snapshot = undefined;
  }

  restore(snapshot: Snapshot): void {
    this.offset = snapshot.metadata.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  truncateAndAppend(entries: readonly Entry[]): void {
    const after = entries[0]!.index;
    if (after === this.offset + this.entries.length) {
      for (const e of entries) this.entries.push(e);
    } else if (after <= this.offset) {
      this.offset = after;
      this.entries = entries.slice();
    } else {
      this.entries = [...this.entries.slice(0, after - this.offset), ...entries];
    }
  }
}

export class RaftLog {
  readonly unstable: Unstable;
  committed: LogIndex;
  applied: LogIndex;

  constructor(readonly storage: RaftStorage, readonly maxCommittedBytes: number) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    this.unstable = new Unstable(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): LogIndex {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): LogIndex {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  lastTerm(): Term {
    return this.term(this.lastIndex()) ?? 0;
  }

  /** The term at `index`, or undefined when it is compacted or beyond the log. */
  term(index: LogIndex): Term | undefined {
    const dummy = this.firstIndex() - 1;
    if (index < dummy || index > this.lastIndex()) return undefined;
    const t = this.unstable.maybeTerm(index);
    if (t !== undefined) return t;
    try {
      return this.storage.term(index);
    } catch (error) {
      if (error instanceof CompactedError || error instanceof UnavailableError) return undefined;
      throw error;
    }
  }

  matchTerm(index: LogIndex, term: Term): boolean {
    return this.term(index) === term;
  }

  /** Whether a log ending at (lastIndex, lastTerm) is at least as up to date as ours (§5.4.1). */
  isUpToDate(lastIndex: LogIndex, lastTerm: Term): boolean {
    const ourTerm = this.lastTerm();
    return lastTerm > ourTerm || (lastTerm === ourTerm && lastIndex >= this.lastIndex());
  }

  /**
   * A follower's append: if the entry before `entries` matches, appends them
   * (truncating conflicts) and advances the commit index. Returns the index of
   * the last new entry, or undefined when the log does not match.
   */
  maybeAppend(index: LogIndex, logTerm: Term, committed: LogIndex, entries: readonly Entry[]): LogIndex | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.committed, `entry ${conflict} conflicts with committed entry ${this.committed}`);
      this.append(entries.slice(conflict - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** Appends entries (already checked to follow on); returns the new last index. */
  append(entries: readonly Entry[]): LogIndex {
    if (entries.length === 0) return this.lastIndex();
    assert(entries[0]!.index - 1 >= this.committed, `append at ${entries[0]!.index} below commit ${this.committed}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /** The first entry whose term differs from ours (0: none; an index past our log counts as new). */
  findConflict(entries: readonly Entry[]): LogIndex {
    for (const e of entries) if (!this.matchTerm(e.index, e.term)) return e.index;
    return 0;
  }

  /**
   * For fast backtracking: the largest index at or below `index` whose term is
   * at most `term`, with that term.
   */
  findConflictByTerm(index: LogIndex, term: Term): { index: LogIndex; term: Term } {
    let i = Math.min(index, this.lastIndex());
    for (; i >= 0; i--) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
    return { index: 0, term: 0 };
  }

  unstableEntries(): Entry[] {
    return this.unstable.entries.slice();
  }

  hasNextCommittedEntries(): boolean {
    return this.committed > Math.max(this.applied, this.firstIndex() - 1);
  }

  /** Committed entries not yet handed out to apply, up to the per-Ready byte budget. */
  nextCommittedEntries(): Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= lo) return [];
    return this.slice(lo, this.committed + 1, this.maxCommittedBytes);
  }

  /** Entries in [lo, hi) within `maxBytes` (at least one). */
  slice(lo: LogIndex, hi: LogIndex, maxBytes: number): Entry[] {
    if (lo === hi) return [];
    const first = this.firstIndex();
    if (lo < first) throw new CompactedError(lo, first);
    assert(hi <= this.lastIndex() + 1, `slice [${lo}, ${hi}) beyond last index ${this.lastIndex()}`);
    let out: Entry[] = [];
    if (lo < this.unstable.offset) {
      const stored = this.storage.entries(lo, Math.min(hi, this.unstable.offset), maxBytes);
      if (stored.length < Math.min(hi, this.unstable.offset) - lo) return stored;
      out = stored;
    }
    if (hi > this.unstable.offset) {
      const from = Math.max(lo, this.unstable.offset);
      const tail = this.unstable.entries.slice(from - this.unstable.offset, hi - this.unstable.offset);
      out = out.length > 0 ? out.concat(tail) : tail;
    }
    return limitSize(out, maxBytes);
  }

  /** Entries from `index` to the end, within `maxBytes`. */
  entriesFrom(index: LogIndex, maxBytes: number): Entry[] {
    if (index > this.lastIndex()) return [];
    return this.slice(index, this.lastIndex() + 1, maxBytes);
  }

  commitTo(index: LogIndex): void {
    if (this.committed >= index) return;
    assert(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /** Commits `index` if it is from `term` (only current-term entries commit by counting). */
  maybeCommit(index: LogIndex, term: Term): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  appliedTo(index: LogIndex): void {
    if (index === 0) return;
    assert(index <= this.committed && index >= this.applied, `applied ${index} outside [${this.applied}, ${this.committed}]`);
    this.applied = index;
  }

  stableTo(index: LogIndex, term: Term): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: LogIndex): void {
    this.unstable.stableSnapTo(index);
  }

  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  restore(snapshot: Snapshot): void {
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }
}
