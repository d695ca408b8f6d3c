/**
 * The Raft log as the state machine sees it: persisted entries read through
 * RaftStorage, an unstable tail not yet persisted, and three positions:
 * `committed` (known committed), `applying` (handed out to apply) and
 * `applied` (the caller applied it). applied ≤ applying ≤ committed ≤ last.
 * (etcd-io/raft log.go.)
 */
import { assert } from './assert.ts';
import { limitSize } from './entry-size.ts';
import { CompactedError, UnavailableError } from './errors.ts';
import { Unstable } from './log-unstable.ts';
import type { Entry, LogIndex, RaftStorage, Snapshot, Term } from './types.ts';

/** The log: storage plus the unstable tail, with the commit, applying and applied positions. */
export class RaftLog {
  readonly unstable: Unstable;
  committed: LogIndex;
  /** The highest index handed out in a Ready's committedEntries. */
  applying: LogIndex;
  applied: LogIndex;

  constructor(readonly storage: RaftStorage, readonly maxCommittedBytes: number) {
    const first = storage.firstIndex();
    const last = storage.lastIndex();
    assert(first >= 1 && last >= first - 1, `storage holds [${first}, ${last}]`);
    this.unstable = new Unstable(last + 1);
    // Everything up to the storage's snapshot was committed and applied.
    this.committed = first - 1;
    this.applying = first - 1;
    this.applied = first - 1;
  }

  firstIndex(): LogIndex {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  lastIndex(): LogIndex {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** The last index known to be persisted: everything before the unstable tail. */
  stableLastIndex(): LogIndex {
    return Math.min(this.lastIndex(), this.unstable.offset - 1);
  }

  lastTerm(): Term {
    const t = this.term(this.lastIndex());
    assert(t !== undefined, 'the last entry must have a term');
    return t;
  }

  /** The term at `index`, or undefined when it is compacted or beyond the log. */
  term(index: LogIndex): Term | undefined {
    const t = this.unstable.maybeTerm(index);
    if (t !== undefined) return t;
    // The entry before the first one (the snapshot's) still has a known term.
    if (index < this.firstIndex() - 1 || index > this.lastIndex()) return undefined;
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
   * A follower's append: if our entry at `index` has term `logTerm`, appends
   * `entries` (the first conflicting one and everything after it replace
   * ours) and commits up to min(committed, last new index). Returns the last
   * new index, or undefined when the logs do not match at `index`.
   */
  maybeAppend(index: LogIndex, logTerm: Term, committed: LogIndex, entries: readonly Entry[]): LogIndex | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      assert(conflict > this.committed, `entry ${conflict} conflicts with committed entry ${this.committed}`);
      const from = conflict - (index + 1);
      this.append(from === 0 ? entries : entries.slice(from));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** Appends entries that follow on from (or overwrite) the uncommitted tail; returns the new last index. */
  append(entries: readonly Entry[]): LogIndex {
    if (entries.length === 0) return this.lastIndex();
    const after = entries[0]!.index - 1;
    assert(after >= this.committed, `append after ${after} would overwrite committed entry ${this.committed}`);
    assert(after <= this.lastIndex(), `append after ${after} leaves a gap after ${this.lastIndex()}`);
    this.unstable.truncateAndAppend(entries);
    return this.lastIndex();
  }

  /**
   * The index of the first entry whose term differs from ours, or of the
   * first one past our log; 0 when we hold them all.
   */
  findConflict(entries: readonly Entry[]): LogIndex {
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (!this.matchTerm(e.index, e.term)) return e.index;
    }
    return 0;
  }

  /**
   * Fast backtracking: the largest index at or below `index` whose term is at
   * most `term`, with that term (term 0 when the answer lies in the
   * compacted prefix). Entries above it cannot match a leader log whose
   * entry at `index` has term `term`, so whole terms are skipped at once.
   */
  findConflictByTerm(index: LogIndex, term: Term): { index: LogIndex; term: Term } {
    for (let i = Math.min(index, this.lastIndex()); i > 0; i--) {
      const t = this.term(i);
      if (t === undefined) return { index: i, term: 0 };
      if (t <= term) return { index: i, term: t };
    }
    return { index: 0, term: 0 };
  }

  /** Entries not yet persisted (a copy: the buffer keeps changing). */
  unstableEntries(): Entry[] {
    return this.unstable.entries.length === 0 ? [] : this.unstable.entries.slice();
  }

  /** Whether committed entries wait to be handed out (never while a snapshot is pending). */
  hasNextCommittedEntries(): boolean {
    if (this.unstable.snapshot) return false;
    return this.committed > Math.max(this.applying, this.firstIndex() - 1);
  }

  /** Committed entries not yet handed out, up to the per-Ready byte budget. */
  nextCommittedEntries(): Entry[] {
    if (!this.hasNextCommittedEntries()) return [];
    const lo = Math.max(this.applying + 1, this.firstIndex());
    return this.slice(lo, this.committed + 1, this.maxCommittedBytes);
  }

  /**
   * Entries in [lo, hi) within `maxBytes` (always at least one). Throws
   * CompactedError when `lo` was compacted away.
   */
  slice(lo: LogIndex, hi: LogIndex, maxBytes: number): Entry[] {
    if (lo >= hi) return [];
    const first = this.firstIndex();
    if (lo < first) throw new CompactedError(lo, first);
    assert(hi <= this.lastIndex() + 1, `slice [${lo}, ${hi}) beyond last index ${this.lastIndex()}`);
    const offset = this.unstable.offset;
    if (lo >= offset) return limitSize(this.unstable.slice(lo, hi), maxBytes);
    const stored = this.storage.entries(lo, Math.min(hi, offset), maxBytes);
    if (hi <= offset || stored.length < offset - lo) return stored;
    return limitSize(stored.concat(this.unstable.slice(offset, hi)), maxBytes);
  }

  /** Entries from `index` to the end, within `maxBytes`. */
  entriesFrom(index: LogIndex, maxBytes: number): Entry[] {
    const last = this.lastIndex();
    if (index > last) return [];
    return this.slice(index, last + 1, maxBytes);
  }

  commitTo(index: LogIndex): void {
    if (index <= this.committed) return;
    assert(index <= this.lastIndex(), `commit ${index} beyond last index ${this.lastIndex()}`);
    this.committed = index;
  }

  /**
   * Commits up to `index` if the entry there is of `term`: a leader commits
   * by counting replicas only entries of its own term (§5.4.2); earlier ones
   * commit with them.
   */
  maybeCommit(index: LogIndex, term: Term): boolean {
    if (index > this.committed && this.term(index) === term) {
      this.commitTo(index);
      return true;
    }
    return false;
  }

  /** Entries up to `index` were handed out to apply. */
  applyingTo(index: LogIndex): void {
    assert(index <= this.committed, `applying ${index} beyond commit ${this.committed}`);
    if (index > this.applying) this.applying = index;
  }

  /** The caller applied everything up to `index`. */
  appliedTo(index: LogIndex): void {
    assert(index <= this.committed, `applied ${index} beyond commit ${this.committed}`);
    assert(index >= this.applied, `applied index went back from ${this.applied} to ${index}`);
    this.applied = index;
    if (index > this.applying) this.applying = index;
  }

  stableTo(index: LogIndex, term: Term): void {
    this.unstable.stableTo(index, term);
  }

  stableSnapTo(index: LogIndex): void {
    this.unstable.stableSnapTo(index);
  }

  /** The newest snapshot: a pending incoming one, else the storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Replaces the log with a snapshot from the leader; it is committed by definition. */
  restore(snapshot: Snapshot): void {
    assert(snapshot.metadata.index > this.committed, 'a snapshot must be ahead of the commit index');
    this.committed = snapshot.metadata.index;
    this.unstable.restore(snapshot);
  }
}
