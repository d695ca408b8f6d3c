/**
 * The membership configuration (voters, possibly joint; learners) and the
 * leader's Progress for every member, plus the votes of an election
 * (etcd-io/raft tracker/tracker.go). Configurations are immutable values:
 * confchange.ts builds new ones, the state machine swaps them in.
 */
import { ConfChangeError } from './errors.ts';
import { membersMax } from './limits.ts';
import { Progress } from './progress.ts';
import { jointCommitted, jointVoteResult, type MajorityConfig, type VoteResult } from './quorum.ts';
import type { ConfState, LogIndex, ReplicaId } from './types.ts';

/** A configuration; every list is sorted ascending without duplicates. */
export interface TrackerConfig {
  /** The voters (in a joint configuration, the incoming half). */
  readonly voters: MajorityConfig;
  /** Non-empty only in a joint configuration: the outgoing half. */
  readonly votersOutgoing: MajorityConfig;
  readonly learners: readonly ReplicaId[];
  /** Outgoing voters that become learners when the joint configuration is left. */
  readonly learnersNext: readonly ReplicaId[];
  /** Leave the joint configuration automatically once it is applied. */
  readonly autoLeave: boolean;
}

/** The configuration without members. */
export const emptyConfig: TrackerConfig = { voters: [], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };

/** A sorted, duplicate-free copy of `ids`. */
export function sortedIds(ids: Iterable<ReplicaId>): ReplicaId[] {
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** Whether the configuration is joint (has an outgoing half). */
export function isJoint(c: TrackerConfig): boolean {
  return c.votersOutgoing.length > 0;
}

/** Whether `id` votes in either half. */
export function isVoter(c: TrackerConfig, id: ReplicaId): boolean {
  return c.voters.includes(id) || c.votersOutgoing.includes(id);
}

/** Voters of both halves, sorted. */
export function voterIds(c: TrackerConfig): ReplicaId[] {
  return isJoint(c) ? sortedIds([...c.voters, ...c.votersOutgoing]) : c.voters.slice();
}

/** Every member: voters of both halves and learners, sorted. */
export function memberIds(c: TrackerConfig): ReplicaId[] {
  return sortedIds([...c.voters, ...c.votersOutgoing, ...c.learners, ...c.learnersNext]);
}

/** Whether `id` is a voter or a learner. */
export function isMember(c: TrackerConfig, id: ReplicaId): boolean {
  return isVoter(c, id) || c.learners.includes(id);
}

/**
 * Checks what every configuration must satisfy; throws ConfChangeError. A
 * configuration read from storage or a snapshot goes through this too.
 */
export function checkConfig(c: TrackerConfig): void {
  for (const list of [c.voters, c.votersOutgoing, c.learners, c.learnersNext]) {
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!;
      if (!Number.isSafeInteger(id) || id <= 0) throw new ConfChangeError(`invalid replica ID ${id}`);
      if (i > 0 && list[i - 1]! >= id) throw new ConfChangeError('replica lists must be sorted and distinct');
    }
  }
  for (const id of c.learners) {
    if (isVoter(c, id)) throw new ConfChangeError(`${id} is both a learner and a voter`);
  }
  for (const id of c.learnersNext) {
    if (!c.votersOutgoing.includes(id)) throw new ConfChangeError(`${id} is in learnersNext but not an outgoing voter`);
    if (c.learners.includes(id)) throw new ConfChangeError(`${id} is in learnersNext and a learner`);
  }
  if (!isJoint(c) && (c.autoLeave || c.learnersNext.length > 0)) {
    throw new ConfChangeError('autoLeave and learnersNext need a joint configuration');
  }
  if (memberIds(c).length > membersMax) throw new ConfChangeError(`more than ${membersMax} members`);
}

/** The configuration a ConfState describes; throws ConfChangeError when it is malformed. */
export function configFromConfState(cs: ConfState): TrackerConfig {
  const lists = [cs.voters, cs.votersOutgoing, cs.learners, cs.learnersNext];
  if (!lists.every((l) => Array.isArray(l))) throw new ConfChangeError('malformed configuration');
  if (!lists.every((l) => new Set(l).size === l.length)) throw new ConfChangeError('a replica listed twice');
  const c: TrackerConfig = {
    voters: sortedIds(cs.voters),
    votersOutgoing: sortedIds(cs.votersOutgoing),
    learners: sortedIds(cs.learners),
    learnersNext: sortedIds(cs.learnersNext),
    autoLeave: cs.autoLeave === true,
  };
  checkConfig(c);
  return c;
}

/** The ConfState of a configuration (copies, so callers may keep it). */
export function confStateOf(c: TrackerConfig): ConfState {
  return {
    voters: c.voters.slice(),
    votersOutgoing: c.votersOutgoing.slice(),
    learners: c.learners.slice(),
    learnersNext: c.learnersNext.slice(),
    autoLeave: c.autoLeave,
  };
}

function sameIds(a: readonly ReplicaId[], b: readonly ReplicaId[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}

/** Whether two configurations are the same. */
export function configsEqual(a: TrackerConfig, b: TrackerConfig): boolean {
  return sameIds(a.voters, b.voters) && sameIds(a.votersOutgoing, b.votersOutgoing) &&
    sameIds(a.learners, b.learners) && sameIds(a.learnersNext, b.learnersNext) && a.autoLeave === b.autoLeave;
}

/** The configuration, every member's Progress, and the votes of an election. */
export class ProgressTracker {
  config: TrackerConfig = emptyConfig;
  readonly progress = new Map<ReplicaId, Progress>();
  readonly votes = new Map<ReplicaId, boolean>();
  readonly #acked = (id: ReplicaId): LogIndex | undefined => this.progress.get(id)?.match;
  readonly #vote = (id: ReplicaId): boolean | undefined => this.votes.get(id);

  constructor(readonly inflightMessagesMax: number, readonly inflightBytesMax: number) {}

  /**
   * Switches to `config`: members that stay keep their Progress, new ones
   * start probing at `next`, removed ones are forgotten.
   */
  setConfig(config: TrackerConfig, next: LogIndex): void {
    this.config = config;
    const previous = new Map(this.progress);
    // Rebuilt in ID order so broadcasts go out in a deterministic order.
    this.progress.clear();
    for (const id of memberIds(config)) {
      const learner = !isVoter(config, id);
      const pr = previous.get(id) ?? new Progress(next, learner, this.inflightMessagesMax, this.inflightBytesMax);
      pr.isLearner = learner;
      this.progress.set(id, pr);
    }
  }

  /** Fresh Progress for every member (a new term or role): probing from `next`. */
  resetProgress(next: LogIndex): void {
    for (const [id, pr] of this.progress) {
      this.progress.set(id, new Progress(next, pr.isLearner, this.inflightMessagesMax, this.inflightBytesMax));
    }
  }

  /** The largest index a quorum (both halves when joint) has acknowledged. */
  committed(): LogIndex {
    return jointCommitted(this.config.voters, this.config.votersOutgoing, this.#acked);
  }

  resetVotes(): void {
    this.votes.clear();
  }

  /** Records a voter's answer; only the first answer of each voter counts. */
  recordVote(id: ReplicaId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  tallyVotes(): VoteResult {
    return jointVoteResult(this.config.voters, this.config.votersOutgoing, this.#vote);
  }

  /** Whether `acked` (plus `self`) is a quorum of the configuration. */
  isQuorum(self: ReplicaId, acked: (id: ReplicaId) => boolean): boolean {
    const vote = (id: ReplicaId): boolean | undefined => id === self || acked(id);
    return jointVoteResult(this.config.voters, this.config.votersOutgoing, vote) === 'won';
  }

  /** Whether a quorum was heard from since the last CheckQuorum round (`self` counts). */
  quorumActive(self: ReplicaId): boolean {
    return this.isQuorum(self, (id) => this.progress.get(id)?.recentActive === true);
  }

  /**
   * The newest leader tick at which a quorum had all received a heartbeat:
   * the quorum-th newest acknowledged heartbeat send tick (`now` for self).
   */
  quorumHeartbeatTick(self: ReplicaId, now: number): number {
    const tick = (id: ReplicaId): number | undefined => (id === self ? now : this.progress.get(id)?.heartbeatAckTick);
    return jointCommitted(this.config.voters, this.config.votersOutgoing, tick);
  }
}
