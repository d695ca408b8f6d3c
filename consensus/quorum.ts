/**
 * Quorum arithmetic (Raft thesis §3.6 and §4.3): the index a majority has
 * acknowledged and the outcome of a vote, for one majority configuration and
 * for a joint one (both majorities must agree). Pure functions over sorted
 * voter lists; no allocation on the commit path.
 */
import type { LogIndex, ReplicaId } from './types.ts';

/** The outcome of a vote so far. */
export type VoteResult = 'pending' | 'lost' | 'won';

/** A set of voters, sorted ascending, without duplicates. */
export type MajorityConfig = readonly ReplicaId[];

/** How many voters of `size` make a majority. */
export function quorumSize(size: number): number {
  return Math.floor(size / 2) + 1;
}

/** Reused by majorityCommitted so the hot commit path allocates nothing. */
const scratch: number[] = [];

/**
 * The largest index acknowledged by a majority of `voters`; `acked` returns a
 * voter's acknowledged index (undefined counts as 0). An empty configuration
 * commits everything (it never limits a joint configuration).
 */
export function majorityCommitted(voters: MajorityConfig, acked: (id: ReplicaId) => LogIndex | undefined): LogIndex {
  const n = voters.length;
  if (n === 0) return Number.MAX_SAFE_INTEGER;
  if (n === 1) return acked(voters[0]!) ?? 0;
  scratch.length = n;
  // Insertion sort, descending: configurations are small.
  for (let i = 0; i < n; i++) {
    const value = acked(voters[i]!) ?? 0;
    let j = i;
    while (j > 0 && scratch[j - 1]! < value) {
      scratch[j] = scratch[j - 1]!;
      j--;
    }
    scratch[j] = value;
  }
  return scratch[quorumSize(n) - 1]!;
}

/** The commit index of a joint configuration: the smaller of both majorities'. */
export function jointCommitted(
  incoming: MajorityConfig, outgoing: MajorityConfig, acked: (id: ReplicaId) => LogIndex | undefined,
): LogIndex {
  const a = majorityCommitted(incoming, acked);
  if (outgoing.length === 0) return a;
  return Math.min(a, majorityCommitted(outgoing, acked));
}

/**
 * The result of a vote in one majority configuration; `vote` returns true for
 * a grant, false for a rejection, undefined when the voter has not answered.
 * An empty configuration wins (it never blocks a joint configuration).
 */
export function majorityVoteResult(voters: MajorityConfig, vote: (id: ReplicaId) => boolean | undefined): VoteResult {
  if (voters.length === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (let i = 0; i < voters.length; i++) {
    const v = vote(voters[i]!);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const quorum = quorumSize(voters.length);
  if (granted >= quorum) return 'won';
  if (granted + missing >= quorum) return 'pending';
  return 'lost';
}

/** The result of a vote in a joint configuration: won when both won, lost when either lost. */
export function jointVoteResult(
  incoming: MajorityConfig, outgoing: MajorityConfig, vote: (id: ReplicaId) => boolean | undefined,
): VoteResult {
  const a = majorityVoteResult(incoming, vote);
  const b = majorityVoteResult(outgoing, vote);
  if (a === b) return a;
  if (a === 'lost' || b === 'lost') return 'lost';
  return 'pending';
}
