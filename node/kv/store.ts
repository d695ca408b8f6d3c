/**
 * A store: one LevelDB engine hosting many range replicas (multi-Raft). One
 * scheduler cycle handles every replica with work: all their Raft log
 * appends and hard states go into ONE synced LevelDB write (group commit),
 * then the cycle's messages go out coalesced per destination node, then
 * committed commands are applied (one unsynced write; the log is durable),
 * then the Raft groups advance.
 *
 * Writes are evaluated on the leader under latches into MVCC writes, which
 * are proposed as commands and acknowledged once applied. Reads use ReadIndex
 * (linearizable without leases) and wait for the local state to catch up.
 */
import { randomBytes } from 'node:crypto';
import { decodeConfChange, type ConfState, type Message, type Ready } from '../../consensus/index.ts';
import { assert } from '../assert.ts';
import type { Hlc, Timestamp } from '../hlc/index.ts';
import { metaKey, metaMax, prefixEnd, rangeLookupKey, storeLocalKey } from '../keys/index.ts';
import {
  addStats, emptyStats, mvccConditionalPut, mvccDelete, mvccDeleteRange, mvccGet, mvccIncrement, mvccPut, mvccScan, RaftLogStore,
  type Batch, type Engine, type MvccStats, type TxnMeta,
} from '../storage/index.ts';
import { CommandDecodeError, decodeCommand, encodeCommand, type Command } from './command.ts';
import { NotLeaderError, RangeNotFoundError } from './errors.ts';
import { ReplicaRaftStorage } from './raft-storage.ts';
import {
  decodeAppliedData, decodeDescriptor, encodeAppliedData, encodeDescriptor, Replica, type RangeDescriptor,
} from './replica.ts';
import { SnapshotTemporarilyUnavailableError } from '../../consensus/index.ts';

/** Raft messages for one range, as carried between nodes. */
export interface RaftEnvelope {
  readonly rangeId: number;
  readonly message: Message;
}

/** Delivers a batch of envelopes to a node (best effort: Raft tolerates loss). */
export interface RaftTransport {
  send(toNodeId: number, envelopes: readonly RaftEnvelope[]): void;
}

export interface StoreOptions {
  readonly electionTicks?: number;
  readonly heartbeatTicks?: number;
  /** Applied entries kept in a range's log before the leader proposes truncating it (default 1000). */
  readonly logTruncationThreshold?: number;
}

/**
 * What every request carries for the transaction layer: the timestamp to
 * read and write at (absent: the leaseholder's clock) and the transaction,
 * whose writes become intents and whose reads see its own intents.
 */
export interface RequestHeader {
  readonly timestamp?: Timestamp;
  readonly txn?: TxnMeta;
}

export type KvRequest =
  | { readonly type: 'get'; readonly key: Buffer }
  | { readonly type: 'scan'; readonly key: Buffer; readonly endKey: Buffer; readonly maxKeys?: number }
  | { readonly type: 'put'; readonly key: Buffer; readonly value: Buffer }
  | { readonly type: 'cput'; readonly key: Buffer; readonly value: Buffer; readonly expected: Buffer | null }
  | { readonly type: 'delete'; readonly key: Buffer }
  | { readonly type: 'increment'; readonly key: Buffer; readonly delta: bigint }
  | { readonly type: 'deleteRange'; readonly key: Buffer; readonly endKey: Buffer }
  /** The descriptor of the range holding `key`, from meta. */
  | { readonly type: 'rangeLookup'; readonly key: Buffer };

export type KvResponse =
  | { readonly type: 'get'; readonly value: Buffer | null }
  | { readonly type: 'scan'; readonly rows: Array<{ key: Buffer; value: Buffer }> }
  | { readonly type: 'put' | 'cput' | 'delete' }
  | { readonly type: 'increment'; readonly value: bigint }
  | { readonly type: 'deleteRange'; readonly keys: Buffer[] }
  | { readonly type: 'rangeLookup'; readonly descriptor: RangeDescriptor | null };

const replicaListPrefix = storeLocalKey('replica/');
/** The timestamp of state written at cluster bootstrap (before any clock reading). */
const bootstrapTimestamp: Timestamp = { wallMicros: 1, logical: 0 };

/** What applying one Ready produced: acknowledged command IDs, the new applied index and stats. */
interface ApplyResult {
  readonly ids: string[];
  appliedIndex: number;
  readonly stats: MvccStats;
}
/** Idle ticks before a leader quiesces its group. */
const quiesceAfterTicks = 3;
/** Ticks between node-level heartbeats to every peer (one per node pair, whatever the number of ranges). */
const nodeHeartbeatTicks = 5;
/** A quiesced follower whose leader's node has been silent this long wakes and may elect a new leader. */
const leaderNodeSilentTicks = 40;
/** Ticks between a leader's checks for log truncation. */
const truncationCheckTicks = 20;

export class Store {
  readonly replicas = new Map<number, Replica>();
  readonly log: RaftLogStore;
  #cycleScheduled = false;
  #cycleRunning: Promise<void> | null = null;
  #closed = false;
  #readSeq = 0;
  /** Committed entries that did not decode as commands (skipped identically on every replica). */
  malformedCommands = 0;
  #commandSeq = 0n;
  readonly #commandPrefix = randomBytes(8);
  #ticks = 0;
  /** The tick at which each peer node was last heard from. */
  readonly #lastHeard = new Map<number, number>();

  constructor(
    readonly engine: Engine,
    readonly nodeId: number,
    private readonly transport: RaftTransport,
    private readonly hlc: Hlc,
    private readonly options: StoreOptions = {},
  ) {
    this.log = new RaftLogStore(engine);
  }

  /** Writes the initial state of a replica of a new range (cluster bootstrap). */
  async bootstrapRange(desc: RangeDescriptor): Promise<void> {
    const self = desc.replicas.find((r) => r.nodeId === this.nodeId);
    assert(self, `node ${this.nodeId} is not a replica of range ${desc.rangeId}`);
    const confState: ConfState = { voters: desc.replicas.map((r) => r.replicaId), votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
    const batch = this.engine.newBatch();
    batch.put(this.#replicaListKey(desc.rangeId), encodeDescriptor(desc));
    // The range's addressing record, meta(endKey) → descriptor: part of the
    // initial state every replica starts from, written identically everywhere.
    const stats = emptyStats();
    await mvccPut(batch, stats, metaKey(desc.endKey), bootstrapTimestamp, encodeDescriptor(desc));
    // Like every initial member, start from an empty snapshot at index 1 that holds the configuration.
    await this.log.resetLog(batch, desc.rangeId, { index: 1, term: 1 });
    this.log.setHardState(batch, desc.rangeId, { term: 1, vote: 0, commit: 1 });
    this.log.setAppliedState(batch, desc.rangeId, { appliedIndex: 1, data: encodeAppliedData({ confState, stats }) });
    await batch.commit({ sync: true });
  }

  /** Loads every replica persisted on this store. */
  async start(): Promise<void> {
    for await (const [, value] of this.engine.iterate({ gte: replicaListPrefix, lt: prefixEnd(replicaListPrefix) })) {
      const desc = decodeDescriptor(value);
      await this.#loadReplica(desc);
    }
  }

  async #loadReplica(desc: RangeDescriptor): Promise<Replica> {
    const applied = this.log.appliedState(desc.rangeId);
    const data = decodeAppliedData(applied.data);
    assert(data, `range ${desc.rangeId} has no applied state`);
    const storage = await ReplicaRaftStorage.load(this.log, desc.rangeId, data.confState, () => {
      // Snapshot generation arrives with range rebalancing; until then followers catch up from the log.
      throw new SnapshotTemporarilyUnavailableError();
    });
    const self = desc.replicas.find((r) => r.nodeId === this.nodeId)!;
    const replica = new Replica(desc, self.replicaId, storage, applied.appliedIndex, data.stats, {
      electionTicks: this.options.electionTicks ?? 10, heartbeatTicks: this.options.heartbeatTicks ?? 1,
      maxSizePerMsg: 1 << 20, maxInflightMsgs: 256, maxInflightBytes: 0, maxUncommittedEntriesSize: 64 << 20,
      maxCommittedSizePerReady: 16 << 20, checkQuorum: true, preVote: true, readOnlyOption: 'safe',
    });
    this.replicas.set(desc.rangeId, replica);
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
      // Check for log truncation periodically, and always before going quiet:
      // a quiesced leader does not tick, so it would never truncate.
      if (r.raw.role === 'leader' && (this.#ticks % truncationCheckTicks === 0 || r.idleTicks + 1 >= quiesceAfterTicks)) {
        this.#maybeTruncateLog(r);
      }
      if (r.raw.role === 'leader' && r.raw.canQuiesce) {
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
      replica.raw.propose(encodeCommand({ id: this.#commandId(), writes: [], stats: emptyStats(), truncateLogTo: target }));
      this.#schedule();
    } catch {
      // Dropped (no quorum, transfer in progress): tried again later.
    }
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
    for (const { replica, rd } of work) applied.push({ replica, result: this.#apply(applyBatch, replica, rd) });
    if (applyBatch.count > 0) await applyBatch.commit({ sync: false });
    // Only now is the applied state visible to readers of the engine.
    for (const { replica, result } of applied) {
      replica.appliedIndex = result.appliedIndex;
      replica.stats = result.stats;
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
      replica.notifyApplied();
    }
    // More work may have arrived meanwhile.
    for (const replica of this.replicas.values()) if (replica.raw.hasReady()) return this.#schedule();
  }

  /** Adds a Ready's committed entries to the apply batch; the replica's state changes once it commits. */
  #apply(batch: Batch, replica: Replica, rd: Ready): ApplyResult {
    const result: ApplyResult = { ids: [], appliedIndex: replica.appliedIndex, stats: { ...replica.stats } };
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
      for (const w of command.writes) {
        if (w.value) batch.put(w.key, w.value);
        else batch.del(w.key);
      }
      addStats(result.stats, command.stats);
      result.ids.push(command.id.toString('hex'));
      if (command.truncateLogTo && command.truncateLogTo <= result.appliedIndex) {
        // Every replica drops the same prefix, at the same point in the log.
        replica.storage.compact(batch, command.truncateLogTo);
      }
    }
    this.log.setAppliedState(batch, replica.rangeId, {
      appliedIndex: result.appliedIndex,
      data: encodeAppliedData({ confState: replica.storage.confState, stats: result.stats }),
    });
    return result;
  }

  #leaderOrThrow(rangeId: number): Replica {
    const replica = this.replica(rangeId);
    if (replica.raw.role !== 'leader') throw new NotLeaderError(rangeId, replica.nodeOfReplica(replica.raw.leader));
    return replica;
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
      throw error;
    }
    this.#schedule();
    return done;
  }

  /** A linearizable read point: resolves when this replica has applied everything committed before the call. */
  async #readBarrier(replica: Replica): Promise<void> {
    const context = Buffer.from(`${this.nodeId}:${++this.#readSeq}`);
    const index = new Promise<number>((resolve, reject) => replica.reads.set(context.toString('latin1'), { resolve, reject }));
    replica.raw.readIndex(context);
    this.#schedule();
    await replica.waitApplied(await index);
  }

  /** Executes one request on the range's leader replica on this store. */
  /** The timestamp a request runs at: its header's (folded into this node's clock) or a fresh one. */
  #timestampOf(header: RequestHeader): Timestamp {
    if (!header.timestamp) return this.hlc.now();
    this.hlc.update(header.timestamp);
    return header.timestamp;
  }

  async execute(rangeId: number, request: KvRequest, header: RequestHeader = {}): Promise<KvResponse> {
    const replica = this.#leaderOrThrow(rangeId);
    const txnOptions = header.txn ? { txn: header.txn } : {};
    if (request.type === 'rangeLookup') {
      await this.#readBarrier(replica);
      const { rows } = await mvccScan(this.engine, { key: rangeLookupKey(request.key), endKey: metaMax }, this.hlc.now(), { maxKeys: 1 });
      return { type: 'rangeLookup', descriptor: rows[0] ? decodeDescriptor(rows[0].value) : null };
    }
    if (request.type === 'get' || request.type === 'scan') {
      await this.#readBarrier(replica);
      const ts = this.#timestampOf(header);
      if (request.type === 'get') return { type: 'get', value: (await mvccGet(this.engine, request.key, ts, txnOptions)).value };
      const result = await mvccScan(this.engine, { key: request.key, endKey: request.endKey }, ts, { maxKeys: request.maxKeys ?? 0, ...txnOptions });
      return { type: 'scan', rows: result.rows.map((r) => ({ key: r.key, value: r.value })) };
    }
    const release = await replica.latches.acquire([request.type === 'deleteRange' ? { key: request.key, endKey: request.endKey } : request.key]);
    try {
      this.#leaderOrThrow(rangeId);
      const ts: Timestamp = this.#timestampOf(header);
      const batch = this.engine.newBatch();
      const delta: MvccStats = emptyStats();
      let response: KvResponse;
      switch (request.type) {
        case 'put':
          await mvccPut(batch, delta, request.key, ts, request.value, txnOptions);
          response = { type: 'put' };
          break;
        case 'cput':
          await mvccConditionalPut(batch, delta, request.key, ts, request.value, request.expected, txnOptions);
          response = { type: 'cput' };
          break;
        case 'delete':
          await mvccDelete(batch, delta, request.key, ts, txnOptions);
          response = { type: 'delete' };
          break;
        case 'increment':
          response = { type: 'increment', value: await mvccIncrement(batch, delta, request.key, ts, request.delta, txnOptions) };
          break;
        case 'deleteRange':
          response = { type: 'deleteRange', keys: await mvccDeleteRange(batch, delta, { key: request.key, endKey: request.endKey }, ts, txnOptions) };
          break;
      }
      await this.#propose(replica, { id: this.#commandId(), writes: batch.writes(), stats: delta });
      return response;
    } finally {
      release();
    }
  }

  /** Stops processing; pending requests fail as ambiguous. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#cycleRunning) await this.#cycleRunning;
    for (const r of this.replicas.values()) r.failWaiters('store closed');
  }
}
