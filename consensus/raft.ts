/**
 * The Raft state machine (Raft thesis; etcd-io/raft raft.go): elections with
 * PreVote and CheckQuorum, log replication with pipelining and flow control,
 * commitment, snapshots, membership changes, leadership transfer, ReadIndex
 * and lease reads, quiescence. Everything happens in step() and tick(); the
 * output accumulates in `msgs` and `readStates` for RawNode to hand out in a
 * Ready. One step function per role: #stepLeader, #stepCandidate,
 * #stepFollower. No I/O, clocks or ambient randomness.
 *
 * Messages reaching step() from the network were checked by checkMessage
 * (message.ts); step() still treats their content as untrusted Raft input.
 */
import { assert } from './assert.ts';
import type { RaftConfig } from './config.ts';
import { applyConfChange, decodeConfChange, encodeConfChange, leaveJoint, leaveJointRequested } from './confchange.ts';
import { payloadSize } from './entry-size.ts';
import { ConfChangeError, ProposalDroppedError, SnapshotTemporarilyUnavailableError } from './errors.ts';
import { readIndexPendingMax } from './limits.ts';
import { RaftLog } from './log.ts';
import { message } from './message.ts';
import type { Progress } from './progress.ts';
import { quorumSize } from './quorum.ts';
import { ReadOnly } from './read-only.ts';
import {
  configFromConfState, confStateOf, isJoint, isMember, isVoter, ProgressTracker, voterIds, type TrackerConfig,
} from './tracker.ts';
import type {
  ConfChange, ConfState, Entry, EntryType, HardState, LogIndex, Message, RaftRole, RaftStorage, ReadState, ReplicaId,
  Rng, Snapshot, Term,
} from './types.ts';

/** Why an election starts: a PreVote round first, the real election, or a leadership transfer. */
type CampaignKind = 'preElection' | 'election' | 'transfer';

const transferContext = new TextEncoder().encode('transfer');
const noBytes = new Uint8Array(0);

function isTransfer(context: Uint8Array | undefined): boolean {
  if (context === undefined || context.length !== transferContext.length) return false;
  for (let i = 0; i < context.length; i++) if (context[i] !== transferContext[i]) return false;
  return true;
}

/** Counters of bad input the state machine refused (surfaced in RawNode.status()). */
export interface RaftErrorCounts {
  /** Messages or entries refused as malformed (including ones RawNode refused at the boundary). */
  malformed: number;
  /** Conf changes refused: undecodable, invalid for the configuration, or a second pending one. */
  confChangesRejected: number;
  /** ReadIndex requests dropped: no leader, queue full, or a duplicate context. */
  readsDropped: number;
  /** Proposals forwarded by other replicas that this leader had to drop. */
  proposalsDropped: number;
}

/** The Raft state machine of one replica; RawNode is its public face. */
export class Raft {
  readonly id: ReplicaId;
  term: Term = 0;
  vote: ReplicaId = 0;
  lead: ReplicaId = 0;
  role: RaftRole = 'follower';
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  /** Messages to send, handed out with the next Ready. */
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  leadTransferee: ReplicaId = 0;
  /** A conf change at or below this index may not be applied yet; a second one waits until it is. */
  pendingConfIndex: LogIndex = 0;
  /** Payload bytes of this leader's uncommitted proposals. */
  uncommittedSize = 0;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  /** Ticks since construction, from 1: the leader's lease clock. */
  ticks = 1;
  /** The group is idle: ticks do nothing until a message or proposal wakes it. */
  quiesced = false;
  readonly readOnly = new ReadOnly();
  /** ReadIndex requests waiting for this leader to commit an entry of its term. */
  pendingReadIndex: Array<{ from: ReplicaId; context: Uint8Array }> = [];
  /** Appends (new entries or a new commit index) wait to go out with the next Ready. */
  appendsPending = false;
  /** This leader sent timeoutNow in this term: its lease may be void. */
  leaseRevoked = false;
  readonly errors: RaftErrorCounts = { malformed: 0, confChangesRejected: 0, readsDropped: 0, proposalsDropped: 0 };
  /**
   * Ticks since a leader was last heard from (an append, heartbeat or
   * snapshot of the current term): for electionTicks after that, other
   * candidates are refused (leader stickiness, with CheckQuorum). Kept apart
   * from the election timer, which campaigning and voting reset.
   */
  #leaderSilence: number;
  /** A timeoutNow arrived while a conf change waited to be applied: campaign once it is. */
  #campaignAfterApply = false;

  constructor(readonly config: RaftConfig, storage: RaftStorage, private readonly rng: Rng) {
    this.id = config.id;
    this.log = new RaftLog(storage, config.maxCommittedSizePerReady || config.maxSizePerMsg);
    this.tracker = new ProgressTracker(config.maxInflightMsgs, config.maxInflightBytes);
    const { hardState, confState } = storage.initialState();
    this.tracker.setConfig(configFromConfState(confState), this.log.lastIndex() + 1);
    this.#restoreHardState(hardState, config.applied);
    // In lease mode a restarted replica may have acknowledged a heartbeat it
    // no longer remembers, so it acts as if it just heard from a leader. One
    // that never took part (term 0) acknowledged nothing.
    const fence = config.readOnlyOption === 'leaseBased' && hardState.term > 0;
    this.#leaderSilence = fence ? 0 : config.electionTicks;
    this.becomeFollower(this.term, 0);
  }

  #restoreHardState(hs: HardState, applied: LogIndex): void {
    const log = this.log;
    assert(hs.commit <= log.lastIndex(), `hard state commit ${hs.commit} beyond last index ${log.lastIndex()}`);
    this.term = hs.term;
    this.vote = hs.vote;
    // The commit index is written without a sync, so it may be older than a
    // compacted prefix or than what the caller applied; both were committed.
    log.commitTo(hs.commit);
    if (applied === 0) return;
    assert(applied >= log.firstIndex() - 1,
      `applied ${applied} is behind the storage snapshot at ${log.firstIndex() - 1}: restore the snapshot first`);
    assert(applied <= log.lastIndex(), `applied ${applied} beyond last index ${log.lastIndex()}`);
    log.commitTo(applied);
    log.appliedTo(applied);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  /** A voter of the current configuration, with no snapshot pending, may campaign. */
  promotable(): boolean {
    return isVoter(this.tracker.config, this.id) && this.log.unstable.snapshot === undefined;
  }

  #send(m: Message): void {
    const type = m.type;
    if (type === 'vote' || type === 'voteResp' || type === 'preVote' || type === 'preVoteResp') {
      assert(m.term > 0, `${type} must carry a term`);
      this.msgs.push(m.from === this.id ? m : { ...m, from: this.id });
      return;
    }
    // Forwarded proposals and reads carry no term: the leader takes them in any term.
    const term = type === 'prop' || type === 'readIndex' ? 0 : this.term;
    this.msgs.push({ ...m, from: this.id, term });
  }

  // Role transitions.

  #reset(term: Term): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = 0;
    }
    this.lead = 0;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.config.electionTicks + this.rng.intn(this.config.electionTicks);
    this.leadTransferee = 0;
    this.tracker.resetVotes();
    this.tracker.resetProgress(this.log.lastIndex() + 1);
    // Our own log counts toward a quorum only as far as it is persisted.
    const self = this.tracker.progress.get(this.id);
    if (self) self.match = this.log.stableLastIndex();
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly.reset();
    this.pendingReadIndex = [];
    this.appendsPending = false;
    this.leaseRevoked = false;
    this.quiesced = false;
    this.#campaignAfterApply = false;
  }

  becomeFollower(term: Term, lead: ReplicaId): void {
    this.#reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  /**
   * A PreVote round changes neither the term nor the vote, so a replica that
   * cannot win (partitioned, or behind) does not disrupt the group.
   */
  #becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a pre-candidate');
    this.tracker.resetVotes();
    this.lead = 0;
    this.role = 'preCandidate';
  }

  #becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become a candidate');
    this.#reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  #becomeLeader(): void {
    assert(this.role === 'candidate', 'only a candidate becomes leader');
    this.#reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.tracker.progress.get(this.id);
    assert(self !== undefined, 'a leader must be a member');
    self.becomeReplicate();
    self.recentActive = true;
    // Any uncommitted entry may be a conf change: no new one until it applies.
    this.pendingConfIndex = this.log.lastIndex();
    // An entry of the new term lets entries of earlier terms commit (§5.4.2).
    this.#appendEntries([{ term: 0, index: 0, type: 'normal', data: noBytes }], true);
    this.uncommittedSize = 0;
  }

  // Elections.

  /** Starts an election if this replica may (a voter, not leader, no unapplied conf change). */
  hup(kind: CampaignKind): void {
    if (this.role === 'leader' || !this.promotable() || this.#hasUnappliedConfChange()) return;
    this.#campaign(kind);
  }

  #campaign(kind: CampaignKind): void {
    let type: 'vote' | 'preVote';
    let term: Term;
    if (kind === 'preElection') {
      this.#becomePreCandidate();
      type = 'preVote';
      term = this.term + 1;
    } else {
      this.#becomeCandidate();
      type = 'vote';
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes() === 'won') {
      // A single voter wins at once.
      if (kind === 'preElection') this.#campaign('election');
      else this.#becomeLeader();
      return;
    }
    const index = this.log.lastIndex();
    const logTerm = this.log.lastTerm();
    for (const id of voterIds(this.tracker.config)) {
      if (id === this.id) continue;
      this.#send(message({
        type, to: id, from: this.id, term, index, logTerm, ...(kind === 'transfer' ? { context: transferContext } : {}),
      }));
    }
  }

  #hasUnappliedConfChange(): boolean {
    const log = this.log;
    if (log.committed <= log.applied) return false;
    const entries = log.slice(Math.max(log.applied + 1, log.firstIndex()), log.committed + 1, Number.MAX_SAFE_INTEGER);
    return entries.some((e) => e.type === 'confChange');
  }

  #handleVoteRequest(m: Message): void {
    const canVote = this.vote === m.from || (this.vote === 0 && this.lead === 0) ||
      (m.type === 'preVote' && m.term > this.term);
    const type = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // A grant carries the request's term so the candidate can tell it from
      // a stale answer (for PreVote, a term this replica has not reached).
      this.#send(message({ type, to: m.from, from: this.id, term: m.term }));
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.#send(message({ type, to: m.from, from: this.id, term: this.term, reject: true }));
    }
  }

  // Ticks.

  tick(): void {
    if (this.quiesced) return;
    this.ticks++;
    this.#leaderSilence++;
    if (this.role === 'leader') this.#tickHeartbeat();
    else this.#tickElection();
  }

  #tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.hup(this.config.preVote ? 'preElection' : 'election');
    }
  }

  #tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTicks) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum) {
        if (!this.tracker.quorumActive(this.id)) {
          // Not heard from a quorum for an election timeout: another leader
          // may exist, so stop serving (CheckQuorum).
          this.becomeFollower(this.term, 0);
          return;
        }
        for (const [id, pr] of this.tracker.progress) if (id !== this.id) pr.recentActive = false;
      }
      // A transfer that did not finish within an election timeout is abandoned.
      this.leadTransferee = 0;
    }
    if (this.heartbeatElapsed >= this.config.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.#broadcastHeartbeat(undefined, false);
    }
  }

  // Step.

  /** Handles one message (from the network, already checked, or local). */
  step(m: Message): void {
    if (m.type !== 'heartbeatResp' && !(m.type === 'heartbeat' && m.quiesce === true)) this.wake();
    if (!this.#stepTerm(m)) return;
    switch (m.type) {
      case 'hup':
        this.hup(this.config.preVote ? 'preElection' : 'election');
        return;
      case 'vote':
      case 'preVote':
        this.#handleVoteRequest(m);
        return;
      default:
        break;
    }
    switch (this.role) {
      case 'leader': this.#stepLeader(m); return;
      case 'candidate':
      case 'preCandidate': this.#stepCandidate(m); return;
      case 'follower': this.#stepFollower(m); return;
    }
  }

  /**
   * The term rules every message goes through first. Returns false when the
   * message is handled (or dropped) here.
   */
  #stepTerm(m: Message): boolean {
    if (m.term === 0 || m.type === 'prop' || m.type === 'readIndex') return true;
    if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        // Leader stickiness: a replica that heard from a leader within an
        // election timeout (or leads) ignores candidates, unless the leader
        // itself asked for the election (a transfer).
        const inLease = this.config.checkQuorum &&
          (this.role === 'leader' || this.#leaderSilence < this.config.electionTicks);
        if (inLease && !isTransfer(m.context)) return false;
      }
      if (m.type === 'preVote') {
        // Never change the term in answer to a PreVote.
      } else if (m.type === 'preVoteResp' && !m.reject) {
        // A grant of our prospective term: the term moves when the PreVote wins.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, 0);
      }
      return true;
    }
    if (m.term < this.term) {
      if ((this.config.checkQuorum || this.config.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
        // A stale leader (perhaps partitioned away while we moved on) learns
        // the newer term from this answer and steps down; without it, with
        // PreVote or CheckQuorum it could keep the rest of the group from
        // ever electing it.
        this.#send(message({ type: 'appResp', to: m.from }));
      } else if (m.type === 'preVote') {
        this.#send(message({ type: 'preVoteResp', to: m.from, from: this.id, term: this.term, reject: true }));
      }
      return false;
    }
    return true;
  }

  #stepLeader(m: Message): void {
    switch (m.type) {
      case 'beat': this.#broadcastHeartbeat(undefined, false); return;
      case 'prop': this.propose(m.entries); return;
      case 'readIndex': this.#handleReadIndex(m.from, m.context ?? noBytes); return;
      case 'transferLeader': this.transferLeader(m.index); return;
      default: break;
    }
    const pr = this.tracker.progress.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'appResp': this.#handleAppendResponse(m, pr); return;
      case 'heartbeatResp': this.#handleHeartbeatResponse(m, pr); return;
      case 'snapStatus': pr.snapshotReported(m.reject); return;
      case 'unreachable':
        // Appends sent optimistically were probably lost.
        if (pr.state === 'replicate') pr.becomeProbe();
        return;
      default:
        return;
    }
  }

  #stepCandidate(m: Message): void {
    switch (m.type) {
      case 'prop':
        throw new ProposalDroppedError('no leader');
      case 'app':
      case 'heartbeat':
      case 'snap':
        // A leader of this term exists (it won; we lost).
        this.becomeFollower(m.term, m.from);
        this.#stepFollower(m);
        return;
      case 'voteResp':
      case 'preVoteResp':
        this.#handleVoteResponse(m);
        return;
      case 'readIndex':
        this.errors.readsDropped++;
        return;
      default:
        return;
    }
  }

  #handleVoteResponse(m: Message): void {
    const expected = this.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
    if (m.type !== expected) return;
    this.tracker.recordVote(m.from, !m.reject);
    const result = this.tracker.tallyVotes();
    if (result === 'won') {
      if (this.role === 'preCandidate') this.#campaign('election');
      else this.#becomeLeader();
    } else if (result === 'lost') {
      this.becomeFollower(this.term, 0);
    }
  }

  #stepFollower(m: Message): void {
    switch (m.type) {
      case 'prop':
        if (this.lead === 0) throw new ProposalDroppedError('no leader');
        this.#send({ ...m, to: this.lead });
        return;
      case 'app':
        this.#heardFromLeader(m.from);
        this.#handleAppend(m);
        return;
      case 'heartbeat':
        this.#heardFromLeader(m.from);
        this.#handleHeartbeat(m);
        return;
      case 'snap':
        this.#heardFromLeader(m.from);
        this.#handleSnapshot(m);
        return;
      case 'transferLeader':
        // Meant for a leader we no longer are: the requester retries.
        return;
      case 'timeoutNow':
        // Only our leader may waive the election timeout (and stickiness).
        if (m.from !== this.lead) {
          this.errors.malformed++;
          return;
        }
        // The leader asks us to take over: campaign now, skipping PreVote;
        // if a committed conf change is still to be applied (a leader that
        // removed itself hands over right away), once it is.
        if (this.#hasUnappliedConfChange()) this.#campaignAfterApply = true;
        else this.hup('transfer');
        return;
      case 'readIndex':
        // Meant for a leader we no longer are: the requester retries.
        this.errors.readsDropped++;
        return;
      case 'readIndexResp':
        // Only the leader we asked confirms a read.
        if (m.from !== this.lead) {
          this.errors.malformed++;
          return;
        }
        this.readStates.push({ index: m.index, requestContext: m.context ?? noBytes });
        return;
      default:
        return;
    }
  }

  // Follower: the log from the leader.

  #heardFromLeader(lead: ReplicaId): void {
    this.electionElapsed = 0;
    this.#leaderSilence = 0;
    this.lead = lead;
  }

  /** Whether an append's entries follow on from its index with plausible terms. */
  #appendIsConsistent(m: Message): boolean {
    let previous = m.logTerm;
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i]!;
      if (e.index !== m.index + 1 + i || e.term < previous || e.term > m.term || e.term === 0) return false;
      previous = e.term;
    }
    return m.logTerm <= m.term;
  }

  #handleAppend(m: Message): void {
    if (!this.#appendIsConsistent(m)) {
      this.errors.malformed++;
      return;
    }
    const log = this.log;
    if (m.index < log.committed) {
      // Everything up to our commit index matches the leader's log already.
      this.#send(message({ type: 'appResp', to: m.from, index: log.committed }));
      return;
    }
    const lastNew = log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.#send(message({ type: 'appResp', to: m.from, index: lastNew }));
      return;
    }
    // Fast backtracking: tell the leader the last index that can still match
    // (and its term), so it skips whole terms instead of one entry per round.
    const hint = log.findConflictByTerm(Math.min(m.index, log.lastIndex()), m.logTerm);
    this.#send(message({
      type: 'appResp', to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term,
    }));
  }

  #handleHeartbeat(m: Message): void {
    const log = this.log;
    if (m.commit > log.lastIndex()) {
      // A leader sends at most what we acknowledged: refuse rather than commit entries we lack.
      this.errors.malformed++;
    } else {
      log.commitTo(m.commit);
      if (m.quiesce === true && log.committed === m.commit && log.lastIndex() === m.commit) this.quiesced = true;
    }
    // The answer echoes the heartbeat's send tick (for the leader's lease)
    // and carries our commit index: a leader that lost our answer to its
    // snapshot learns from it that the snapshot arrived.
    this.#send(message({
      type: 'heartbeatResp', to: m.from, index: m.index, commit: log.committed, ...(m.context ? { context: m.context } : {}),
    }));
  }

  #handleSnapshot(m: Message): void {
    const snapshot = m.snapshot;
    assert(snapshot !== undefined, 'checkMessage lets no snap without a snapshot through');
    if (snapshot.metadata.term > m.term) {
      // No leader holds an entry of a term after its own.
      this.errors.malformed++;
      return;
    }
    if (this.#restore(snapshot)) {
      this.#send(message({ type: 'appResp', to: m.from, index: this.log.lastIndex() }));
    } else {
      this.#send(message({ type: 'appResp', to: m.from, index: this.log.committed }));
    }
  }

  /** Installs a snapshot from the leader; false when it is stale, useless or unusable. */
  #restore(snapshot: Snapshot): boolean {
    const meta = snapshot.metadata;
    if (meta.index <= this.log.committed) return false;
    assert(this.role === 'follower', 'only a follower installs a snapshot');
    let config: TrackerConfig;
    try {
      config = configFromConfState(meta.confState);
    } catch (error) {
      if (!(error instanceof ConfChangeError)) throw error;
      this.errors.malformed++;
      return false;
    }
    // A snapshot of a configuration without us would leave us unable to act.
    if (!isMember(config, this.id)) return false;
    if (this.log.matchTerm(meta.index, meta.term)) {
      // We hold the snapshot's last entry: just fast-forward the commit index.
      this.log.commitTo(meta.index);
      return false;
    }
    this.log.restore(snapshot);
    this.tracker.setConfig(config, this.log.lastIndex() + 1);
    this.tracker.resetProgress(this.log.lastIndex() + 1);
    return true;
  }

  // Leader: replication.

  #handleAppendResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.index > this.log.lastIndex()) {
      // We never sent that far: a confused or forged answer.
      this.errors.malformed++;
      return;
    }
    if (m.reject) {
      let next = m.rejectHint;
      if (m.logTerm > 0) next = this.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
      if (pr.maybeDecrTo(m.index, next)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.#maybeSendAppend(m.from, true);
      }
      return;
    }
    // In probe state, an answer to the probe at next-1 = match moves nothing
    // but shows the logs match there: start pipelining.
    const probeAcked = pr.state === 'probe' && pr.match === m.index && pr.next - 1 === m.index;
    if (!pr.maybeUpdate(m.index) && !probeAcked) return;
    if (pr.state === 'probe') {
      pr.becomeReplicate();
    } else if (pr.state === 'snapshot') {
      // Caught up (by the snapshot or otherwise): our log continues from its match.
      if (pr.match + 1 >= this.log.firstIndex()) {
        pr.becomeProbe();
        pr.becomeReplicate();
      }
    } else {
      pr.inflights.freeLE(m.index);
    }
    this.#maybeCommit();
    while (this.#maybeSendAppend(m.from, false)) { /* pipeline while the window allows */ }
    if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) this.#sendTimeoutNow(m.from);
  }

  #handleHeartbeatResponse(m: Message, pr: Progress): void {
    pr.recentActive = true;
    pr.heartbeatAnswered();
    if (m.index > pr.heartbeatAckTick && m.index <= this.ticks) pr.heartbeatAckTick = m.index;
    if (pr.state === 'snapshot' && m.commit >= pr.pendingSnapshot && m.commit <= this.log.lastIndex()) {
      // The follower holds the snapshot (its answer, or the caller's report,
      // was lost): probe from just past it.
      pr.becomeProbe();
    }
    // A follower behind us, or whose appends may have been lost, gets an
    // append (empty if need be): it either acknowledges or says where to
    // resume. At most one per tick, however many answers arrive at once.
    if ((pr.match < this.log.lastIndex() || pr.state === 'probe') && pr.heartbeatProbeTick !== this.ticks) {
      pr.heartbeatProbeTick = this.ticks;
      this.#maybeSendAppend(m.from, true);
    }
    if (m.context && m.context.length > 0) this.#confirmReads(m.from, m.context);
  }

  /** Sends one append (or a snapshot) to `to`; returns whether anything was sent. */
  #maybeSendAppend(to: ReplicaId, sendIfEmpty: boolean): boolean {
    if (to === this.id) return false;
    const pr = this.tracker.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const log = this.log;
    const prevIndex = pr.next - 1;
    const prevTerm = log.term(prevIndex);
    if (prevTerm === undefined || pr.next < log.firstIndex()) return this.#maybeSendSnapshot(to, pr);
    const entries = pr.next <= log.lastIndex() ? log.entriesFrom(pr.next, this.config.maxSizePerMsg) : [];
    if (entries.length === 0 && !sendIfEmpty) return false;
    const commit = log.committed;
    this.#send(message({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries, commit }));
    let bytes = 0;
    for (let i = 0; i < entries.length; i++) bytes += entries[i]!.data.length;
    pr.sentEntries(prevIndex + entries.length, entries.length, bytes, commit);
    return true;
  }

  #maybeSendSnapshot(to: ReplicaId, pr: Progress): boolean {
    // Only to a follower known to be alive: a snapshot is expensive.
    if (!pr.recentActive) return false;
    let snapshot: Snapshot;
    try {
      snapshot = this.log.snapshot();
    } catch (error) {
      // The caller is still generating one; a later heartbeat answer retries.
      if (error instanceof SnapshotTemporarilyUnavailableError) return false;
      throw error;
    }
    assert(snapshot.metadata.index > 0, 'a compacted log needs a non-empty snapshot');
    pr.becomeSnapshot(snapshot.metadata.index);
    this.#send(message({ type: 'snap', to, snapshot }));
    return true;
  }

  /** Sends what proposals and commit advances since the last Ready are waiting for. */
  flushAppends(): void {
    if (!this.appendsPending) return;
    this.appendsPending = false;
    if (this.role !== 'leader') return;
    const committed = this.log.committed;
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      let sent = false;
      while (this.#maybeSendAppend(id, false)) sent = true;
      // Nothing new to send, but the follower does not know the commit index yet.
      if (!sent && pr.canBumpCommit(committed)) this.#maybeSendAppend(id, true);
    }
  }

  #broadcastHeartbeat(context: Uint8Array | undefined, quiesce: boolean): void {
    const committed = this.log.committed;
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      // Never more than the follower is known to hold: it cannot commit what it lacks.
      this.#send(message({
        type: 'heartbeat', to: id, commit: Math.min(pr.match, committed), index: this.ticks,
        ...(context ? { context } : {}), ...(quiesce ? { quiesce: true } : {}),
      }));
    }
  }

  #maybeCommit(): boolean {
    if (!this.log.maybeCommit(this.tracker.committed(), this.term)) return false;
    this.appendsPending = true;
    this.#releasePendingReadIndex();
    return true;
  }

  // Leader: proposals.

  /**
   * Appends proposed entries (any term/index in them is replaced). Throws
   * ProposalDroppedError when this replica cannot take them now.
   */
  propose(entries: readonly Entry[]): void {
    switch (this.role) {
      case 'follower':
        if (this.lead === 0) throw new ProposalDroppedError('no leader');
        this.#send(message({ type: 'prop', to: this.lead, entries }));
        return;
      case 'candidate':
      case 'preCandidate':
        throw new ProposalDroppedError('no leader');
      case 'leader':
        break;
    }
    if (!this.tracker.progress.has(this.id)) throw new ProposalDroppedError('not a member');
    if (this.leadTransferee !== 0) throw new ProposalDroppedError('leadership transfer');
    const stamped: Entry[] = new Array<Entry>(entries.length);
    let last = this.log.lastIndex();
    let pendingConf = this.pendingConfIndex;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      let type: EntryType = e.type;
      let data = e.data;
      last++;
      if (type === 'confChange') {
        if (this.#confChangeAllowed(data, pendingConf)) {
          pendingConf = last;
        } else {
          // Keep the slot but make it a no-op, as etcd does; the proposer
          // learns by never seeing the change applied.
          this.errors.confChangesRejected++;
          type = 'normal';
          data = noBytes;
        }
      }
      stamped[i] = { term: this.term, index: last, type, data };
    }
    if (!this.#appendEntries(stamped, false)) throw new ProposalDroppedError('uncommitted limit');
    this.pendingConfIndex = pendingConf;
  }

  /**
   * Whether a proposed conf change may enter the log: it decodes, no other
   * is pending, it enters or leaves joint consensus only from the right
   * state, and it applies to the current configuration (which, with none
   * pending, is the one it will apply to).
   */
  #confChangeAllowed(data: Uint8Array, pendingConfIndex: LogIndex): boolean {
    let change: ConfChange;
    try {
      change = decodeConfChange(data);
      if (pendingConfIndex > this.log.applied) return false;
      const joint = isJoint(this.tracker.config);
      if (joint && !leaveJointRequested(change)) return false;
      if (!joint && leaveJointRequested(change)) return false;
      const next = applyConfChange(this.tracker.config, change);
      const final = isJoint(next) ? leaveJoint(next) : next;
      return isVoter(final, this.id) || this.#canLeaveVoters();
    } catch (error) {
      if (error instanceof ConfChangeError) return false;
      throw error;
    }
  }

  /**
   * Whether this leader may stop being a voter: the other voters of each
   * half of the current configuration it belongs to must form a quorum of
   * that half without it. Replicas that have not yet applied the change
   * still count this leader as a voter; if they needed its vote, and it
   * holds entries they lack, no one could ever be elected (a two-voter group
   * removing its leader). Transfer leadership first in that case.
   */
  #canLeaveVoters(): boolean {
    const c = this.tracker.config;
    for (const half of [c.voters, c.votersOutgoing]) {
      if (half.includes(this.id) && half.length - 1 < quorumSize(half.length)) return false;
    }
    return true;
  }

  /**
   * Leader: appends entries, stamping them with this term and the next
   * indexes where they are not already. Returns false, appending nothing, when the
   * uncommitted budget would overflow (a `force`d append never does).
   */
  #appendEntries(entries: Entry[], force: boolean): boolean {
    const limit = this.config.maxUncommittedEntriesSize;
    const payload = payloadSize(entries);
    // An empty budget always admits one proposal, so a large entry can still commit.
    if (!force && limit > 0 && this.uncommittedSize > 0 && payload > 0 && this.uncommittedSize + payload > limit) return false;
    this.uncommittedSize += payload;
    let last = this.log.lastIndex();
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.index !== last + 1 || e.term !== this.term) entries[i] = { term: this.term, index: last + 1, type: e.type, data: e.data };
      last++;
    }
    this.log.append(entries);
    // The leader's own copy counts once persisted (persisted()), so a
    // commit index sent early never covers entries nobody has on disk.
    this.appendsPending = true;
    return true;
  }

  /** The caller applied entries (RawNode.advance): a transfer campaign waiting for that may start. */
  applied(): void {
    if (!this.#campaignAfterApply || this.#hasUnappliedConfChange()) return;
    this.#campaignAfterApply = false;
    if (this.role === 'follower') this.hup('transfer');
  }

  /**
   * The caller persisted the log up to `index` (RawNode.advance). The
   * leader's own acknowledgement: with it, entries may commit (a single
   * voter commits only here). Counting the leader's copy before it is on
   * disk would let a commit index travel in appends sent before the write
   * (thesis §10.2.1) while a crash could still lose the entry.
   */
  persisted(): void {
    if (this.role !== 'leader') return;
    const self = this.tracker.progress.get(this.id);
    if (self && self.maybeUpdate(this.log.stableLastIndex())) this.#maybeCommit();
  }

  /** Committed entries were handed out: they no longer count against the uncommitted budget. */
  reduceUncommittedSize(entries: readonly Entry[]): void {
    if (this.uncommittedSize === 0) return;
    this.uncommittedSize = Math.max(0, this.uncommittedSize - payloadSize(entries));
  }

  // Reads.

  /** A local ReadIndex request (or one forwarded to a follower that lost track of the leader). */
  readIndex(context: Uint8Array): void {
    if (this.role === 'leader') {
      this.#handleReadIndex(0, context);
    } else if (this.role === 'follower' && this.lead !== 0) {
      this.#send(message({ type: 'readIndex', to: this.lead, context }));
    } else {
      this.errors.readsDropped++;
    }
  }

  #committedEntryInCurrentTerm(): boolean {
    return this.log.term(this.log.committed) === this.term;
  }

  #handleReadIndex(from: ReplicaId, context: Uint8Array): void {
    if (!this.#committedEntryInCurrentTerm()) {
      // A new leader may not know the latest commit index until an entry of
      // its own term commits (thesis §6.4, step 1).
      if (this.pendingReadIndex.length >= readIndexPendingMax) this.errors.readsDropped++;
      else this.pendingReadIndex.push({ from, context });
      return;
    }
    this.#serveReadIndex(from, context);
  }

  #serveReadIndex(from: ReplicaId, context: Uint8Array): void {
    // A leader that is a quorum on its own confirms its leadership with nobody.
    const alone = this.tracker.isQuorum(this.id, () => false);
    if (alone || (this.config.readOnlyOption === 'leaseBased' && this.leaseValid())) {
      this.#answerRead(from, context, this.log.committed);
      return;
    }
    if (!this.readOnly.add(this.log.committed, from, context)) {
      this.errors.readsDropped++;
      return;
    }
    this.#broadcastHeartbeat(context, false);
  }

  #releasePendingReadIndex(): void {
    if (this.pendingReadIndex.length === 0 || !this.#committedEntryInCurrentTerm()) return;
    const pending = this.pendingReadIndex;
    this.pendingReadIndex = [];
    for (const r of pending) this.#serveReadIndex(r.from, r.context);
  }

  /** A heartbeat carrying `context` was acknowledged by `from`; serves the reads a quorum confirmed. */
  #confirmReads(from: ReplicaId, context: Uint8Array): void {
    const acks = this.readOnly.recvAck(from, context);
    if (!acks || !this.tracker.isQuorum(this.id, (id) => acks.has(id))) return;
    for (const read of this.readOnly.advance(context)) this.#answerRead(read.from, read.context, read.index);
  }

  #answerRead(from: ReplicaId, context: Uint8Array, index: LogIndex): void {
    if (from === 0 || from === this.id) {
      this.readStates.push({ index, requestContext: context });
    } else {
      this.#send(message({ type: 'readIndexResp', to: from, index, context }));
    }
  }

  /**
   * Whether this leader holds a lease: a quorum has received a heartbeat it
   * sent fewer than electionTicks − 1 ticks ago.
   *
   * Why that is safe: a follower that receives a heartbeat refuses other
   * candidates for electionTicks of its own ticks (leader stickiness, with
   * CheckQuorum), and any new leader needs a vote from a quorum, which
   * overlaps the quorum that received the heartbeat. Ticks are not aligned
   * between replicas, so one tick is given up for the follower's first tick
   * landing right after the heartbeat arrives. A restarted replica forgets
   * the heartbeat, so in lease mode it also waits an election timeout before
   * voting. Not covered: clock drift. If a follower's ticks run faster than
   * the leader's, its stickiness ends early in real time; the lease is safe
   * only while drift over a lease is smaller than the margin left between
   * the election timeout and the time since the quorum received the
   * heartbeat. Leases are also void while quiesced (nobody ticks) and after
   * this leader sent timeoutNow (the target campaigns without waiting).
   */
  leaseValid(): boolean {
    if (this.config.readOnlyOption !== 'leaseBased') return false;
    if (this.role !== 'leader' || this.quiesced || this.leaseRevoked) return false;
    if (!this.#committedEntryInCurrentTerm()) return false;
    const start = this.tracker.quorumHeartbeatTick(this.id, this.ticks);
    return start > 0 && this.ticks - start < this.config.electionTicks - 1;
  }

  // Leadership transfer.

  /**
   * Starts handing leadership to `target`. A follower forwards the request
   * to the leader it knows (the message carries the target in `index`).
   */
  transferLeader(target: ReplicaId): void {
    if (this.role === 'follower') {
      if (this.lead !== 0) this.#send(message({ type: 'transferLeader', to: this.lead, index: target }));
      return;
    }
    if (this.role !== 'leader') return;
    const pr = this.tracker.progress.get(target);
    if (!pr || pr.isLearner) return;
    if (this.leadTransferee === target || target === this.id) return;
    this.leadTransferee = target;
    // The transfer gets one election timeout to finish.
    this.electionElapsed = 0;
    if (pr.match === this.log.lastIndex()) this.#sendTimeoutNow(target);
    else this.#maybeSendAppend(target, true);
  }

  #sendTimeoutNow(to: ReplicaId): void {
    // The target campaigns at once and followers grant it despite stickiness.
    this.leaseRevoked = true;
    this.#send(message({ type: 'timeoutNow', to }));
  }

  // Quiescence.

  /** Whether this leader's group is idle: all committed, applied and acknowledged, nothing pending. */
  canQuiesce(): boolean {
    if (this.role !== 'leader' || this.leadTransferee !== 0 || this.appendsPending) return false;
    if (this.readOnly.size > 0 || this.pendingReadIndex.length > 0) return false;
    const log = this.log;
    const last = log.lastIndex();
    if (log.committed !== last || log.applied !== last || log.unstable.entries.length > 0) return false;
    if (isJoint(this.tracker.config) && this.tracker.config.autoLeave) return false;
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      if (pr.match !== last || pr.state !== 'replicate' || pr.inflights.count > 0) return false;
    }
    return true;
  }

  /** Leader: tells followers to stop ticking and stops ticking itself, until a message or proposal. */
  quiesce(): boolean {
    if (!this.canQuiesce()) return false;
    this.#broadcastHeartbeat(undefined, true);
    this.quiesced = true;
    return true;
  }

  /** Ends quiescence: the election timer (or the leader's heartbeats) runs again. */
  wake(): void {
    if (!this.quiesced) return;
    this.quiesced = false;
    if (this.role !== 'leader') return;
    // Nobody ticked meanwhile: give CheckQuorum a fresh window, and let the
    // lease be re-established by new heartbeats rather than trust old ones.
    this.electionElapsed = 0;
    for (const pr of this.tracker.progress.values()) pr.heartbeatAckTick = 0;
  }

  // Membership.

  /** Applies a committed conf change (the caller applies it in log order); returns the new configuration. */
  applyConfChange(change: ConfChange): ConfState {
    let next: TrackerConfig;
    try {
      next = applyConfChange(this.tracker.config, change);
    } catch (error) {
      if (!(error instanceof ConfChangeError)) throw error;
      // The leader checked it against this very configuration, so only a
      // corrupt entry or an out-of-order apply gets here. Every replica
      // refuses it alike, so the configurations stay in agreement.
      this.errors.confChangesRejected++;
      return confStateOf(this.tracker.config);
    }
    this.#switchConfig(next);
    return confStateOf(next);
  }

  /** Applies the conf change entry data `data`, refusing (and counting) one that does not decode. */
  applyConfChangeData(data: Uint8Array): ConfState {
    let change: ConfChange;
    try {
      change = decodeConfChange(data);
    } catch (error) {
      if (!(error instanceof ConfChangeError)) throw error;
      this.errors.confChangesRejected++;
      return confStateOf(this.tracker.config);
    }
    return this.applyConfChange(change);
  }

  #switchConfig(next: TrackerConfig): void {
    const known = new Set(this.tracker.progress.keys());
    this.tracker.setConfig(next, this.log.lastIndex() + 1);
    for (const [id, pr] of this.tracker.progress) {
      // A new member counts as active, so CheckQuorum does not depose the
      // leader before it had a chance to answer (and it may get a snapshot).
      if (!known.has(id)) pr.recentActive = true;
    }
    if (this.role !== 'leader') return;
    if (!isVoter(next, this.id)) {
      // Removed (or demoted): it led until the change applied; now it hands
      // over to a caught-up voter, if there is one, and steps down.
      this.#handOff(next);
      this.becomeFollower(this.term, 0);
      return;
    }
    if (this.leadTransferee !== 0 && !isVoter(next, this.leadTransferee)) this.leadTransferee = 0;
    // The quorum changed, so the commit index may move; new members need appends.
    this.#maybeCommit();
    this.appendsPending = true;
  }

  /** Sends timeoutNow to the voter of `config` with the longest log, if it holds all of ours. */
  #handOff(config: TrackerConfig): void {
    const best = this.#mostCaughtUp(voterIds(config));
    if (best !== undefined && best.match === this.log.lastIndex()) this.#sendTimeoutNow(best.id);
  }

  /** The member of `candidates` (other than this leader) with the highest match. */
  #mostCaughtUp(candidates: readonly ReplicaId[]): { id: ReplicaId; match: LogIndex } | undefined {
    let best: { id: ReplicaId; match: LogIndex } | undefined;
    for (const id of candidates) {
      const pr = this.tracker.progress.get(id);
      if (id !== this.id && pr && (best === undefined || pr.match > best.match)) best = { id, match: pr.match };
    }
    return best;
  }

  /**
   * Leader: once the entry that entered an auto-leave joint configuration is
   * applied, proposes leaving it. It bypasses the uncommitted budget:
   * leaving must not starve.
   * A leader that would not be a voter afterwards and may not leave the
   * voters (#canLeaveVoters) hands leadership to an incoming voter instead,
   * which then leaves the joint configuration.
   */
  maybeAutoLeave(): void {
    const c = this.tracker.config;
    if (this.role !== 'leader' || !c.autoLeave || !isJoint(c)) return;
    // During a transfer the new leader leaves (it would lack our entry and lose).
    if (this.log.applied < this.pendingConfIndex || this.leadTransferee !== 0) return;
    if (!c.voters.includes(this.id) && !this.#canLeaveVoters()) {
      const best = this.#mostCaughtUp(c.voters);
      if (this.leadTransferee === 0 && best !== undefined) this.transferLeader(best.id);
      return;
    }
    const data = encodeConfChange({ changes: [], transition: 'auto' });
    this.#appendEntries([{ term: this.term, index: this.log.lastIndex() + 1, type: 'confChange', data }], true);
    this.pendingConfIndex = this.log.lastIndex();
  }
}
