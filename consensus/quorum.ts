/**
 * Quorum arithmetic: the commit index a majority has acknowledged and the
 * outcome of a vote, for a simple majority and for a joint configuration
 * (both majorities must agree).
 */
import type { LogIndex, ReplicaId } from './types.ts';

export type VoteResult = 'pending' | 'lost' | 'won';

/** The largest index acknowledged by a majority of `voters` (an empty config commits everything). */
export function majorityCommitted(voters: ReadonlySet<ReplicaId>, acked: (id: ReplicaId) => LogIndex | undefined): LogIndex {
  if (voters.size === 0) return Number.MAX_SAFE_INTEGER;
  const indexes: number[] = [];
  for (const id of voters) indexes.push(acked(id) ?? 0);
  indexes.sort((a, b) => b - a);
  return indexes[Math.floor(voters.size / 2)]!;
}

/** The commit index of a joint configuration: the smaller of both majorities'. */
export function jointCommitted(
  incoming: ReadonlySet<ReplicaId>, outgoing: ReadonlySet<ReplicaId>, acked: (id: ReplicaId) => LogIndex | undefined,
): LogIndex {
  return Math.min(majorityCommitted(incoming, acked), majorityCommitted(outgoing, acked));
}

/** The result of a vote in one majority configuration (an empty config wins). */
export function majorityVoteResult(voters: ReadonlySet<ReplicaId>, votes: ReadonlyMap<ReplicaId, boolean>): VoteResult {
  if (voters.size === 0) return 'won';
  let granted = 0;
  let missing = 0;
  for (const id of voters) {
    const v = votes.get(id);
    if (v === undefined) missing++;
    else if (v) granted++;
  }
  const quorum = Math.floor(voters.size / 2) + 1;
  if (granted >= quorum) return 'won';
  if (granted + missing >= quorum) return 'pending';
  return 'lost';
}

/** The result of a vote in a joint configuration: won when both won, lost when either lost. */
export function jointVoteResult(
  incoming: ReadonlySet<ReplicaId>, outgoing: ReadonlySet<ReplicaId>, votes: ReadonlyMap<ReplicaId, boolean>,
): VoteResult {
  const a = majorityVoteResult(incoming, votes);
  const b = majorityVoteResult(outgoing, votes);
  if (a === b) return a;
  if (a === 'lost' || b === 'lost') return 'lost';
  return 'pending';
}
