/**
 * The tail of the log not yet persisted: entries appended since the last
 * Ready was advanced, and possibly an incoming snapshot. The caller persists
 * them from Ready.entries / Ready.snapshot; advance() marks them stable and
 * they leave this buffer (etcd-io/raft log_unstable.go).
 */
import { assert } from './assert.ts';
import type { Entry, LogIndex, Snapshot, Term } from './types.ts';

/** Entries (and possibly a snapshot) handed out for persisting but not yet marked stable. */
export class Unstable {
  /** An incoming snapshot not yet persisted. */
  snapshot: Snapshot | undefined = undefined;
  /** Entries from `offset` on; entries[i].index === offset + i. */
  entries: Entry[] = [];
  offset: LogIndex;

  constructor(offset: LogIndex) {
    this.offset = offset;
  }

  /** The first index when a snapshot is pending (the log starts after it). */
  maybeFirstIndex(): LogIndex | undefined {
    return this.snapshot ? this.snapshot.metadata.index + 1 : undefined;
  }

  /** The last index held here (entries, else the snapshot), if any. */
  maybeLastIndex(): LogIndex | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot?.metadata.index;
  }

  /** The term at `index` when this buffer knows it. */
  maybeTerm(index: LogIndex): Term | undefined {
    if (index < this.offset) {
      const meta = this.snapshot?.metadata;
      return meta && meta.index === index ? meta.term : undefined;
    }
    const i = index - this.offset;
    return i < this.entries.length ? this.entries[i]!.term : undefined;
  }

  /**
   * Entries up to `index` (of `term`) were persisted. A term mismatch means
   * the entry was since overwritten by a newer leader: it stays unstable.
   */
  stableTo(index: LogIndex, term: Term): void {
    if (index < this.offset) return;
    const t = this.maybeTerm(index);
    if (t === undefined || t !== term) return;
    const n = index + 1 - this.offset;
    this.entries = n === this.entries.length ? [] : this.entries.slice(n);
    this.offset = index + 1;
  }

  /** The snapshot at `index` was persisted. */
  stableSnapTo(index: LogIndex): void {
    if (this.snapshot && this.snapshot.metadata.index === index) this.snapshot = undefined;
  }

  /** Replaces everything with an incoming snapshot. */
  restore(snapshot: Snapshot): void {
    this.offset = snapshot.metadata.index + 1;
    this.entries = [];
    this.snapshot = snapshot;
  }

  /**
   * Appends `entries` (contiguous), replacing any entries at or after the
   * first one's index: a leader's entries win over what was there.
   */
  truncateAndAppend(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const from = entries[0]!.index;
    const end = this.offset + this.entries.length;
    if (from === end) {
      // The hot path: a leader appending proposals.
      for (let i = 0; i < entries.length; i++) this.entries.push(entries[i]!);
    } else if (from <= this.offset) {
      // Replaces every unstable entry; the stable conflicting suffix is
      // truncated when the caller persists these.
      this.offset = from;
      this.entries = entries.slice();
    } else {
      assert(from < end, `unstable append at ${from} leaves a gap after ${end - 1}`);
      this.entries = this.entries.slice(0, from - this.offset).concat(entries);
    }
  }

  /** Entries in [lo, hi), which must lie within this buffer. */
  slice(lo: LogIndex, hi: LogIndex): Entry[] {
    assert(lo >= this.offset && hi <= this.offset + this.entries.length && lo <= hi,
      `unstable slice [${lo}, ${hi}) outside [${this.offset}, ${this.offset + this.entries.length})`);
    return this.entries.slice(lo - this.offset, hi - this.offset);
  }
}
