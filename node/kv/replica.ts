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

export interface ReplicaDescriptor {
  readonly nodeId: number;
  readonly replicaId: number;
}

export interface RangeDescriptor {
  readonly rangeId: number;
  /** Hex-free raw bytes are kept as base64 in the persisted JSON form. */
  readonly startKey: Buffer;
  readonly endKey: Buffer;
  readonly replicas: readonly ReplicaDescriptor[];
}

export function encodeDescriptor(d: RangeDescriptor): Buffer {
  return Buffer.from(JSON.stringify({
    rangeId: d.rangeId, startKey: d.startKey.toString('base64'), endKey: d.endKey.toString('base64'), replicas: d.replicas,
  }));
}

export function decodeDescriptor(raw: Uint8Array): RangeDescriptor {
  const j = JSON.parse(Buffer.from(raw).toString('utf8')) as { rangeId: number; startKey: string; endKey: string; replicas: ReplicaDescriptor[] };
  return { rangeId: j.rangeId, startKey: Buffer.from(j.startKey, 'base64'), endKey: Buffer.from(j.endKey, 'base64'), replicas: j.replicas };
}

/** What a replica persists with its applied index: its configuration and MVCC stats. */
export interface AppliedData {
  readonly confState: ConfState;
  readonly stats: MvccStats;
}

export function encodeAppliedData(d: AppliedData): Buffer {
  return Buffer.from(JSON.stringify(d));
}

export function decodeAppliedData(raw: Uint8Array): AppliedData | null {
  if (raw.length === 0) return null;
  return JSON.parse(Buffer.from(raw).toString('utf8')) as AppliedData;
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
    readonly desc: RangeDescriptor,
    readonly replicaId: number,
    readonly storage: ReplicaRaftStorage,
    applied: number,
    stats: MvccStats | null,
    config: Omit<RaftConfig, 'id' | 'applied'>,
  ) {
    this.appliedIndex = applied;
    this.stats = stats ?? emptyStats();
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
