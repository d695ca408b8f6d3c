/**
 * A store: one LevelDB engine hosting many range replicas (multi-Raft). One
 * scheduler cycle handles every replica with work: all their Raft log
 * appends and hard states go into ONE synced LevelDB write (group commit),
 * then the cycle's messages go out coalesced per destination node, then
 * committed commands are applied (one unsynced write; the log is durable),
 * then the Raft groups advance.
 *
 * Requests are served by the range's leaseholder (lease.ts): reads from its
 * local state under shared latches, writes evaluated under exclusive latches
 * into MVCC writes that are proposed as commands and acknowledged once
 * applied. The lease follows the Raft leader. Ranges split by admin command
 * and by size (split.ts builds the trigger; applying it creates the right-hand
 * replica on every store).
 */
import { randomBytes } from 'node:crypto';
import {
  decodeConfChange, SnapshotTemporarilyUnavailableError, type ConfState, type Message, type Ready,
} from '../../consensus/index.ts';
import { assert } from '../assert.ts';
import type { Hlc, Timestamp } from '../hlc/index.ts';
import { compareKeys, metaKey, metaMax, metaPrefix, prefixEnd, rangeLookupKey, storeLocalKey } from '../keys/index.ts';
import {
  addStats, computeStats, emptyStats, mvccPut, mvccScan, RaftLogStore, WriteTooOldError, type Batch, type Engine, type MvccStats,
} from '../storage/index.ts';
import { CommandDecodeError, decodeCommand, encodeCommand, type Command, type SplitTrigger } from './command.ts';
import { containsKey, containsSpan, decodeDescriptor, encodeDescriptor, type RangeDescriptor } from './descriptor.ts';
import { AmbiguousResultError, NotLeaseholderError, RangeKeyMismatchError, RangeNotFoundError, UnavailableError } from './errors.ts';
import { evaluate, type EvaluableRequest } from './evaluate.ts';
import { leaseChangeApplies, leaseStatus, type Lease, type LeaseChange } from './lease.ts';
import { ReplicaRaftStorage } from './raft-storage.ts';
import { decodeAppliedData, encodeAppliedData, Replica } from './replica.ts';
import { isWrite, requestSpan, type KvRequest, type KvResponse, type RequestHeader } from './request.ts';
import { findSplitKey } from './split.ts';

/** Raft messages for one range, as carried between nodes. */
export interface RaftEnvelope {
  readonly rangeId: number;
  readonly message: Message;
}

/** Delivers a batch of envelopes to a node (best effort: Raft tolerates loss). */
export interface RaftTransport {
  send(toNodeId: number, envelopes: readonly RaftEnvelope[]): void;
}

/** What a store needs from the rest of the cluster (wired by the node through DistSender). */
export interface ClusterServices {
  /** A range ID never used before, cluster-wide. */
  allocateRangeId(): Promise<number>;
  /** Records descriptors in meta addressing (meta(endKey) → descriptor). */
  updateMeta(descriptors: readonly RangeDescriptor[]): Promise<void>;
}

export interface StoreOptions {
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  /** Applied entries kept in a range's log before the leader proposes truncating it (default 1000). */
  readonly logTruncationThreshold?: number;
  /** How long a lease lasts (µs, default 3 s); it is extended while the range serves requests. */
  readonly leaseDurationMicros?: number;
  /** A range whose data grows past this many bytes is split in two (default 64 MiB). */
  readonly rangeMaxBytes?: number;
  /** How long a request waits for a lease to be acquired before giving up (ms, default 4000). */
  readonly leaseAcquireTimeoutMs?: number;
  /** Observes each batch served under a lease, at the moment its lease was checked (tests prove leases never overlap). */
  readonly onServe?: (rangeId: number, lease: Lease) => void;
}

const replicaListPrefix = storeLocalKey('replica/');
/** The timestamp of state written at cluster bootstrap (before any clock reading). */
const bootstrapTimestamp: Timestamp = { wallMicros: 1, logical: 0 };
/** A range created by a split starts its log here (like every initial member, from an empty snapshot). */
const splitInitialIndex = 10;
const splitInitialTerm = 5;

/** What applying one Ready produced: acknowledged and rejected command IDs, the new state. */
interface ApplyResult {
  readonly ids: string[];
  readonly rejected: string[];
  appliedIndex: number;
  readonly stats: MvccStats;
  desc: RangeDescriptor;
  lease: Lease | null;
  readonly splits: RangeDescriptor[];
}
/** Idle ticks before a leader quiesces its group. */
const quiesceAfterTicks = 3;
/** Ticks between node-level heartbeats to every peer (one per node pair, whatever the number of ranges). */
const nodeHeartbeatTicks = 5;
/** A quiesced follower whose leader's node has been silent this long wakes and may elect a new leader. */
const leaderNodeSilentTicks = 40;
/** Ticks between a leader's checks for log truncation and size splits. */
const maintenanceTicks = 20;

export class Store {
  readonly replicas = new Map<number, Replica>();
  readonly log: RaftLogStore;
  #cycleScheduled = false;
  #cycleRunning: Promise<void> | null = null;
  #closed = false;
  #readSeq = 0;
  /** Committed entries that did not decode as commands (skipped identically on every replica). */
  malformedCommands = 0;
  /** Commands rejected at apply because their lease had been replaced. */
  rejectedCommands = 0;
  #commandSeq = 0n;
  readonly #commandPrefix = randomBytes(8);
  #ticks = 0;
  /** The tick at which each peer node was last heard from. */
  readonly #lastHeard = new Map<number, number>();
  #services: ClusterServices | null = null;
  /** Ranges with a split in progress (by range ID). */
  readonly #splitting = new Set<number>();
  /** Requests served as leaseholder (for status and load). */
  requestsServed = 0;

  constructor(
    readonly engine: Engine,
    readonly nodeId: number,
    private readonly transport: RaftTransport,
    readonly hlc: Hlc,
    private readonly options: StoreOptions = {},
  ) {
    this.log = new RaftLogStore(engine);
  }

  setServices(services: ClusterServices): void {
    this.#services = services;
  }

  get leaseDurationMicros(): number {
    return this.options.leaseDurationMicros ?? 3_000_000;
  }

  /** Writes the initial state of a replica of a new range (cluster bootstrap). */
  async bootstrapRange(desc: RangeDescriptor, initialWrites: ReadonlyArray<{ key: Buffer; value: Buffer }> = []): Promise<void> {
    const batch = this.engine.newBatch();
    // The range's addressing record, meta(endKey) → descriptor, and any other
    // initial records: part of the state every replica starts from, written
    // identically everywhere.
    const stats = emptyStats();
    await mvccPut(batch, stats, metaKey(desc.endKey), bootstrapTimestamp, encodeDescriptor(desc));
    for (const w of initialWrites) await mvccPut(batch, stats, w.key, bootstrapTimestamp, w.value);
    await this.#writeInitialReplicaState(batch, desc, stats, null, 1, 1);
    await batch.commit({ sync: true });
  }

  /** The state a replica of a new range starts from: an empty log at `index`, the descriptor and stats. */
  async #writeInitialReplicaState(
    batch: Batch, desc: RangeDescriptor, stats: MvccStats, lease: Lease | null, index: number, term: number,
  ): Promise<void> {
    const self = desc.replicas.find((r) => r.nodeId === this.nodeId);
    assert(self, `node ${this.nodeId} is not a replica of range ${desc.rangeId}`);
    const confState: ConfState = { voters: desc.replicas.map((r) => r.replicaId), votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
    batch.put(this.#replicaListKey(desc.rangeId), encodeDescriptor(desc));
    await this.log.resetLog(batch, desc.rangeId, { index, term });
    this.log.setHardState(batch, desc.rangeId, { term, vote: 0, commit: index });
    this.log.setAppliedState(batch, desc.rangeId, { appliedIndex: index, data: encodeAppliedData({ confState, stats, desc, lease }) });
  }

  /** Loads every replica persisted on this store. */
  async start(): Promise<void> {
    for await (const [key] of this.engine.iterate({ gte: replicaListPrefix, lt: prefixEnd(replicaListPrefix) })) {
      const rangeId = Number(key.subarray(replicaListPrefix.length).toString('latin1'));
      await this.#loadReplica(rangeId);
    }
  }

  async #loadReplica(rangeId: number): Promise<Replica> {
    const applied = this.log.appliedState(rangeId);
    const data = decodeAppliedData(applied.data);
    assert(data, `range ${rangeId} has no applied state`);
    const storage = await ReplicaRaftStorage.load(this.log, rangeId, data.confState, () => {
      // Snapshot generation arrives with range rebalancing; until then followers catch up from the log.
      throw new SnapshotTemporarilyUnavailableError();
    });
    const self = data.desc.replicas.find((r) => r.nodeId === this.nodeId);
    assert(self, `node ${this.nodeId} is not a replica of range ${rangeId}`);
    const replica = new Replica(self.replicaId, storage, applied.appliedIndex, data, {
      electionTicks: this.options.electionTicks ?? 10, heartbeatTicks: this.options.heartbeatTicks ?? 1,
      maxSizePerMsg: 1 << 20, maxInflightMsgs: 256, maxInflightBytes: 0, maxUncommittedEntriesSize: 64 << 20,
      maxCommittedSizePerReady: 16 << 20, checkQuorum: true, preVote: true, readOnlyOption: 'safe',
    });
    this.replicas.set(rangeId, replica);
    return replica;
  }

  #replicaListKey(rangeId: number): Buffer {
    return Buffer.concat([replicaListPrefix, Buffer.from(String(rangeId).padStart(12, '0'))]);
  }

  replica(rangeId: number): Replica {
    const r = this.replicas.get(rangeId);
    if (!r) throw new RangeNotFoundError(rangeId);
    return r;
  }

  /** The replica on this store whose range contains `key`, if any. */
  replicaForKey(key: Uint8Array): Replica | undefined {
    for (const r of this.replicas.values()) if (containsKey(r.desc, key)) return r;
    return undefined;
  }

  /**
   * Advances every replica's logical clock by one tick. A leader whose group
   * stayed idle for a few ticks quiesces it, so idle ranges cost no
   * heartbeats; any request or message wakes the group.
   */
  tick(): void {
    this.#ticks++;
    if (this.#ticks % nodeHeartbeatTicks === 0) this.#heartbeatPeers();
    for (const r of this.replicas.values()) {
      if (r.raw.quiesced) {
        const leaderNode = r.nodeOfReplica(r.raw.leader);
        const heard = this.#lastHeard.get(leaderNode) ?? this.#ticks;
        if (leaderNode !== this.nodeId && this.#ticks - heard > leaderNodeSilentTicks) r.raw.wake();
        continue;
      }
      r.raw.tick();
      this.#maintainLease(r);
      const leader = r.raw.role === 'leader';
      // Check for log truncation and splits periodically, and always before
      // going quiet: a quiesced leader does not tick.
      if (leader && (this.#ticks % maintenanceTicks === 0 || r.idleTicks + 1 >= quiesceAfterTicks)) {
        this.#maybeTruncateLog(r);
        this.#maybeSplitBySize(r);
      }
      if (leader && r.raw.canQuiesce && !r.pendingLease) {
        if (++r.idleTicks >= quiesceAfterTicks) {
          r.raw.quiesce();
          r.idleTicks = 0;
        }
      } else {
        r.idleTicks = 0;
      }
    }
    this.#schedule();
  }

  // ---- Leases ----

  /** Keeps the lease with the Raft leader: the leader takes an expired lease; a holder that lost leadership hands it over. */
  #maintainLease(r: Replica): void {
    if (r.pendingLease) return;
    const now = this.hlc.now().wallMicros;
    const status = leaseStatus(r.lease, now, this.hlc.maxOffsetMicros);
    const mine = r.lease?.replicaId === r.replicaId && r.abandonedLeaseSequence !== r.lease.sequence;
    if (r.raw.role === 'leader') {
      if (status === 'expired') void this.#requestLease(r).catch(() => {});
      return;
    }
    const leaderReplica = r.raw.leader;
    if (mine && status !== 'expired' && leaderReplica !== 0 && leaderReplica !== r.replicaId && r.nodeOfReplica(leaderReplica) !== 0) {
      void this.#transferLease(r, leaderReplica).catch(() => {});
    }
  }

  /** This replica's lease if it may serve under it now, else null. */
  #servingLease(r: Replica): Lease | null {
    const lease = r.lease;
    if (!lease || lease.replicaId !== r.replicaId || r.abandonedLeaseSequence === lease.sequence) return null;
    return leaseStatus(lease, this.hlc.now().wallMicros, this.hlc.maxOffsetMicros) === 'valid' ? lease : null;
  }

  /** The node to redirect a request to: the valid holder's, else the Raft leader's (0: unknown). */
  #leaseholderHint(r: Replica): number {
    const lease = r.lease;
    if (lease && lease.replicaId !== r.replicaId && leaseStatus(lease, this.hlc.now().wallMicros, this.hlc.maxOffsetMicros) !== 'expired') {
      return lease.nodeId;
    }
    const leader = r.nodeOfReplica(r.raw.leader);
    return leader === this.nodeId ? 0 : leader;
  }

  /**
   * Returns the lease this replica serves under, acquiring or extending it
   * when this replica leads the range. Throws NotLeaseholderError when another
   * replica holds it or leads.
   */
  async #ensureLease(r: Replica): Promise<Lease> {
    const deadline = Date.now() + (this.options.leaseAcquireTimeoutMs ?? 4000);
    for (;;) {
      const lease = this.#servingLease(r);
      if (lease) {
        // Extend early while the range is busy, so the lease never lapses under load.
        const remaining = lease.expirationMicros - this.hlc.now().wallMicros;
        if (remaining < this.leaseDurationMicros / 2 && !r.pendingLease && r.raw.role === 'leader') void this.#requestLease(r).catch(() => {});
        return lease;
      }
      const now = this.hlc.now().wallMicros;
      const status = leaseStatus(r.lease, now, this.hlc.maxOffsetMicros);
      const heldByOther = r.lease !== null && (r.lease.replicaId !== r.replicaId || r.abandonedLeaseSequence === r.lease.sequence);
      if (heldByOther && status !== 'expired') {
        const hint = this.#leaseholderHint(r);
        if (hint !== 0 && hint !== this.nodeId) throw new NotLeaseholderError(r.rangeId, hint);
      }
      if (r.raw.role !== 'leader') {
        if (r.raw.quiesced) r.raw.wake();
        const hint = this.#leaseholderHint(r);
        if (hint !== 0) throw new NotLeaseholderError(r.rangeId, hint);
      }
      if (Date.now() > deadline) throw new UnavailableError(`range ${r.rangeId}: no lease could be acquired in time`);
      if (r.raw.role === 'leader' && !(heldByOther && status !== 'expired')) {
        try {
          await this.#requestLease(r);
        } catch (error) {
          if (error instanceof NotLeaseholderError) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } else {
        // Wait for an election, or for the other holder's lease to expire or come to us.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }

  /** Proposes a lease for this replica (new, renewed or extended); resolves once applied. */
  #requestLease(r: Replica): Promise<void> {
    if (r.pendingLease) return r.pendingLease;
    const run = async () => {
      const now = this.hlc.now().wallMicros;
      const current = r.lease;
      const same = current !== null && current.replicaId === r.replicaId && r.abandonedLeaseSequence !== current.sequence;
      if (current && !same && now <= current.expirationMicros) {
        throw new NotLeaseholderError(r.rangeId, current.nodeId);
      }
      const lease: Lease = same
        ? { ...current, expirationMicros: now + this.leaseDurationMicros }
        : {
          sequence: (current?.sequence ?? 0) + 1, replicaId: r.replicaId, nodeId: this.nodeId, startMicros: now,
          expirationMicros: now + this.leaseDurationMicros,
        };
      const change: LeaseChange = { previousSequence: current?.sequence ?? 0, lease, transfer: false };
      await this.#proposeAndWait(r, { id: this.#commandId(), leaseSequence: 0, writes: [], stats: emptyStats(), trigger: { type: 'lease', change } });
    };
    const pending = run().finally(() => { r.pendingLease = null; });
    r.pendingLease = pending;
    return pending;
  }

  /** Hands this replica's lease to `target`; this replica stops serving under it at once. */
  async #transferLease(r: Replica, targetReplica: number): Promise<void> {
    const current = r.lease;
    if (!current || current.replicaId !== r.replicaId || r.pendingLease) return;
    const targetNode = r.nodeOfReplica(targetReplica);
    if (targetNode === 0) return;
    // Stop serving before the transfer can apply: whatever becomes of the
    // proposal, this replica never serves under this sequence again.
    r.abandonedLeaseSequence = current.sequence;
    const now = this.hlc.now().wallMicros;
    const lease: Lease = {
      sequence: current.sequence + 1, replicaId: targetReplica, nodeId: targetNode, startMicros: now, expirationMicros: now + this.leaseDurationMicros,
    };
    const pending = this.#proposeAndWait(r, {
      id: this.#commandId(), leaseSequence: 0, writes: [], stats: emptyStats(),
      trigger: { type: 'lease', change: { previousSequence: current.sequence, lease, transfer: true } },
    }).finally(() => { r.pendingLease = null; });
    r.pendingLease = pending;
    await pending;
  }

  /**
   * Moves the range's lease to the replica on `nodeId` (admin): Raft
   * leadership moves there, and the lease follows the leader. Resolves once
   * the target holds the lease.
   */
  async transferLease(rangeId: number, nodeId: number): Promise<void> {
    const r = this.replica(rangeId);
    const target = r.replicaOfNode(nodeId);
    if (target === 0) throw new UnavailableError(`node ${nodeId} has no replica of range ${rangeId}`);
    const deadline = Date.now() + (this.options.leaseAcquireTimeoutMs ?? 4000) * 2;
    while (r.lease?.replicaId !== target) {
      if (Date.now() > deadline) throw new UnavailableError(`range ${rangeId}: lease did not move to node ${nodeId} in time`);
      if (r.raw.role === 'leader' && r.raw.status().leadTransferee !== target) r.raw.transferLeader(target);
      this.#schedule();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  // ---- Maintenance ----

  /**
   * Leader: when enough applied entries have piled up, proposes truncating
   * the log below what every replica has (until snapshots can catch up a
   * replica that fell further behind, no replica is cut off from the log).
   */
  #maybeTruncateLog(replica: Replica): void {
    const threshold = this.options.logTruncationThreshold ?? 1000;
    const first = replica.storage.firstIndex();
    if (replica.appliedIndex - first < threshold) return;
    const status = replica.raw.status();
    let target = replica.appliedIndex;
    for (const [, pr] of status.progress) target = Math.min(target, pr.match);
    if (target - first < threshold / 2) return;
    try {
      replica.raw.propose(encodeCommand({ id: this.#commandId(), leaseSequence: 0, writes: [], stats: emptyStats(), trigger: { type: 'truncateLog', index: target } }));
      this.#schedule();
    } catch {
      // Dropped (no quorum, transfer in progress): tried again later.
    }
  }

  /** Leaseholder: splits a range whose data outgrew the size limit, at its middle key. */
  #maybeSplitBySize(r: Replica): void {
    const maxBytes = this.options.rangeMaxBytes ?? 64 << 20;
    const size = r.stats.keyBytes + r.stats.valBytes;
    if (size <= maxBytes || this.#splitting.has(r.rangeId) || !this.#services || !this.#servingLease(r)) return;
    this.#splitting.add(r.rangeId);
    void (async () => {
      try {
        const key = await findSplitKey(this.engine, r.desc, size / 2);
        if (key) await this.adminSplit(r.rangeId, key);
      } catch {
        // Tried again at the next check.
      } finally {
        this.#splitting.delete(r.rangeId);
      }
    })();
  }

  /** An empty batch to every peer node: node liveness that quiesced ranges rely on. */
  #heartbeatPeers(): void {
    const peers = new Set<number>();
    for (const r of this.replicas.values()) for (const d of r.desc.replicas) if (d.nodeId !== this.nodeId) peers.add(d.nodeId);
    for (const peer of peers) this.transport.send(peer, []);
  }

  /** Messages from another node (possibly none: a node heartbeat). Unknown ranges are dropped (the sender retries). */
  deliver(envelopes: readonly RaftEnvelope[], fromNodeId = 0): void {
    if (this.#closed) return;
    if (fromNodeId) this.#lastHeard.set(fromNodeId, this.#ticks);
    for (const env of envelopes) this.replicas.get(env.rangeId)?.raw.step(env.message);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#cycleScheduled || this.#closed) return;
    this.#cycleScheduled = true;
    setImmediate(() => {
      this.#cycleScheduled = false;
      void this.#runCycle();
    });
  }

  async #runCycle(): Promise<void> {
    if (this.#closed) return;
    if (this.#cycleRunning) {
      await this.#cycleRunning;
      return this.#schedule();
    }
    this.#cycleRunning = this.processReady().finally(() => { this.#cycleRunning = null; });
    await this.#cycleRunning;
  }

  /** One scheduler cycle over every replica with work. */
  async processReady(): Promise<void> {
    if (this.#closed) return;
    const work: Array<{ replica: Replica; rd: Ready }> = [];
    for (const replica of this.replicas.values()) if (replica.raw.hasReady()) work.push({ replica, rd: replica.raw.ready() });
    if (work.length === 0) return;
    // 1. Send what may go out before this cycle's write is durable: a leader's
    //    appends, heartbeats and snapshot chunks (Raft thesis §10.2.1: the
    //    leader writes its log in parallel with replicating it; it counts its
    //    own copy only after the write, as commands apply in a later step).
    //    Votes and acknowledgements wait for the write.
    const outbox = new Map<number, RaftEnvelope[]>();
    const late = new Map<number, RaftEnvelope[]>();
    for (const { replica, rd } of work) {
      for (const message of rd.messages) {
        const node = replica.nodeOfReplica(message.to);
        if (!node) continue;
        const early = message.type === 'app' || message.type === 'heartbeat' || message.type === 'snap';
        const box = early ? outbox : late;
        let list = box.get(node);
        if (!list) box.set(node, (list = []));
        list.push({ rangeId: replica.rangeId, message });
      }
    }
    for (const [node, envelopes] of outbox) this.transport.send(node, envelopes);
    // 2. Persist every log append and hard state in one synced write (group commit).
    const logBatch = this.engine.newBatch();
    let mustSync = false;
    for (const { replica, rd } of work) {
      replica.storage.append(logBatch, rd.entries);
      if (rd.hardState) replica.storage.setHardState(logBatch, rd.hardState);
      mustSync ||= rd.mustSync;
    }
    if (logBatch.count > 0) await logBatch.commit({ sync: mustSync });
    for (const [node, envelopes] of late) this.transport.send(node, envelopes);
    // 3. Apply committed commands.
    const applyBatch = this.engine.newBatch();
    const applied: Array<{ replica: Replica; result: ApplyResult }> = [];
    for (const { replica, rd } of work) applied.push({ replica, result: await this.#apply(applyBatch, replica, rd) });
    if (applyBatch.count > 0) await applyBatch.commit({ sync: false });
    // Only now is the applied state visible to readers of the engine.
    const created: Replica[] = [];
    for (const { replica, result } of applied) {
      if (result.lease && result.lease !== replica.lease && result.lease.replicaId === replica.replicaId) {
        // Serve above the lease start: a transferred lease starts at the old
        // holder's clock, and nothing here may be timestamped below what it served.
        try {
          this.hlc.update({ wallMicros: result.lease.startMicros, logical: 0 });
        } catch {
          // Further ahead than the max offset: the clock-offset checks fence one of us.
        }
      }
      replica.appliedIndex = result.appliedIndex;
      replica.stats = result.stats;
      replica.desc = result.desc;
      replica.lease = result.lease;
      for (const right of result.splits) {
        if (this.replicas.has(right.rangeId)) continue;
        const rhs = await this.#loadReplica(right.rangeId);
        created.push(rhs);
        // The left side's leader starts the right side's election at once.
        if (replica.raw.role === 'leader') rhs.raw.campaign();
      }
    }
    // 4. Acknowledge, answer reads, advance.
    for (const { replica, rd } of work) {
      if (rd.softState && rd.softState.role !== 'leader') replica.failWaiters('leadership lost');
      // A new term may have truncated entries proposed in an earlier one, even if this node leads again.
      if (rd.hardState && rd.hardState.term !== replica.term) {
        if (replica.term !== 0) replica.failWaiters(`term changed to ${rd.hardState.term}`);
        replica.term = rd.hardState.term;
      }
      for (const rs of rd.readStates) {
        const key = Buffer.from(rs.requestContext).toString('latin1');
        const waiter = replica.reads.get(key);
        if (waiter) {
          replica.reads.delete(key);
          waiter.resolve(rs.index);
        }
      }
      replica.raw.advance(rd);
    }
    for (const { replica, result } of applied) {
      for (const id of result.ids) {
        const waiter = replica.proposals.get(id);
        if (waiter) {
          replica.proposals.delete(id);
          waiter.resolve();
        }
      }
      for (const id of result.rejected) {
        const waiter = replica.proposals.get(id);
        if (waiter) {
          replica.proposals.delete(id);
          waiter.reject(new NotLeaseholderError(replica.rangeId, this.#leaseholderHint(replica), 'the lease changed before the command applied'));
        }
      }
      replica.notifyApplied();
    }
    if (created.length > 0) this.#schedule();
    // More work may have arrived meanwhile.
    for (const replica of this.replicas.values()) if (replica.raw.hasReady()) return this.#schedule();
  }

  /** Adds a Ready's committed entries to the apply batch; the replica's state changes once it commits. */
  async #apply(batch: Batch, replica: Replica, rd: Ready): Promise<ApplyResult> {
    const result: ApplyResult = {
      ids: [], rejected: [], appliedIndex: replica.appliedIndex, stats: { ...replica.stats }, desc: replica.desc, lease: replica.lease, splits: [],
    };
    if (rd.committedEntries.length === 0) return result;
    for (const entry of rd.committedEntries) {
      result.appliedIndex = entry.index;
      if (entry.type === 'confChange') {
        try {
          replica.storage.setConfState(replica.raw.applyConfChange(decodeConfChange(entry.data)));
        } catch {
          // A malformed change is applied as a no-op on every replica alike.
        }
        continue;
      }
      if (entry.data.length === 0) continue;
      let command: Command;
      try {
        command = decodeCommand(entry.data);
      } catch (error) {
        // Every replica decodes the same bytes the same way, so skipping a
        // malformed entry keeps them identical; the proposer's waiter times out.
        if (!(error instanceof CommandDecodeError)) throw error;
        this.malformedCommands++;
        continue;
      }
      const id = command.id.toString('hex');
      // A command proposed under a lease that has since been replaced is
      // rejected everywhere: only the current leaseholder's writes apply.
      if (command.leaseSequence !== 0 && command.leaseSequence !== result.lease?.sequence) {
        this.rejectedCommands++;
        result.rejected.push(id);
        continue;
      }
      const trigger = command.trigger;
      if (trigger?.type === 'lease') {
        if (!leaseChangeApplies(result.lease, trigger.change)) {
          result.rejected.push(id);
          continue;
        }
        result.lease = trigger.change.lease;
      } else if (trigger?.type === 'split') {
        if (!this.#splitApplies(result.desc, trigger.split)) {
          result.rejected.push(id);
          continue;
        }
        result.desc = trigger.split.left;
        batch.put(this.#replicaListKey(replica.rangeId), encodeDescriptor(result.desc));
        if (!this.replicas.has(trigger.split.right.rangeId)) {
          await this.#writeInitialReplicaState(batch, trigger.split.right, trigger.split.rightStats, result.lease, splitInitialIndex, splitInitialTerm);
        }
        result.splits.push(trigger.split.right);
      } else if (trigger?.type === 'truncateLog' && trigger.index <= result.appliedIndex) {
        // Every replica drops the same prefix, at the same point in the log.
        replica.storage.compact(batch, trigger.index);
      }
      for (const w of command.writes) {
        if (w.value) batch.put(w.key, w.value);
        else batch.del(w.key);
      }
      addStats(result.stats, command.stats);
      result.ids.push(id);
    }
    this.log.setAppliedState(batch, replica.rangeId, {
      appliedIndex: result.appliedIndex,
      data: encodeAppliedData({ confState: replica.storage.confState, stats: result.stats, desc: result.desc, lease: result.lease }),
    });
    return result;
  }

  /** A split applies to the descriptor it was evaluated against (same range, generation and end). */
  #splitApplies(current: RangeDescriptor, split: SplitTrigger): boolean {
    return split.left.rangeId === current.rangeId && split.left.generation === current.generation + 1 &&
      compareKeys(split.left.startKey, current.startKey) === 0 && compareKeys(split.right.endKey, current.endKey) === 0 &&
      compareKeys(split.left.endKey, split.right.startKey) === 0;
  }

  /** A unique command ID: a random per-store prefix and a sequence number. */
  #commandId(): Buffer {
    const id = Buffer.allocUnsafe(16);
    this.#commandPrefix.copy(id, 0);
    id.writeBigUInt64BE(++this.#commandSeq, 8);
    return id;
  }

  /** Proposes a command and resolves once it is applied here. */
  #propose(replica: Replica, command: Command): Promise<void> {
    const id = command.id.toString('hex');
    const done = new Promise<void>((resolve, reject) => replica.proposals.set(id, { resolve, reject }));
    try {
      replica.raw.propose(encodeCommand(command));
    } catch (error) {
      replica.proposals.delete(id);
      throw new NotLeaseholderError(replica.rangeId, this.#leaseholderHint(replica), `proposal dropped: ${(error as Error).message}`);
    }
    this.#schedule();
    return done;
  }

  /** Proposes and waits a bounded time (lease changes and splits must not hang on a lost proposal). */
  async #proposeAndWait(replica: Replica, command: Command): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AmbiguousResultError(`range ${replica.rangeId}: command not applied in time`)), this.options.leaseAcquireTimeoutMs ?? 4000);
    });
    try {
      await Promise.race([this.#propose(replica, command), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** A linearizable read point without a lease: resolves when this replica has applied everything committed before the call. */
  async readBarrier(replica: Replica): Promise<void> {
    const context = Buffer.from(`${this.nodeId}:${++this.#readSeq}`);
    const index = new Promise<number>((resolve, reject) => replica.reads.set(context.toString('latin1'), { resolve, reject }));
    replica.raw.readIndex(context);
    this.#schedule();
    await replica.waitApplied(await index);
  }

  /** The timestamp a request runs at: its header's (folded into this node's clock) or a fresh one. */
  #timestampOf(header: RequestHeader): Timestamp {
    if (!header.timestamp) return this.hlc.now();
    this.hlc.update(header.timestamp);
    return header.timestamp;
  }

  /** Every key of the batch must lie in the range; else the sender's cache is stale. */
  #checkKeys(r: Replica, requests: readonly KvRequest[]): void {
    for (const request of requests) {
      let ok: boolean;
      if (request.type === 'rangeLookup') ok = containsSpan(r.desc, metaPrefix, metaMax);
      else if (request.type === 'scan' || request.type === 'deleteRange') ok = containsSpan(r.desc, request.key, request.endKey);
      else ok = containsKey(r.desc, request.key);
      if (!ok) {
        const descriptors = [r.desc];
        for (const other of this.replicas.values()) {
          if (other === r) continue;
          const span = requestSpan(request);
          const end = span.endKey ?? Buffer.concat([span.key, Buffer.from([0])]);
          if (compareKeys(other.desc.startKey, end) < 0 && compareKeys(span.key, other.desc.endKey) < 0) descriptors.push(other.desc);
        }
        throw new RangeKeyMismatchError(r.rangeId, descriptors);
      }
    }
  }

  /** Executes one request on this store's replica of the range (a convenience over `send`). */
  async execute(rangeId: number, request: KvRequest, header: RequestHeader = {}): Promise<KvResponse> {
    const [response] = await this.send(rangeId, [request], header);
    return response!;
  }

  /**
   * Serves a batch on this store's replica of the range, as its leaseholder.
   * Reads see the batch's earlier writes; all writes of the batch apply
   * atomically in one command.
   */
  async send(rangeId: number, requests: readonly KvRequest[], header: RequestHeader = {}): Promise<KvResponse[]> {
    if (this.#closed) throw new UnavailableError('store is closing');
    const replica = this.replica(rangeId);
    this.#checkKeys(replica, requests);
    if (requests.length === 1 && requests[0]!.type === 'adminSplit') {
      const split = await this.adminSplit(rangeId, requests[0]!.key);
      return [{ type: 'adminSplit', left: split.left, right: split.right }];
    }
    if (requests.some((r) => r.type === 'adminSplit')) throw new UnavailableError('adminSplit must be sent alone');
    await this.#ensureLease(replica);
    const spans = requests.map((r) => {
      const span = r.type === 'rangeLookup' ? { key: metaPrefix, endKey: metaMax } : requestSpan(r);
      return { ...span, read: !isWrite(r) };
    });
    const release = await replica.latches.acquire(spans);
    try {
      // The range may have split, or the lease moved, while waiting.
      this.#checkKeys(replica, requests);
      const lease = this.#servingLease(replica);
      if (!lease) throw new NotLeaseholderError(rangeId, this.#leaseholderHint(replica));
      this.options.onServe?.(rangeId, lease);
      this.requestsServed++;
      for (let attempt = 0; ; attempt++) {
        const ts = this.#timestampOf(header);
        const batch = this.engine.newBatch();
        const delta = emptyStats();
        const responses: KvResponse[] = [];
        try {
          for (const request of requests) {
            if (request.type === 'rangeLookup') {
              const { rows } = await mvccScan(this.engine, { key: rangeLookupKey(request.key), endKey: metaMax }, this.hlc.now(), { maxKeys: 1 });
              responses.push({ type: 'rangeLookup', descriptor: rows[0] ? decodeDescriptor(rows[0].value) : null });
              continue;
            }
            responses.push(await evaluate(batch, delta, request as EvaluableRequest, ts, header.txn));
          }
        } catch (error) {
          // A request without a timestamp of its own runs at whatever time is
          // current here: if a newer version exists (written by a leaseholder
          // whose clock ran ahead), move this node's clock past it and retry.
          if (error instanceof WriteTooOldError && !header.timestamp && !header.txn && attempt < 3) {
            this.hlc.update(error.actualTimestamp);
            continue;
          }
          throw error;
        }
        if (batch.count > 0) await this.#propose(replica, { id: this.#commandId(), leaseSequence: lease.sequence, writes: batch.writes(), stats: delta });
        return responses;
      }
    } finally {
      release();
    }
  }

  /**
   * Splits a range at `splitKey` (which must lie strictly inside it, above
   * meta). The left side keeps the range ID; the right side gets a new one
   * and the same replicas, and inherits the lease. Meta records are written
   * in the split command itself when this range holds meta, else right after.
   */
  async adminSplit(rangeId: number, splitKey: Buffer): Promise<{ left: RangeDescriptor; right: RangeDescriptor }> {
    const replica = this.replica(rangeId);
    const services = this.#services;
    if (!services) throw new UnavailableError('this store cannot split ranges (no cluster services)');
    if (compareKeys(splitKey, metaMax) < 0) throw new UnavailableError('cannot split inside local or meta keys');
    await this.#ensureLease(replica);
    const existing = this.replicaForKey(splitKey);
    if (existing && compareKeys(existing.desc.startKey, splitKey) === 0) {
      // Already split here: idempotent.
      return { left: this.#descEndingAt(splitKey) ?? existing.desc, right: existing.desc };
    }
    const rightId = await services.allocateRangeId();
    const release = await replica.latches.acquire([{ key: replica.desc.startKey, endKey: replica.desc.endKey }]);
    let left: RangeDescriptor;
    let right: RangeDescriptor;
    try {
      const desc = replica.desc;
      if (!(compareKeys(desc.startKey, splitKey) < 0 && compareKeys(splitKey, desc.endKey) < 0)) {
        throw new RangeKeyMismatchError(rangeId, [desc]);
      }
      const lease = this.#servingLease(replica);
      if (!lease) throw new NotLeaseholderError(rangeId, this.#leaseholderHint(replica));
      left = { ...desc, endKey: splitKey, generation: desc.generation + 1 };
      right = { rangeId: rightId, startKey: splitKey, endKey: desc.endKey, replicas: desc.replicas, generation: desc.generation + 1 };
      const rightStats = await computeStats(this.engine, { key: splitKey, endKey: desc.endKey });
      const batch = this.engine.newBatch();
      const delta = emptyStats();
      const holdsMeta = containsSpan(desc, metaPrefix, metaMax);
      if (holdsMeta) {
        const ts = this.hlc.now();
        await mvccPut(batch, delta, metaKey(left.endKey), ts, encodeDescriptor(left));
        await mvccPut(batch, delta, metaKey(right.endKey), ts, encodeDescriptor(right));
      }
      const moved = { ...rightStats };
      const leftDelta = emptyStats();
      addStats(leftDelta, delta);
      for (const f of Object.keys(moved) as Array<keyof MvccStats>) leftDelta[f] -= moved[f];
      await this.#proposeAndWait(replica, {
        id: this.#commandId(), leaseSequence: lease.sequence, writes: batch.writes(), stats: leftDelta,
        trigger: { type: 'split', split: { left, right, rightStats } },
      });
      if (!holdsMeta) await services.updateMeta([left, right]);
    } finally {
      release();
    }
    return { left, right };
  }

  #descEndingAt(key: Buffer): RangeDescriptor | undefined {
    for (const r of this.replicas.values()) if (compareKeys(r.desc.endKey, key) === 0) return r.desc;
    return undefined;
  }

  /** Stops processing; pending requests fail as ambiguous. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#cycleRunning) await this.#cycleRunning;
    for (const r of this.replicas.values()) r.failWaiters('store closed');
  }
}
