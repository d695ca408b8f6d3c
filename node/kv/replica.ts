/**
 * A replica of one range on a store: its Raft group (RawNode over the store's
 * LevelDB), the latches and waiters of requests it leads, and the state
 * machine it applies committed commands to.
 */
import { randomBytes } from 'node:crypto';
import { RawNode, type ConfState, type RaftConfig, type Rng } from '../../consensus/index.ts';
import { emptyStats, type MvccStats } from '../storage/index.ts';
import { AmbiguousResultError } from './errors.ts';
import { LatchManager } from './latches.ts';
import type { ReplicaRaftStorage } from './raft-storage.ts';
import { descriptorFromJson, descriptorToJson, type RangeDescriptor } from './descriptor.ts';
import { decodeLease, type Lease } from './lease.ts';

/**
 * The replicated state a replica persists with its applied index: its Raft
 * configuration, MVCC stats, descriptor and lease (all changed only by
 * applying commands, so identical on every replica at the same index).
 */
export interface AppliedData {
  readonly confState: ConfState;
  readonly stats: MvccStats;
  readonly desc: RangeDescriptor;
  readonly lease: Lease | null;
}

export function encodeAppliedData(d: AppliedData): Buffer {
  return Buffer.from(JSON.stringify({ confState: d.confState, stats: d.stats, desc: descriptorToJson(d.desc), lease: d.lease }));
}

export function decodeAppliedData(raw: Uint8Array): AppliedData | null {
  if (raw.length === 0) return null;
  const j = JSON.parse(Buffer.from(raw).toString('utf8')) as { confState: ConfState; stats: MvccStats; desc: unknown; lease: unknown };
  return { confState: j.confState, stats: j.stats, desc: descriptorFromJson(j.desc), lease: decodeLease(j.lease) };
}

class CryptoRng implements Rng {
  intn(n: number): number {
    return n <= 0 ? 0 : randomBytes(4).readUInt32BE(0) % n;
  }
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

export class Replica {
  readonly raw: RawNode;
  readonly latches = new LatchManager();
  desc: RangeDescriptor;
  /** The lease as of the applied index. */
  lease: Lease | null;
  /** A lease sequence this replica gave away (by transfer) and must no longer serve under. */
  abandonedLeaseSequence = 0;
  /** The lease acquisition or extension in flight, if any. */
  pendingLease: Promise<void> | null = null;
  stats: MvccStats;
  appliedIndex: number;
  /** Proposals led here, by command ID (hex), waiting to be applied. */
  readonly proposals = new Map<string, Waiter<void>>();
  /** ReadIndex requests by context, waiting for their read index. */
  readonly reads = new Map<string, Waiter<number>>();
  /** The Raft term last seen in a Ready (proposals do not survive a term change). */
  term = 0;
  /** Consecutive ticks this leader's group has been idle (quiesces after a few). */
  idleTicks = 0;
  /** Waiters for the applied index to reach a value. */
  appliedWaiters: Array<{ index: number; resolve: () => void }> = [];

  constructor(
    readonly replicaId: number,
    readonly storage: ReplicaRaftStorage,
    applied: number,
    data: AppliedData,
    config: Omit<RaftConfig, 'id' | 'applied'>,
  ) {
    this.appliedIndex = applied;
    this.desc = data.desc;
    this.lease = data.lease;
    this.stats = data.stats ?? emptyStats();
    this.raw = new RawNode({ ...config, id: replicaId, applied }, storage, new CryptoRng());
  }

  get rangeId(): number {
    return this.desc.rangeId;
  }

  nodeOfReplica(replicaId: number): number {
    return this.desc.replicas.find((r) => r.replicaId === replicaId)?.nodeId ?? 0;
  }

  replicaOfNode(nodeId: number): number {
    return this.desc.replicas.find((r) => r.nodeId === nodeId)?.replicaId ?? 0;
  }

  isLeader(): boolean {
    return this.raw.role === 'leader';
  }

  /** Resolves once everything up to `index` is applied here. */
  waitApplied(index: number): Promise<void> {
    if (this.appliedIndex >= index) return Promise.resolve();
    return new Promise((resolve) => this.appliedWaiters.push({ index, resolve }));
  }

  notifyApplied(): void {
    const ready = this.appliedWaiters.filter((w) => w.index <= this.appliedIndex);
    if (ready.length === 0) return;
    this.appliedWaiters = this.appliedWaiters.filter((w) => w.index > this.appliedIndex);
    for (const w of ready) w.resolve();
  }

  /** Leadership was lost: requests waiting on this replica may or may not complete. */
  failWaiters(reason: string): void {
    for (const w of this.proposals.values()) w.reject(new AmbiguousResultError(`range ${this.rangeId}: ${reason}`));
    this.proposals.clear();
    for (const w of this.reads.values()) w.reject(new AmbiguousResultError(`range ${this.rangeId}: ${reason}`));
    this.reads.clear();
  }
}
