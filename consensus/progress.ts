/**
 * What a leader knows about one follower: how far its log is known to match
 * (`match`), what to send next (`next`), and which of three states governs
 * sending (etcd-io/raft tracker/progress.go):
 *
 * - probe: the match point is unknown; send one append at a time and wait
 *   for its answer (or a heartbeat answer) before sending the next.
 * - replicate: the follower is in step; send optimistically (pipelining,
 *   `next` runs ahead of `match`) while the inflight window has room.
 * - snapshot: the follower needs a snapshot; send nothing until the caller
 *   reports the snapshot's fate or the follower's answer shows it caught up.
 *
 * Every transition lives in this class.
 */
import { Inflights } from './inflights.ts';
import type { LogIndex } from './types.ts';

/** How the leader sends to a follower (see the module comment). */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/** The leader's view of one follower. */
export class Progress {
  /** Highest index known to be in the follower's log (matching ours). */
  match: LogIndex = 0;
  /** Next index to send. */
  next: LogIndex;
  state: ProgressState = 'probe';
  /** Probe state: an append is out and unanswered, so sending pauses. */
  probeSent = false;
  /** Snapshot state: the index of the snapshot sent. */
  pendingSnapshot: LogIndex = 0;
  /** The highest commit index sent in an append (not counting heartbeats). */
  sentCommit: LogIndex = 0;
  /** Heard from since the leader's last CheckQuorum round. */
  recentActive = false;
  /**
   * The leader's tick at which it sent the newest heartbeat this follower
   * answered (0: none): the follower refuses other candidates for an
   * election timeout after receiving it, which is what lease reads rely on.
   */
  heartbeatAckTick = 0;
  /** The leader's tick at which a heartbeat answer last drew an append to this follower. */
  heartbeatProbeTick = 0;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(next: LogIndex, isLearner: boolean, inflightMessagesMax: number, inflightBytesMax: number) {
    this.next = next;
    this.isLearner = isLearner;
    this.inflights = new Inflights(inflightMessagesMax, inflightBytesMax);
  }

  #resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  /**
   * Back to probing from match+1; after a snapshot that was sent
   * successfully, from just past the snapshot.
   */
  becomeProbe(): void {
    const pending = this.state === 'snapshot' ? this.pendingSnapshot : 0;
    this.#resetState('probe');
    this.next = Math.max(this.match + 1, pending + 1);
  }

  /** Pipelining from match+1. */
  becomeReplicate(): void {
    this.#resetState('replicate');
    this.next = this.match + 1;
  }

  /** Waiting for the snapshot at `snapshotIndex` to be installed. */
  becomeSnapshot(snapshotIndex: LogIndex): void {
    this.#resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
    this.next = snapshotIndex + 1;
  }

  /**
   * An acknowledgement of `index`: moves match (and next) forward. Returns
   * whether match moved; a stale or duplicate acknowledgement returns false.
   */
  maybeUpdate(index: LogIndex): boolean {
    let updated = false;
    if (this.match < index) {
      this.match = index;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, index + 1);
    return updated;
  }

  /**
   * Notes an append carrying `count` entries up to `lastIndex` (`bytes` in
   * size) and the commit index `commit` was sent.
   */
  sentEntries(lastIndex: LogIndex, count: number, bytes: number, commit: LogIndex): void {
    if (this.state === 'replicate') {
      if (count > 0) {
        // Optimistic: assume it arrives, so the next append follows on.
        this.next = lastIndex + 1;
        this.inflights.add(lastIndex, bytes);
      }
    } else if (this.state === 'probe') {
      this.probeSent = true;
    }
    if (commit > this.sentCommit) this.sentCommit = commit;
  }

  /**
   * A rejected append of the entries after `rejected`, with the follower's
   * hint of where the logs may match. Returns false when the rejection is
   * stale (answers an append sent before a newer decision) and must be ignored.
   */
  maybeDecrTo(rejected: LogIndex, matchHint: LogIndex): boolean {
    if (this.state === 'replicate') {
      // Appends are in order: a rejection at or below match is a duplicate or stale.
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      this.sentCommit = Math.min(this.sentCommit, this.next - 1);
      return true;
    }
    // In probe state only the answer to the latest probe counts.
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1);
    this.sentCommit = Math.min(this.sentCommit, this.next - 1);
    this.probeSent = false;
    return true;
  }

  /**
   * A heartbeat answer: the follower is alive, so a paused probe may go out
   * again, and a window full of appends that were probably lost frees one
   * slot so the next append can find out.
   */
  heartbeatAnswered(): void {
    this.probeSent = false;
    if (this.state === 'replicate' && this.inflights.full()) this.inflights.freeFirstOne();
  }

  /**
   * The caller reported the snapshot's fate. Either way the follower is
   * probed next; after a failure from match+1 (it may need another
   * snapshot), after success from just past the snapshot. Sending waits for
   * a heartbeat answer first, as the follower may still be installing it.
   */
  snapshotReported(failed: boolean): void {
    if (this.state !== 'snapshot') return;
    if (failed) this.pendingSnapshot = 0;
    this.becomeProbe();
    this.probeSent = true;
  }

  /** Whether sending appends is paused (unanswered probe, full window, or a snapshot under way). */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent;
      case 'replicate': return this.inflights.full();
      case 'snapshot': return true;
    }
  }

  /** Whether the follower may not know the commit index `committed` yet (capped by what it holds). */
  canBumpCommit(committed: LogIndex): boolean {
    return this.state !== 'snapshot' && this.sentCommit < Math.min(committed, this.next - 1);
  }
}
