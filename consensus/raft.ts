/**
 * The Raft state machine: elections (with PreVote and CheckQuorum), log
 * replication with pipelining and flow control, commitment, snapshots,
 * membership changes, leadership transfer and ReadIndex. Everything happens
 * in step() and tick(); output accumulates in `msgs` and `readStates` for
 * RawNode to hand out in a Ready. No I/O, clocks or ambient randomness.
 */
import { assert } from './assert.ts';
import { applyConfChange, ConfChangeError, decodeConfChange, leaveJoint } from './confchange.ts';
import { entriesSize } from './entry-size.ts';
import { ProposalDroppedError, SnapshotTemporarilyUnavailableError } from './errors.ts';
import { RaftLog } from './log.ts';
import type { RaftConfig } from './config.ts';
import type { Progress } from './progress.ts';
import { ReadOnly } from './read-only.ts';
import { configFromConfState, confStateOf, isJoint, isVoter, members, ProgressTracker, type TrackerConfig } from './tracker.ts';
import type {
  ConfChange, ConfState, Entry, HardState, LogIndex, Message, MessageType, RaftRole, RaftStorage, ReadState,
  ReplicaId, Rng, Snapshot, Term,
} from './types.ts';

/** The options the state machine runs with (RawNode's RaftConfig). */
export type RaftOptions = RaftConfig;

/** A chunked snapshot a follower is receiving. */
interface IncomingSnapshot {
  readonly index: LogIndex;
  readonly term: Term;
  readonly total: number;
  readonly parts: Uint8Array[];
  received: number;
}

const transferContext = new TextEncoder().encode('transfer');
const emptyBytes = new Uint8Array(0);

function isTransfer(context: Uint8Array | undefined): boolean {
  return context !== undefined && context.length === transferContext.length && context.every((b, i) => b === transferContext[i]);
}

/** Builds a message with every unused field zeroed. */
export function message(fields: Partial<Message> & { type: MessageType; to: ReplicaId }): Message {
  return { from: 0, term: 0, index: 0, logTerm: 0, entries: [], commit: 0, reject: false, rejectHint: 0, ...fields };
}

export class Raft {
  readonly id: ReplicaId;
  term: Term = 0;
  vote: ReplicaId = 0;
  lead: ReplicaId = 0;
  role: RaftRole = 'follower';
  readonly log: RaftLog;
  readonly tracker: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  leadTransferee: ReplicaId = 0;
  pendingConfIndex: LogIndex = 0;
  uncommittedSize = 0;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  quiesced = false;
  /** Messages and entries rejected as malformed, for status and tests. */
  malformedCount = 0;
  readonly readOnly: ReadOnly;
  /** ReadIndex requests waiting for the leader to commit an entry of its term. */
  pendingReadIndex: Message[] = [];
  /** Proposals were appended and their appends are not sent yet. */
  appendsPending = false;
  #incomingSnapshot: IncomingSnapshot | null = null;

  constructor(readonly options: RaftOptions, storage: RaftStorage, private readonly rng: Rng) {
    assert(options.id > 0, 'replica ID must be positive');
    assert(options.heartbeatTicks > 0 && options.electionTicks > options.heartbeatTicks, 'election ticks must exceed heartbeat ticks');
    assert(!(options.readOnlyOption === 'leaseBased' && !options.checkQuorum), 'lease-based reads need CheckQuorum');
    this.id = options.id;
    this.log = new RaftLog(storage, options.maxCommittedSizePerReady);
    this.readOnly = new ReadOnly(options.readOnlyOption);
    const { hardState, confState } = storage.initialState();
    this.tracker = new ProgressTracker(configFromConfState(confState), options.maxInflightMsgs, options.maxInflightBytes);
    this.#resetProgress();
    if (hardState.term !== 0 || hardState.vote !== 0 || hardState.commit !== 0) {
      assert(hardState.commit <= this.log.lastIndex(), `hard state commit ${hardState.commit} beyond last index ${this.log.lastIndex()}`);
      this.term = hardState.term;
      this.vote = hardState.vote;
      // A compacted prefix was committed even if the (unsynced) commit index
      // persisted with the hard state is older.
      this.log.committed = Math.max(hardState.commit, this.log.committed);
    }
    if (options.applied > this.log.committed) {
      // The commit index is persisted without a sync; a crash can lose it while
      // the state machine's applied index (written with the applied entries)
      // survives. Whatever was applied was committed.
      assert(options.applied <= this.log.lastIndex(), `applied ${options.applied} beyond last index ${this.log.lastIndex()}`);
      this.log.commitTo(options.applied);
    }
    if (options.applied > 0) this.log.appliedTo(options.applied);
    this.becomeFollower(this.term, 0);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  get config(): TrackerConfig {
    return this.tracker.config;
  }

  /** A voter of the current configuration that can campaign. */
  promotable(): boolean {
    return isVoter(this.tracker.config, this.id) && !this.log.unstable.snapshot;
  }

  #send(m: Message): void {
    let term = m.term;
    if (m.type === 'vote' || m.type === 'voteResp' || m.type === 'preVote' || m.type === 'preVoteResp') {
      assert(term !== 0, `${m.type} must carry a term`);
    } else if (m.type !== 'prop' && m.type !== 'readIndex' && m.type !== 'transferLeader') {
      term = this.term;
    }
    this.msgs.push({ ...m, from: this.id, term });
  }

  // Role transitions.

  #resetProgress(): void {
    const last = this.log.lastIndex();
    const previous = this.tracker.progress;
    this.tracker.progress = new Map();
    for (const id of members(this.tracker.config)) {
      const pr = this.tracker.newProgress(last + 1, !isVoter(this.tracker.config, id));
      if (id === this.id) pr.match = last;
      pr.recentActive = previous.get(id)?.recentActive ?? false;
      this.tracker.progress.set(id, pr);
    }
  }

  #reset(term: Term): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = 0;
    }
    this.lead = 0;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.options.electionTicks + this.rng.intn(this.options.electionTicks);
    this.leadTransferee = 0;
    this.tracker.resetVotes();
    this.#resetProgress();
    this.pendingConfIndex = 0;
    this.uncommittedSize = 0;
    this.readOnly.reset();
    this.quiesced = false;
  }

  becomeFollower(term: Term, lead: ReplicaId): void {
    this.#reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  becomePreCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become pre-candidate');
    // PreVote does not change the term or vote: a partitioned node that cannot
    // win does not disrupt the cluster when it comes back.
    this.tracker.resetVotes();
    this.#resetProgress();
    this.lead = 0;
    this.role = 'preCandidate';
  }

  becomeCandidate(): void {
    assert(this.role !== 'leader', 'a leader cannot become candidate');
    this.#reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  becomeLeader(): void {
    assert(this.role !== 'follower', 'a follower cannot become leader directly');
    this.#reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.tracker.progress.get(this.id);
    self?.becomeReplicate();
    // Conservatively treat any uncommitted entry as a possible conf change.
    this.pendingConfIndex = this.log.lastIndex();
    // An empty entry of the new term lets entries of earlier terms commit (§5.4.2).
    this.#appendEntries([{ term: 0, index: 0, type: 'normal', data: emptyBytes }]);
  }

  // Campaigns.

  /**
   * Starts an election: a PreVote round first when enabled ('preElection'),
   * the real election once it wins ('election'), or straight away for a
   * leadership transfer ('transfer', which also bypasses leader stickiness).
   */
  campaign(kind: 'preElection' | 'election' | 'transfer'): void {
    if (!this.promotable()) return;
    if (this.#hasUnappliedConfChange()) return;
    if (kind === 'preElection' && this.options.preVote) {
      this.becomePreCandidate();
      this.#startVote('preVote', this.term + 1, false);
    } else {
      this.becomeCandidate();
      this.#startVote('vote', this.term, kind === 'transfer');
    }
  }

  #startVote(type: 'vote' | 'preVote', term: Term, transfer: boolean): void {
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes() === 'won') {
      if (type === 'preVote') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    for (const id of this.tracker.voterIds()) {
      if (id === this.id) continue;
      this.#send(message({
        type, to: id, term, index: this.log.lastIndex(), logTerm: this.log.lastTerm(),
        ...(transfer ? { context: transferContext } : {}),
      }));
    }
  }

  #hasUnappliedConfChange(): boolean {
    if (this.log.committed <= this.log.applied) return false;
    const entries = this.log.slice(Math.max(this.log.applied + 1, this.log.firstIndex()), this.log.committed + 1, Number.MAX_SAFE_INTEGER);
    return entries.some((e) => e.type === 'confChange');
  }

  // Ticks.

  tick(): void {
    if (this.quiesced) return;
    if (this.role === 'leader') this.#tickHeartbeat();
    else this.#tickElection();
  }

  #tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.campaign('preElection');
    }
  }

  #tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.options.electionTicks) {
      this.electionElapsed = 0;
      if (this.options.checkQuorum) {
        if (!this.tracker.quorumActive(this.id)) {
          this.becomeFollower(this.term, 0);
          return;
        }
        for (const [id, pr] of this.tracker.progress) if (id !== this.id) pr.recentActive = false;
      }
      if (this.leadTransferee !== 0) this.leadTransferee = 0;
    }
    if (this.heartbeatElapsed >= this.options.heartbeatTicks) {
      this.heartbeatElapsed = 0;
      this.#broadcastHeartbeat(undefined);
    }
  }

  // Step.

  step(m: Message): void {
    // Any message wakes a quiesced group, except the quiesce heartbeat itself
    // and the acknowledgements it draws.
    if (!(m.type === 'heartbeat' && m.quiesce) && m.type !== 'heartbeatResp') this.quiesced = false;
    if (m.term === 0) {
      // Local messages carry no term.
    } else if (m.term > this.term) {
      if (m.type === 'vote' || m.type === 'preVote') {
        const inLease = this.options.checkQuorum && this.lead !== 0 && this.electionElapsed < this.options.electionTicks;
        if (!isTransfer(m.context) && inLease) return;
      }
      if (m.type === 'preVote') {
        // Never change the term in response to a PreVote.
      } else if (m.type === 'preVoteResp' && !m.reject) {
        // The term is bumped when the PreVote wins.
      } else if (m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap') {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, 0);
      }
    } else if (m.term < this.term) {
      if ((this.options.checkQuorum || this.options.preVote) && (m.type === 'heartbeat' || m.type === 'app')) {
        // Tell a stale leader about the newer term so it steps down.
        this.#send(message({ type: 'appResp', to: m.from }));
      } else if (m.type === 'preVote') {
        this.#send(message({ type: 'preVoteResp', to: m.from, term: this.term, reject: true }));
      }
      return;
    }

    switch (m.type) {
      case 'hup':
        if (this.role !== 'leader') this.campaign('preElection');
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

  #handleVoteRequest(m: Message): void {
    const canVote = this.vote === m.from || (this.vote === 0 && this.lead === 0) || (m.type === 'preVote' && m.term > this.term);
    const respType = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
    if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
      // A PreVote response carries the term of the request, so the candidate
      // can tell a grant of its prospective term from a stale answer.
      this.#send(message({ type: respType, to: m.from, term: m.term }));
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.#send(message({ type: respType, to: m.from, term: this.term, reject: true }));
    }
  }

  #stepCandidate(m: Message): void {
    const myVoteResp = this.role === 'preCandidate' ? 'preVoteResp' : 'voteResp';
    switch (m.type) {
      case 'prop':
        throw new ProposalDroppedError('no leader');
      case 'app':
        this.becomeFollower(m.term, m.from);
        this.#handleAppend(m);
        return;
      case 'heartbeat':
        this.becomeFollower(m.term, m.from);
        this.#handleHeartbeat(m);
        return;
      case 'snap':
        this.becomeFollower(m.term, m.from);
        this.#handleSnapshot(m);
        return;
      case 'voteResp':
      case 'preVoteResp': {
        if (m.type !== myVoteResp) return;
        if (!this.tracker.progress.has(m.from)) return;
        this.tracker.recordVote(m.from, !m.reject);
        const result = this.tracker.tallyVotes();
        if (result === 'won') {
          if (this.role === 'preCandidate') this.campaign('election');
          else {
            this.becomeLeader();
            this.#broadcastAppend();
          }
        } else if (result === 'lost') {
          this.becomeFollower(this.term, 0);
        }
        return;
      }
      default:
        return;
    }
  }

  #stepFollower(m: Message): void {
    switch (m.type) {
      case 'prop':
        if (this.lead === 0) throw new ProposalDroppedError('no leader');
        this.msgs.push({ ...m, to: this.lead, from: this.id });
        return;
      case 'app':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.#handleAppend(m);
        return;
      case 'heartbeat':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.#handleHeartbeat(m);
        return;
      case 'snap':
        this.electionElapsed = 0;
        this.lead = m.from;
        this.#handleSnapshot(m);
        return;
      case 'transferLeader':
        if (this.lead === 0) return;
        this.msgs.push({ ...m, to: this.lead, from: m.from === 0 ? this.id : m.from });
        return;
      case 'timeoutNow':
        this.campaign('transfer');
        return;
      case 'readIndex':
        if (this.lead === 0) return;
        this.msgs.push({ ...m, to: this.lead, from: this.id });
        return;
      case 'readIndexResp':
        this.readStates.push({ index: m.index, requestContext: m.context ?? emptyBytes });
        return;
      default:
        return;
    }
  }

  #handleAppend(m: Message): void {
    if (m.index < this.log.committed) {
      this.#send(message({ type: 'appResp', to: m.from, index: this.log.committed }));
      return;
    }
    for (let i = 0; i < m.entries.length; i++) {
      const e = m.entries[i]!;
      if (e.index !== m.index + 1 + i || e.term > m.term || e.term <= 0) {
        this.malformedCount++;
        return;
      }
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.#send(message({ type: 'appResp', to: m.from, index: lastNew }));
      return;
    }
    const hint = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.#send(message({ type: 'appResp', to: m.from, index: m.index, reject: true, rejectHint: hint.index, logTerm: hint.term }));
  }

  #handleHeartbeat(m: Message): void {
    this.log.commitTo(Math.min(m.commit, this.log.lastIndex()));
    if (m.quiesce && this.log.committed === this.log.lastIndex()) this.quiesced = true;
    this.#send(message({ type: 'heartbeatResp', to: m.from, ...(m.context ? { context: m.context } : {}) }));
  }

  #handleSnapshot(m: Message): void {
    const snapshot = m.snapshot;
    if (!snapshot) {
      this.malformedCount++;
      return;
    }
    const whole = m.snapshotBytes === undefined ? snapshot : this.#receiveChunk(m, snapshot);
    if (!whole) return;
    if (this.restore(whole)) {
      this.#send(message({ type: 'appResp', to: m.from, index: this.log.lastIndex() }));
    } else {
      this.#send(message({ type: 'appResp', to: m.from, index: this.log.committed }));
    }
  }

  /**
   * Accumulates one chunk of a streamed snapshot. Returns the whole snapshot
   * once every byte has arrived; otherwise acknowledges how much it holds, so
   * the leader sends the next chunk (or resumes after an interruption).
   */
  #receiveChunk(m: Message, chunk: Snapshot): Snapshot | null {
    const meta = chunk.metadata;
    const offset = m.snapshotOffset ?? 0;
    const total = m.snapshotBytes ?? 0;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(total) || offset < 0 || offset + chunk.data.length > total ||
        (chunk.data.length === 0 && offset < total)) {
      this.malformedCount++;
      return null;
    }
    if (meta.index <= this.log.committed) {
      this.#incomingSnapshot = null;
      this.#send(message({ type: 'appResp', to: m.from, index: this.log.committed }));
      return null;
    }
    let incoming = this.#incomingSnapshot;
    const same = incoming && incoming.index === meta.index && incoming.term === meta.term && incoming.total === total;
    if (!same) {
      if (offset !== 0) {
        this.#send(message({ type: 'snapAck', to: m.from, index: meta.index, snapshotOffset: 0 }));
        return null;
      }
      incoming = { index: meta.index, term: meta.term, total, parts: [], received: 0 };
      this.#incomingSnapshot = incoming;
    }
    const target = incoming!;
    if (offset === target.received && (chunk.data.length > 0 || total === 0)) {
      target.parts.push(chunk.data.slice());
      target.received += chunk.data.length;
    }
    if (target.received < target.total) {
      this.#send(message({ type: 'snapAck', to: m.from, index: meta.index, snapshotOffset: target.received }));
      return null;
    }
    this.#incomingSnapshot = null;
    const data = new Uint8Array(target.total);
    let at = 0;
    for (const part of target.parts) {
      data.set(part, at);
      at += part.length;
    }
    return { metadata: meta, data };
  }

  /** Installs a snapshot from the leader; false when it is stale or already covered by the log. */
  restore(snapshot: Snapshot): boolean {
    const meta = snapshot.metadata;
    if (meta.index <= this.log.committed) return false;
    if (this.role !== 'follower') {
      this.becomeFollower(this.term + 1, 0);
      return false;
    }
    let config: TrackerConfig;
    try {
      config = configFromConfState(meta.confState);
    } catch {
      this.malformedCount++;
      return false;
    }
    if (!members(config).has(this.id)) {
      // A snapshot whose configuration does not include us would make us unable to function.
      return false;
    }
    if (this.log.matchTerm(meta.index, meta.term)) {
      this.log.commitTo(meta.index);
      return false;
    }
    this.log.restore(snapshot);
    this.tracker.config = config;
    this.#resetProgress();
    return true;
  }

  #stepLeader(m: Message): void {
    switch (m.type) {
      case 'beat':
        this.#broadcastHeartbeat(undefined);
        return;
      case 'prop':
        this.#handleProposal(m);
        return;
      case 'readIndex':
        this.#handleReadIndex(m);
        return;
      case 'transferLeader':
        this.#handleTransferLeader(m);
        return;
      default:
        break;
    }
    const pr = this.tracker.progress.get(m.from);
    if (!pr) return;
    switch (m.type) {
      case 'appResp': {
        pr.recentActive = true;
        if (m.reject) {
          let next = m.rejectHint;
          if (m.logTerm > 0) next = this.log.findConflictByTerm(m.rejectHint, m.logTerm).index;
          if (pr.maybeDecrTo(m.index, next)) {
            if (pr.state === 'replicate') pr.becomeProbe();
            this.#sendAppend(m.from, true);
          }
          return;
        }
        if (m.index > this.log.lastIndex()) {
          this.malformedCount++;
          return;
        }
        const wasPaused = pr.isPaused();
        if (pr.maybeUpdate(m.index)) {
          if (pr.state === 'probe') pr.becomeReplicate();
          else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
            pr.becomeProbe();
            pr.becomeReplicate();
          } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
          if (this.#maybeCommit()) {
            this.#releasePendingReadIndex();
            this.#broadcastAppend();
          } else if (wasPaused) {
            this.#sendAppend(m.from, false);
          }
          while (this.#sendAppend(m.from, false)) { /* pipeline while the window allows */ }
          if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
            this.#send(message({ type: 'timeoutNow', to: m.from }));
          }
        }
        return;
      }
      case 'heartbeatResp': {
        pr.recentActive = true;
        pr.probeSent = false;
        if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
        // An empty append probes a follower that may have lost messages; a
        // snapshot stream that stalled is probed by resending its first chunk,
        // which the follower answers with its resume point.
        if (pr.state === 'snapshot' && pr.sendingSnapshot) this.#sendSnapshotChunk(m.from, pr.sendingSnapshot, 0);
        else if (pr.match < this.log.lastIndex()) this.#sendAppend(m.from, true);
        if (this.options.readOnlyOption !== 'safe' || !m.context || m.context.length === 0) return;
        const released = this.readOnly.recvAck(m.from, m.context, (acks) => this.#quorumAcked(acks));
        for (const req of released) this.#answerReadIndex(req.message, req.index);
        return;
      }
      case 'snapAck': {
        pr.recentActive = true;
        const sending = pr.sendingSnapshot;
        const offset = m.snapshotOffset ?? 0;
        if (pr.state !== 'snapshot' || !sending || sending.metadata.index !== m.index) return;
        if (!Number.isSafeInteger(offset) || offset < 0 || offset >= sending.data.length) return;
        this.#sendSnapshotChunk(m.from, sending, offset);
        return;
      }
      case 'snapStatus':
        if (pr.state !== 'snapshot') return;
        if (m.reject) pr.pendingSnapshot = 0;
        pr.becomeProbe();
        // Wait for a heartbeat response before probing again.
        pr.probeSent = true;
        return;
      case 'unreachable':
        if (pr.state === 'replicate') pr.becomeProbe();
        return;
      default:
        return;
    }
  }

  #quorumAcked(acks: ReadonlySet<ReplicaId>): boolean {
    const votes = new Map<ReplicaId, boolean>();
    for (const id of acks) votes.set(id, true);
    votes.set(this.id, true);
    const c = this.tracker.config;
    const result = (isJoint(c) ? [c.voters, c.votersOutgoing] : [c.voters]).every((voters) => {
      let n = 0;
      for (const id of voters) if (votes.get(id)) n++;
      return voters.size === 0 || n >= Math.floor(voters.size / 2) + 1;
    });
    return result;
  }

  #handleProposal(m: Message): void {
    if (m.entries.length === 0) {
      this.malformedCount++;
      return;
    }
    if (!this.tracker.progress.has(this.id)) throw new ProposalDroppedError('not a member');
    if (this.leadTransferee !== 0) throw new ProposalDroppedError('leadership transfer');
    const entries: Entry[] = m.entries.map((e) => ({ ...e }));
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.type !== 'confChange') continue;
      let valid = false;
      let reason = '';
      try {
        const change = decodeConfChange(e.data);
        const leaving = change.changes.length === 0;
        if (this.pendingConfIndex > this.log.applied) reason = 'another change is pending';
        else if (isJoint(this.tracker.config) && !leaving) reason = 'must leave the joint configuration first';
        else if (!isJoint(this.tracker.config) && leaving) reason = 'not in a joint configuration';
        else {
          applyConfChange(this.tracker.config, change);
          valid = true;
        }
      } catch (error) {
        if (!(error instanceof ConfChangeError)) throw error;
        reason = error.message;
        this.malformedCount++;
      }
      if (!valid) {
        // Keep the index slot but make it a no-op, as etcd does.
        entries[i] = { ...e, type: 'normal', data: emptyBytes };
        void reason;
      } else {
        this.pendingConfIndex = this.log.lastIndex() + i + 1;
      }
    }
    if (!this.#appendEntries(entries)) throw new ProposalDroppedError('uncommitted limit');
    // Appends go out when the caller takes the next Ready, so proposals made
    // in one cycle share messages instead of costing one message each.
    this.appendsPending = true;
  }

  /** Sends the appends that proposals since the last Ready are waiting for. */
  flushAppends(): void {
    if (!this.appendsPending) return;
    this.appendsPending = false;
    if (this.role === 'leader') this.#broadcastAppend();
  }

  #appendEntries(entries: Entry[]): boolean {
    const limit = this.options.maxUncommittedEntriesSize;
    let payload = 0;
    for (const e of entries) payload += e.data.length;
    if (limit > 0 && this.uncommittedSize > 0 && payload > 0 && this.uncommittedSize + payload > limit) return false;
    this.uncommittedSize += payload;
    let last = this.log.lastIndex();
    const stamped = entries.map((e) => ({ ...e, term: this.term, index: ++last }));
    this.log.append(stamped);
    this.tracker.progress.get(this.id)?.maybeUpdate(last);
    this.#maybeCommit();
    return true;
  }

  #maybeCommit(): boolean {
    const committedBefore = this.log.committed;
    const changed = this.log.maybeCommit(this.tracker.committed(), this.term);
    if (changed) {
      // Entries up to the commit index no longer count against the uncommitted budget.
      const released = this.log.slice(committedBefore + 1, this.log.committed + 1, Number.MAX_SAFE_INTEGER);
      let bytes = 0;
      for (const e of released) bytes += e.data.length;
      this.uncommittedSize = Math.max(0, this.uncommittedSize - bytes);
    }
    return changed;
  }

  #handleReadIndex(m: Message): void {
    const context = m.context ?? emptyBytes;
    if (this.tracker.voterIds().length <= 1) {
      this.#answerReadIndex(m, this.log.committed);
      return;
    }
    if (this.log.term(this.log.committed) !== this.term) {
      // Until an entry of this term commits, the leader may not know the true commit index.
      this.pendingReadIndex.push(m);
      return;
    }
    this.#serveReadIndex(m, context);
  }

  #serveReadIndex(m: Message, context: Uint8Array): void {
    if (this.options.readOnlyOption === 'leaseBased') {
      this.#answerReadIndex(m, this.log.committed);
      return;
    }
    if (this.readOnly.add(this.log.committed, m, context)) this.#broadcastHeartbeat(context);
  }

  #releasePendingReadIndex(): void {
    if (this.pendingReadIndex.length === 0 || this.log.term(this.log.committed) !== this.term) return;
    const pending = this.pendingReadIndex;
    this.pendingReadIndex = [];
    for (const m of pending) this.#serveReadIndex(m, m.context ?? emptyBytes);
  }

  #answerReadIndex(m: Message, index: LogIndex): void {
    if (m.from === 0 || m.from === this.id) {
      this.readStates.push({ index, requestContext: m.context ?? emptyBytes });
    } else {
      this.#send(message({ type: 'readIndexResp', to: m.from, index, ...(m.context ? { context: m.context } : {}) }));
    }
  }

  #handleTransferLeader(m: Message): void {
    const target = m.from;
    const pr = this.tracker.progress.get(target);
    if (!pr || pr.isLearner) return;
    if (this.leadTransferee === target || target === this.id) return;
    this.leadTransferee = target;
    this.electionElapsed = 0;
    if (pr.match === this.log.lastIndex()) this.#send(message({ type: 'timeoutNow', to: target }));
    else this.#sendAppend(target, true);
  }

  // Sending.

  /** Sends one append (or a snapshot) to `to`; returns whether anything was sent. */
  #sendAppend(to: ReplicaId, sendIfEmpty: boolean): boolean {
    if (to === this.id) return false;
    const pr = this.tracker.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    let entries: Entry[] | undefined;
    if (prevTerm !== undefined) {
      try {
        entries = pr.state === 'replicate' || sendIfEmpty || pr.next <= this.log.lastIndex()
          ? this.log.entriesFrom(pr.next, this.options.maxSizePerMsg)
          : [];
      } catch {
        entries = undefined;
      }
    }
    if (prevTerm === undefined || entries === undefined) {
      if (!pr.recentActive) return false;
      let snapshot: Snapshot;
      try {
        snapshot = this.log.snapshot();
      } catch (error) {
        // The caller is still generating one; the next heartbeat answer retries.
        if (error instanceof SnapshotTemporarilyUnavailableError) return false;
        throw error;
      }
      if (snapshot.metadata.index === 0) return false;
      pr.becomeSnapshot(snapshot.metadata.index);
      pr.sendingSnapshot = snapshot;
      this.#sendSnapshotChunk(to, snapshot, 0);
      return true;
    }
    if (entries.length === 0 && !sendIfEmpty) return false;
    this.#send(message({ type: 'app', to, index: prevIndex, logTerm: prevTerm, entries, commit: this.log.committed }));
    pr.sentEntries(prevIndex + entries.length, entries.length, entriesSize(entries));
    return true;
  }

  #sendSnapshotChunk(to: ReplicaId, snapshot: Snapshot, offset: LogIndex): void {
    const chunk = Math.max(1, this.options.snapshotChunkBytes ?? this.options.maxSizePerMsg);
    const data = snapshot.data.subarray(offset, offset + chunk);
    this.#send(message({
      type: 'snap', to, snapshot: { metadata: snapshot.metadata, data },
      snapshotOffset: offset, snapshotBytes: snapshot.data.length,
    }));
  }

  #broadcastAppend(): void {
    for (const id of this.tracker.progress.keys()) {
      if (id === this.id) continue;
      if (this.#sendAppend(id, true)) while (this.#sendAppend(id, false)) { /* fill the window */ }
    }
  }

  #broadcastHeartbeat(context: Uint8Array | undefined, quiesce = false): void {
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      this.#send(message({
        type: 'heartbeat', to: id, commit: Math.min(pr.match, this.log.committed),
        ...(context ? { context } : {}), ...(quiesce ? { quiesce: true } : {}),
      }));
    }
  }

  // Quiescence.

  /** Whether the group is idle: everything committed, applied and acknowledged by every follower. */
  canQuiesce(): boolean {
    if (this.role !== 'leader' || this.leadTransferee !== 0 || this.readOnly.pending() > 0) return false;
    const last = this.log.lastIndex();
    if (this.log.committed !== last || this.log.applied !== last) return false;
    for (const [id, pr] of this.tracker.progress) {
      if (id !== this.id && (pr.match !== last || pr.state !== 'replicate')) return false;
    }
    return true;
  }

  /** Leader: tells followers to stop ticking and stops ticking itself, until any message or proposal. */
  quiesce(): boolean {
    if (!this.canQuiesce()) return false;
    this.#broadcastHeartbeat(undefined, true);
    this.quiesced = true;
    return true;
  }

  // Membership.

  /** Applies a committed conf change to the configuration; returns the new configuration. */
  applyConfChange(change: ConfChange): ConfState {
    let next: TrackerConfig;
    try {
      next = applyConfChange(this.tracker.config, change);
    } catch (error) {
      if (!(error instanceof ConfChangeError)) throw error;
      // A change the leader validated can only fail here if the log is corrupt
      // or the caller applied out of order: leave the configuration untouched.
      this.malformedCount++;
      return confStateOf(this.tracker.config);
    }
    this.#switchConfig(next);
    return confStateOf(next);
  }

  #switchConfig(next: TrackerConfig): void {
    const last = this.log.lastIndex();
    const old = this.tracker.progress;
    this.tracker.config = next;
    const progress = new Map<ReplicaId, Progress>();
    for (const id of members(next)) {
      const existing = old.get(id);
      const learner = !isVoter(next, id);
      if (existing) {
        existing.isLearner = learner;
        progress.set(id, existing);
      } else {
        const pr = this.tracker.newProgress(last + 1, learner);
        // A new member counts as active so CheckQuorum does not depose the leader at once.
        pr.recentActive = true;
        progress.set(id, pr);
      }
    }
    this.tracker.progress = progress;
    if (this.role !== 'leader') return;
    if (!isVoter(next, this.id)) {
      // The leader was removed (or demoted): step down once the change is applied.
      this.becomeFollower(this.term, 0);
      return;
    }
    if (this.#maybeCommit()) this.#broadcastAppend();
    else for (const id of progress.keys()) this.#sendAppend(id, false);
    if (this.leadTransferee !== 0 && !progress.has(this.leadTransferee)) this.leadTransferee = 0;
  }

  /** Leader: proposes leaving a joint configuration once the change that entered it is applied. */
  maybeAutoLeave(): void {
    if (this.role !== 'leader' || !this.tracker.config.autoLeave) return;
    if (this.log.applied < this.pendingConfIndex) return;
    try {
      leaveJoint(this.tracker.config);
    } catch {
      return;
    }
    const data = encodeLeave();
    try {
      this.#handleProposal(message({ type: 'prop', to: this.id, entries: [{ term: 0, index: 0, type: 'confChange', data }] }));
    } catch (error) {
      // Dropped (e.g. during a leadership transfer): the next advance retries.
      if (!(error instanceof ProposalDroppedError)) throw error;
    }
  }
}

function encodeLeave(): Uint8Array {
  const out = new Uint8Array(6);
  out[0] = 1;
  return out;
}
