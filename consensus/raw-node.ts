/**
 * RawNode: the API the caller drives (etcd-io/raft's RawNode shape). The
 * caller ticks it, steps it with messages, proposes, and loops:
 *
 *   if (node.hasReady()) {
 *     const rd = node.ready();
 *     persist rd.hardState, rd.entries, rd.snapshot (synced when rd.mustSync)
 *     send rd.messages
 *     apply rd.committedEntries (calling applyConfChange for confChange entries)
 *     node.advance(rd);
 *   }
 */
import { encodeConfChange } from './confchange.ts';
import { entryBytesMax } from './limits.ts';
import { ProposalDroppedError } from './errors.ts';
import { message, Raft } from './raft.ts';
import type { RaftConfig } from './config.ts';

export type { RaftConfig } from './config.ts';
import { confStateOf, isJoint } from './tracker.ts';
import type { ProgressState } from './progress.ts';
import type {
  ConfChange, ConfState, Entry, HardState, LogIndex, Message, RaftRole, RaftStorage, Ready, ReplicaId, Rng, SoftState,
  Term,
} from './types.ts';

export interface ProgressStatus {
  readonly match: LogIndex;
  readonly next: LogIndex;
  readonly state: ProgressState;
  readonly isLearner: boolean;
  readonly recentActive: boolean;
  readonly inflight: number;
}

export interface RaftStatus {
  readonly id: ReplicaId;
  readonly term: Term;
  readonly vote: ReplicaId;
  readonly commit: LogIndex;
  readonly applied: LogIndex;
  readonly lastIndex: LogIndex;
  readonly lead: ReplicaId;
  readonly role: RaftRole;
  readonly config: ConfState;
  readonly progress: ReadonlyMap<ReplicaId, ProgressStatus>;
  readonly leadTransferee: ReplicaId;
  readonly quiesced: boolean;
  readonly canQuiesce: boolean;
  readonly malformedCount: number;
}

function hardStateEqual(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

export class RawNode {
  readonly #raft: Raft;
  #prevSoft: SoftState;
  #prevHard: HardState;

  constructor(config: RaftConfig, storage: RaftStorage, rng: Rng) {
    this.#raft = new Raft(config, storage, rng);
    this.#prevSoft = { leader: this.#raft.lead, role: this.#raft.role };
    this.#prevHard = this.#raft.hardState();
  }

  tick(): void {
    this.#raft.tick();
  }

  /** Starts an election now (a no-op for non-voters). */
  campaign(): void {
    this.#raft.step(message({ type: 'hup', to: this.#raft.id }));
  }

  /**
   * Feeds a message from the network. Local-only types are refused; messages
   * from unknown peers and stale terms are handled as Raft requires.
   */
  step(m: Message): void {
    if (m.type === 'hup' || m.type === 'beat' || m.type === 'snapStatus' || m.type === 'unreachable') {
      this.#raft.malformedCount++;
      return;
    }
    if (!Number.isSafeInteger(m.term) || m.term < 0 || !Number.isSafeInteger(m.index) || m.index < 0 ||
        !Number.isSafeInteger(m.from) || m.from <= 0 || !Array.isArray(m.entries)) {
      this.#raft.malformedCount++;
      return;
    }
    const known = this.#raft.tracker.progress.has(m.from);
    const responseType = m.type.endsWith('Resp') || m.type === 'heartbeatResp';
    if (!known && responseType) return;
    try {
      this.#raft.step(m);
    } catch (error) {
      if (error instanceof ProposalDroppedError) return;
      throw error;
    }
  }

  /** Proposes data to be appended to the log; throws ProposalDroppedError when it cannot be. */
  propose(data: Uint8Array): void {
    if (data.length > entryBytesMax) throw new ProposalDroppedError('uncommitted limit');
    this.#raft.step(message({
      type: 'prop', to: this.#raft.id, from: this.#raft.id,
      entries: [{ term: 0, index: 0, type: 'normal', data }],
    }));
  }

  /** Proposes a membership change (applied through the log when committed). */
  proposeConfChange(change: ConfChange): void {
    this.#raft.step(message({
      type: 'prop', to: this.#raft.id, from: this.#raft.id,
      entries: [{ term: 0, index: 0, type: 'confChange', data: encodeConfChange(change) }],
    }));
  }

  /** Applies a committed conf change entry's change; returns the new configuration. */
  applyConfChange(change: ConfChange): ConfState {
    return this.#raft.applyConfChange(change);
  }

  transferLeader(target: ReplicaId): void {
    this.#raft.step(message({ type: 'transferLeader', to: this.#raft.id, from: target }));
  }

  /** Requests a linearizable read point; the answer arrives as a ReadState with this context. */
  readIndex(context: Uint8Array): void {
    this.#raft.step(message({ type: 'readIndex', to: this.#raft.id, from: this.#raft.id, entries: [], context }));
  }

  reportUnreachable(id: ReplicaId): void {
    if (this.#raft.role !== 'leader') return;
    this.#raft.step(message({ type: 'unreachable', to: this.#raft.id, from: id }));
  }

  reportSnapshot(id: ReplicaId, status: 'finish' | 'failure'): void {
    if (this.#raft.role !== 'leader') return;
    this.#raft.step(message({ type: 'snapStatus', to: this.#raft.id, from: id, reject: status === 'failure' }));
  }

  /**
   * Leader: if the group is idle (all committed, applied and acknowledged),
   * tells followers to stop ticking and stops ticking itself. Any message or
   * proposal wakes the group. Returns whether the group quiesced.
   */
  quiesce(): boolean {
    return this.#raft.quiesce();
  }

  hasReady(): boolean {
    const r = this.#raft;
    if (r.appendsPending) return true;
    if (r.lead !== this.#prevSoft.leader || r.role !== this.#prevSoft.role) return true;
    if (!hardStateEqual(r.hardState(), this.#prevHard)) return true;
    if (r.log.unstable.snapshot) return true;
    if (r.msgs.length > 0 || r.readStates.length > 0) return true;
    if (r.log.unstable.entries.length > 0) return true;
    return r.log.hasNextCommittedEntries();
  }

  ready(): Ready {
    const r = this.#raft;
    r.flushAppends();
    const soft: SoftState = { leader: r.lead, role: r.role };
    const hard = r.hardState();
    const entries: Entry[] = r.log.unstableEntries();
    const snapshot = r.log.unstable.snapshot;
    const hardChanged = !hardStateEqual(hard, this.#prevHard);
    const rd: Ready = {
      ...(soft.leader !== this.#prevSoft.leader || soft.role !== this.#prevSoft.role ? { softState: soft } : {}),
      ...(hardChanged ? { hardState: hard } : {}),
      ...(snapshot ? { snapshot } : {}),
      readStates: r.readStates,
      entries,
      committedEntries: r.log.nextCommittedEntries(),
      messages: r.msgs,
      mustSync: entries.length > 0 || snapshot !== undefined ||
        hard.term !== this.#prevHard.term || hard.vote !== this.#prevHard.vote,
    };
    r.msgs = [];
    r.readStates = [];
    this.#prevSoft = soft;
    if (hardChanged) this.#prevHard = hard;
    return rd;
  }

  /** Acknowledges that a Ready was persisted, sent and applied. */
  advance(rd: Ready): void {
    const r = this.#raft;
    // The caller applied the snapshot's state along with this Ready.
    if (rd.snapshot && rd.snapshot.metadata.index > r.log.applied) r.log.appliedTo(rd.snapshot.metadata.index);
    const lastCommitted = rd.committedEntries[rd.committedEntries.length - 1];
    if (lastCommitted) r.log.appliedTo(lastCommitted.index);
    const lastEntry = rd.entries[rd.entries.length - 1];
    if (lastEntry) r.log.stableTo(lastEntry.index, lastEntry.term);
    if (rd.snapshot) r.log.stableSnapTo(rd.snapshot.metadata.index);
    if (isJoint(r.tracker.config)) r.maybeAutoLeave();
  }

  /** This replica's role, without building a full status. */
  get role(): RaftRole {
    return this.#raft.role;
  }

  /** Whether this leader's group is idle enough to quiesce (cheap). */
  get canQuiesce(): boolean {
    return this.#raft.canQuiesce();
  }

  /**
   * Ends quiescence here without a message: the caller does so when it
   * suspects the leader is gone (e.g. its node stopped heartbeating), so the
   * election timeout runs again.
   */
  wake(): void {
    this.#raft.quiesced = false;
  }

  /** Whether the group is quiesced here: ticks do nothing until a message or proposal. */
  get quiesced(): boolean {
    return this.#raft.quiesced;
  }

  /** The leader this replica knows of (0: none), without building a full status. */
  get leader(): ReplicaId {
    return this.#raft.lead;
  }

  status(): RaftStatus {
    const r = this.#raft;
    const progress = new Map<ReplicaId, ProgressStatus>();
    if (r.role === 'leader') {
      for (const [id, pr] of r.tracker.progress) {
        progress.set(id, {
          match: pr.match, next: pr.next, state: pr.state, isLearner: pr.isLearner, recentActive: pr.recentActive,
          inflight: pr.inflights.count,
        });
      }
    }
    return {
      id: r.id, term: r.term, vote: r.vote, commit: r.log.committed, applied: r.log.applied, lastIndex: r.log.lastIndex(),
      lead: r.lead, role: r.role, config: confStateOf(r.tracker.config), progress, leadTransferee: r.leadTransferee,
      quiesced: r.quiesced, canQuiesce: r.canQuiesce(), malformedCount: r.malformedCount,
    };
  }
}
