/**
 * Expected failures the Raft library reports to its caller, as classes the
 * caller can branch on. Programmer bugs are assertions (assert.ts) instead.
 */

/** The requested index has been compacted away; a snapshot is needed. */
export class CompactedError extends Error {
  constructor(readonly index: number, readonly firstIndex: number) {
    super(`log index ${index} is compacted (first index ${firstIndex})`);
    this.name = 'CompactedError';
  }
}

/** The requested index is beyond the end of the log. */
export class UnavailableError extends Error {
  constructor(readonly index: number, readonly lastIndex: number) {
    super(`log index ${index} is unavailable (last index ${lastIndex})`);
    this.name = 'UnavailableError';
  }
}

/** A snapshot older than the storage's current one was offered. */
export class SnapshotOutOfDateError extends Error {
  constructor() {
    super('snapshot is out of date');
    this.name = 'SnapshotOutOfDateError';
  }
}

/** Storage cannot produce a snapshot right now (it is being generated); Raft retries later. */
export class SnapshotTemporarilyUnavailableError extends Error {
  constructor() {
    super('snapshot temporarily unavailable');
    this.name = 'SnapshotTemporarilyUnavailableError';
  }
}

/** Why a proposal was dropped (ProposalDroppedError.reason). */
export type ProposalDropReason =
  | 'no leader'
  | 'leadership transfer'
  | 'uncommitted limit'
  | 'entry too large'
  | 'learner'
  | 'pending conf change'
  | 'not a member';

/**
 * A proposal was not accepted. Nothing was appended; the caller may retry
 * (after a leader is known, a transfer ends, or the uncommitted tail commits).
 */
export class ProposalDroppedError extends Error {
  constructor(readonly reason: ProposalDropReason) {
    super(`proposal dropped: ${reason}`);
    this.name = 'ProposalDroppedError';
  }
}

/** A membership change that is malformed or cannot apply to the configuration. */
export class ConfChangeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfChangeError';
  }
}
