/**
 * The configuration (voters, possibly joint; learners) and the leader's
 * progress for every member, plus the votes of an election.
 */
import { Progress } from './progress.ts';
import { jointCommitted, jointVoteResult, type VoteResult } from './quorum.ts';
import type { ConfState, LogIndex, ReplicaId } from './types.ts';

export interface TrackerConfig {
  voters: Set<ReplicaId>;
  /** Non-empty only in a joint configuration: the old voters. */
  votersOutgoing: Set<ReplicaId>;
  learners: Set<ReplicaId>;
  /** Voters being demoted to learners, who become learners when the joint config is left. */
  learnersNext: Set<ReplicaId>;
  autoLeave: boolean;
}

export function configFromConfState(cs: ConfState): TrackerConfig {
  return {
    voters: new Set(cs.voters),
    votersOutgoing: new Set(cs.votersOutgoing),
    learners: new Set(cs.learners),
    learnersNext: new Set(cs.learnersNext),
    autoLeave: cs.autoLeave,
  };
}

export function confStateOf(c: TrackerConfig): ConfState {
  const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
  return {
    voters: sorted(c.voters),
    votersOutgoing: sorted(c.votersOutgoing),
    learners: sorted(c.learners),
    learnersNext: sorted(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

export function cloneConfig(c: TrackerConfig): TrackerConfig {
  return {
    voters: new Set(c.voters),
    votersOutgoing: new Set(c.votersOutgoing),
    learners: new Set(c.learners),
    learnersNext: new Set(c.learnersNext),
    autoLeave: c.autoLeave,
  };
}

export function isJoint(c: TrackerConfig): boolean {
  return c.votersOutgoing.size > 0;
}

/** Every member, voters of both halves and learners. */
export function members(c: TrackerConfig): Set<ReplicaId> {
  return new Set([...c.voters, ...c.votersOutgoing, ...c.learners, ...c.learnersNext]);
}

export function isVoter(c: TrackerConfig, id: ReplicaId): boolean {
  return c.voters.has(id) || c.votersOutgoing.has(id);
}

export class ProgressTracker {
  config: TrackerConfig;
  progress = new Map<ReplicaId, Progress>();
  votes = new Map<ReplicaId, boolean>();

  constructor(config: TrackerConfig, readonly maxInflightMessages: number, readonly maxInflightBytes: number) {
    this.config = config;
  }

  newProgress(next: LogIndex, isLearner: boolean): Progress {
    return new Progress(next, isLearner, this.maxInflightMessages, this.maxInflightBytes);
  }

  /** The largest index a quorum (joint when joint) has acknowledged. */
  committed(): LogIndex {
    return jointCommitted(this.config.voters, this.config.votersOutgoing, (id) => this.progress.get(id)?.match);
  }

  resetVotes(): void {
    this.votes.clear();
  }

  recordVote(id: ReplicaId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    return jointVoteResult(this.config.voters, this.config.votersOutgoing, this.votes);
  }

  /** Whether a quorum has been heard from recently (CheckQuorum). */
  quorumActive(self: ReplicaId): boolean {
    const active = new Map<ReplicaId, boolean>();
    for (const [id, pr] of this.progress) if (!pr.isLearner) active.set(id, id === self || pr.recentActive);
    return jointVoteResult(this.config.voters, this.config.votersOutgoing, active) === 'won';
  }

  /** Voter IDs of both halves, in order. */
  voterIds(): ReplicaId[] {
    return [...new Set([...this.config.voters, ...this.config.votersOutgoing])].sort((a, b) => a - b);
  }
}
