/** Errors the Raft library raises to its caller. */

/** The requested index has been compacted away; a snapshot is needed. */
export class CompactedError extends Error {
  constructor(index: number, firstIndex: number) {
    super(`log index ${index} is compacted (first index ${firstIndex})`);
    this.name = 'CompactedError';
  }
}

/** The requested index is beyond the end of the log. */
export class UnavailableError extends Error {
  constructor(index: number, lastIndex: number) {
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

export type ProposalDropReason = 'no leader' | 'leadership transfer' | 'uncommitted limit' | 'learner' | 'pending conf change' | 'not a member';

/** A proposal was not accepted; the caller may retry (e.g. after a leader is known). */
export class ProposalDroppedError extends Error {
  constructor(readonly reason: ProposalDropReason) {
    super(`proposal dropped: ${reason}`);
    this.name = 'ProposalDroppedError';
  }
}

/** Storage cannot produce a snapshot right now (it is being generated); Raft retries later. */
export class SnapshotTemporarilyUnavailableError extends Error {
  constructor() {
    super('snapshot temporarily unavailable');
    this.name = 'SnapshotTemporarilyUnavailableError';
  }
}
