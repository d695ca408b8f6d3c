/**
 * RawNode: the API the caller drives (etcd-io/raft rawnode.go). The caller
 * ticks it, steps it with messages from the network, proposes, and loops:
 *
 *   if (node.hasReady()) {
 *     const rd = node.ready();
 *     persist rd.snapshot, rd.entries and rd.hardState (synced when rd.mustSync)
 *     send rd.messages
 *     apply rd.snapshot, then rd.committedEntries in order (calling
 *       applyConfChange for each confChange entry); serve rd.readStates once
 *       the applied index reaches each one's index
 *     node.advance(rd);
 *   }
 *
 * Call advance(rd) before asking for the next Ready. Messages may go out
 * before the persist only if they are appends, heartbeats or snapshots from a
 * leader (a leader may write its log in parallel with sending it, thesis
 * §10.2.1); answers and votes must wait for the persist.
 */
import { assert } from './assert.ts';
import type { RaftConfig } from './config.ts';
import { validateConfig } from './config.ts';
import { encodeConfChange } from './confchange.ts';
import { ProposalDroppedError } from './errors.ts';
import { entryBytesMax } from './limits.ts';
import { checkMessage, isResponseType, message } from './message.ts';
import type { ProgressState } from './progress.ts';
import { Raft, type RaftErrorCounts } from './raft.ts';
import { confStateOf } from './tracker.ts';
import type {
  ConfChange, ConfState, Entry, HardState, LogIndex, Message, RaftRole, RaftStorage, Ready, ReplicaId, Rng, SoftState,
  Term,
} from './types.ts';

export type { RaftConfig } from './config.ts';
export type { RaftErrorCounts } from './raft.ts';

/** What the leader knows about one member. */
export interface ProgressStatus {
  readonly match: LogIndex;
  readonly next: LogIndex;
  readonly state: ProgressState;
  readonly isLearner: boolean;
  /** Heard from within the current CheckQuorum window. */
  readonly recentActive: boolean;
  /** Append messages in flight. */
  readonly inflight: number;
  /** Bytes of entries in flight. */
  readonly inflightBytes: number;
  /** In snapshot state: the index of the snapshot sent. */
  readonly pendingSnapshot: LogIndex;
}

/** A snapshot of a replica's state, for hosts, tests and operators. */
export interface RaftStatus {
  readonly id: ReplicaId;
  readonly term: Term;
  readonly vote: ReplicaId;
  readonly commit: LogIndex;
  readonly applied: LogIndex;
  readonly firstIndex: LogIndex;
  readonly lastIndex: LogIndex;
  readonly lead: ReplicaId;
  readonly role: RaftRole;
  readonly config: ConfState;
  /** Leader only: every member's progress (including the leader's own). */
  readonly progress: ReadonlyMap<ReplicaId, ProgressStatus>;
  readonly leadTransferee: ReplicaId;
  /** The group is quiesced here: ticks do nothing until a message or proposal. */
  readonly quiesced: boolean;
  /**
   * Leader only: the group is idle (everything committed, applied and
   * acknowledged by every member, nothing in flight, no read, transfer or
   * conf change pending), so quiesce() would succeed.
   */
  readonly canQuiesce: boolean;
  /** Leader only, lease-based reads: whether a read would be served from the lease now. */
  readonly leaseValid: boolean;
  /** Messages and entries refused as malformed (same as errors.malformed). */
  readonly malformedCount: number;
  readonly errors: Readonly<RaftErrorCounts>;
}

function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

const noEntries: readonly Entry[] = [];

/** One replica of one Raft group, driven by its host (see the module comment). */
export class RawNode {
  readonly #raft: Raft;
  #prevSoft: SoftState;
  #prevHard: HardState;

  /**
   * Starts (or restarts) a replica from `storage`: its hard state, log and
   * configuration (the one as of config.applied). A new group's first
   * members start from storage whose snapshot carries the initial
   * configuration; a replica added later starts empty and learns the
   * configuration from the leader's snapshot.
   */
  constructor(config: RaftConfig, storage: RaftStorage, rng: Rng) {
    validateConfig(config);
    this.#raft = new Raft(config, storage, rng);
    this.#prevSoft = { leader: this.#raft.lead, role: this.#raft.role };
    this.#prevHard = this.#raft.hardState();
  }

  /** Advances the logical clock by one tick (elections, heartbeats, CheckQuorum). A no-op while quiesced. */
  tick(): void {
    this.#raft.tick();
  }

  /** Starts an election now (with PreVote when configured); a no-op for a leader or a non-voter. */
  campaign(): void {
    this.#raft.wake();
    this.#raft.hup(this.#raft.config.preVote ? 'preElection' : 'election');
  }

  /**
   * Feeds a message from the network. Malformed messages (wrong types,
   * out-of-range numbers, local-only types, misaddressed) are counted and
   * dropped; answers from non-members are ignored; stale terms and indexes
   * are handled as Raft requires. Never throws for bad input.
   */
  step(m: Message): void {
    const r = this.#raft;
    const problem = checkMessage(m, r.id);
    if (problem !== undefined) {
      r.errors.malformed++;
      return;
    }
    if (isResponseType(m.type) && m.type !== 'readIndexResp' && !r.tracker.progress.has(m.from)) return;
    try {
      r.step(m);
    } catch (error) {
      // A proposal forwarded to us that we cannot take: its proposer retries.
      if (!(error instanceof ProposalDroppedError)) throw error;
      r.errors.proposalsDropped++;
    }
  }

  /** Proposes `data` to be appended to the log; throws ProposalDroppedError when it cannot be. */
  propose(data: Uint8Array): void {
    assert(data instanceof Uint8Array, 'a proposal is bytes');
    if (data.length > entryBytesMax) throw new ProposalDroppedError('entry too large');
    this.#raft.wake();
    this.#raft.propose([{ term: 0, index: 0, type: 'normal', data }]);
  }

  /**
   * Proposes a membership change; it takes effect on each replica when the
   * caller applies its entry (applyConfChange). Throws ConfChangeError for a
   * malformed change and ProposalDroppedError when it cannot be proposed. A
   * change the leader finds invalid for the configuration, or made while
   * another is pending, becomes an empty entry (counted in
   * status().errors.confChangesRejected) and never applies.
   */
  proposeConfChange(change: ConfChange): void {
    const data = encodeConfChange(change);
    this.#raft.wake();
    this.#raft.propose([{ term: 0, index: 0, type: 'confChange', data }]);
  }

  /**
   * Applies a committed confChange entry, given decoded or as the entry's
   * data. Call it for every confChange entry in Ready.committedEntries, in
   * order. Returns the configuration to persist with the applied index. A
   * change that does not decode or apply is refused identically on every
   * replica: counted, and the configuration is returned unchanged.
   */
  applyConfChange(change: ConfChange | Uint8Array): ConfState {
    if (change instanceof Uint8Array) return this.#raft.applyConfChangeData(change);
    return this.#raft.applyConfChange(change);
  }

  /** Asks the leader to hand leadership to `target`; proposals are dropped until it finishes or times out. */
  transferLeader(target: ReplicaId): void {
    this.#raft.wake();
    this.#raft.transferLeader(target);
  }

  /**
   * Requests a linearizable read point. The answer arrives as a ReadState
   * with this context in a later Ready: the read may be served once the
   * applied index reaches its index. A request that cannot be served (no
   * leader known, the leader changes) is dropped silently: retry after a
   * timeout with a fresh context.
   */
  readIndex(context: Uint8Array): void {
    assert(context instanceof Uint8Array, 'a read context is bytes');
    this.#raft.wake();
    this.#raft.readIndex(context);
  }

  /** Tells the leader that messages to `id` are not getting through (it stops pipelining to it). */
  reportUnreachable(id: ReplicaId): void {
    if (this.#raft.role !== 'leader') return;
    this.#raft.step(message({ type: 'unreachable', to: this.#raft.id, from: id }));
  }

  /**
   * Tells the leader how sending a 'snap' message to `id` ended. The caller
   * must report every snapshot it was asked to send: until it does, the
   * leader sends `id` nothing but heartbeats.
   */
  reportSnapshot(id: ReplicaId, status: 'finish' | 'failure'): void {
    if (this.#raft.role !== 'leader') return;
    this.#raft.step(message({ type: 'snapStatus', to: this.#raft.id, from: id, reject: status === 'failure' }));
  }

  /**
   * Leader: if the group is idle (canQuiesce), tells followers to stop
   * ticking and stops ticking itself; returns whether it quiesced. Any
   * message (other than the quiesce heartbeat and its answers), proposal,
   * read or campaign wakes the group.
   */
  quiesce(): boolean {
    return this.#raft.quiesce();
  }

  /**
   * Ends quiescence here without a message: the caller does so when it
   * suspects the leader is gone (e.g. its node stopped answering node-level
   * heartbeats), so the election timeout runs again.
   */
  wake(): void {
    this.#raft.wake();
  }

  /** Whether there is anything in a Ready. */
  hasReady(): boolean {
    const r = this.#raft;
    if (r.appendsPending || r.msgs.length > 0 || r.readStates.length > 0) return true;
    if (r.lead !== this.#prevSoft.leader || r.role !== this.#prevSoft.role) return true;
    if (r.term !== this.#prevHard.term || r.vote !== this.#prevHard.vote || r.log.committed !== this.#prevHard.commit) return true;
    if (r.log.unstable.snapshot !== undefined || r.log.unstable.entries.length > 0) return true;
    return r.log.hasNextCommittedEntries();
  }

  /** The work to do now: what to persist, send and apply. */
  ready(): Ready {
    const r = this.#raft;
    r.flushAppends();
    const log = r.log;
    const soft: SoftState = { leader: r.lead, role: r.role };
    const hard = r.hardState();
    const entries = log.unstableEntries();
    const snapshot = log.unstable.snapshot;
    const committedEntries = log.nextCommittedEntries();
    const lastCommitted = committedEntries[committedEntries.length - 1];
    if (lastCommitted) {
      log.applyingTo(lastCommitted.index);
      r.reduceUncommittedSize(committedEntries);
    }
    const softChanged = soft.leader !== this.#prevSoft.leader || soft.role !== this.#prevSoft.role;
    const hardChanged = !hardStateEqual(hard, this.#prevHard);
    const rd: Ready = {
      ...(softChanged ? { softState: soft } : {}),
      ...(hardChanged ? { hardState: hard } : {}),
      ...(snapshot ? { snapshot } : {}),
      readStates: r.readStates,
      entries,
      committedEntries: committedEntries.length > 0 ? committedEntries : noEntries,
      messages: r.msgs,
      mustSync: entries.length > 0 || snapshot !== undefined || hard.term !== this.#prevHard.term ||
        hard.vote !== this.#prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    this.#prevSoft = soft;
    this.#prevHard = hard;
    return rd;
  }

  /** Acknowledges that a Ready was persisted, sent and applied. */
  advance(rd: Ready): void {
    const log = this.#raft.log;
    if (rd.snapshot) {
      log.stableSnapTo(rd.snapshot.metadata.index);
      // The caller restored the snapshot's state: that is applying it.
      if (rd.snapshot.metadata.index > log.applied) log.appliedTo(rd.snapshot.metadata.index);
    }
    const lastCommitted = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastCommitted && lastCommitted.index > log.applied) log.appliedTo(lastCommitted.index);
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry) {
      log.stableTo(lastEntry.index, lastEntry.term);
      this.#raft.persisted();
    }
    this.#raft.applied();
    this.#raft.maybeAutoLeave();
  }

  /** This replica's role, without building a full status. */
  get role(): RaftRole {
    return this.#raft.role;
  }

  /** The leader this replica knows of (0: none), without building a full status. */
  get leader(): ReplicaId {
    return this.#raft.lead;
  }

  /** The current term, without building a full status. */
  get term(): Term {
    return this.#raft.term;
  }

  /** Whether the group is quiesced here (cheap). */
  get quiesced(): boolean {
    return this.#raft.quiesced;
  }

  /** Whether this leader's group is idle enough to quiesce (cheap). */
  get canQuiesce(): boolean {
    return this.#raft.canQuiesce();
  }

  /** The replica's state (allocates: use the getters on hot paths). */
  status(): RaftStatus {
    const r = this.#raft;
    const progress = new Map<ReplicaId, ProgressStatus>();
    if (r.role === 'leader') {
      for (const [id, pr] of r.tracker.progress) {
        progress.set(id, {
          match: pr.match, next: pr.next, state: pr.state, isLearner: pr.isLearner, recentActive: pr.recentActive,
          inflight: pr.inflights.count, inflightBytes: pr.inflights.bytes, pendingSnapshot: pr.pendingSnapshot,
        });
      }
    }
    return {
      id: r.id, term: r.term, vote: r.vote, commit: r.log.committed, applied: r.log.applied,
      firstIndex: r.log.firstIndex(), lastIndex: r.log.lastIndex(), lead: r.lead, role: r.role,
      config: confStateOf(r.tracker.config), progress, leadTransferee: r.leadTransferee, quiesced: r.quiesced,
      canQuiesce: r.canQuiesce(), leaseValid: r.leaseValid(), malformedCount: r.errors.malformed, errors: { ...r.errors },
    };
  }
}

// The conf change codec belongs with the RawNode API (hosts decode the
// confChange entries they apply); it lives in confchange.ts.
export { decodeConfChange, encodeConfChange } from './confchange.ts';
