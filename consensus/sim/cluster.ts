/**
 * A deterministic in-process Raft cluster for tests and soak runs: RawNodes
 * over MemoryStorage, a seeded network that can drop, delay, duplicate and
 * reorder messages and partition nodes, crashes and restarts from persisted
 * state, and an invariant checker run after every step.
 */
import { RawNode, type RaftConfig } from '../raw-node.ts';
import { MemoryStorage } from '../memory-storage.ts';
import { decodeConfChange } from '../confchange.ts';
import type { ConfState, Entry, HardState, Message, ReplicaId, Ready } from '../types.ts';
import { SeededRng } from './rng.ts';
import { InvariantChecker } from './invariants.ts';

export interface NetworkFaults {
  dropRate: number;
  duplicateRate: number;
  /** Maximum extra delivery delay in steps (reordering comes from random delays). */
  maxDelaySteps: number;
}

export const noFaults: NetworkFaults = { dropRate: 0, duplicateRate: 0, maxDelaySteps: 0 };

interface InFlight {
  readonly deliverAt: number;
  readonly seq: number;
  readonly message: Message;
}

export interface SimNode {
  readonly id: ReplicaId;
  storage: MemoryStorage;
  raw: RawNode | null;
  /** Applied payloads by index, for this incarnation and durable across restarts. */
  applied: Map<number, string>;
  appliedIndex: number;
  /** The hard state as of the last synced write; a crash reverts to it. */
  syncedHardState: HardState | null;
  confState: ConfState;
}

export interface ClusterOptions {
  readonly seed: number;
  readonly voters: readonly ReplicaId[];
  readonly learners?: readonly ReplicaId[];
  readonly preVote?: boolean;
  readonly checkQuorum?: boolean;
  readonly readOnlyOption?: 'safe' | 'leaseBased';
  readonly electionTicks?: number;
  readonly maxSizePerMsg?: number;
  readonly snapshotChunkBytes?: number;
}

const decoder = new TextDecoder();

/** A one-line description of a message, for interaction tests. */
export function describeMessage(m: Message): string {
  const parts = [`${m.from}->${m.to} ${m.type} term=${m.term}`];
  if (m.type === 'app' || m.type === 'vote' || m.type === 'preVote') parts.push(`index=${m.index} logTerm=${m.logTerm}`);
  if (m.type === 'appResp' || m.type === 'readIndexResp') parts.push(`index=${m.index}`);
  if (m.entries.length > 0) parts.push(`entries=[${m.entries.map((e) => `${e.index}/${e.term}${e.type === 'confChange' ? ':conf' : e.data.length ? `:${decoder.decode(e.data)}` : ''}`).join(' ')}]`);
  if (m.type === 'app' || m.type === 'heartbeat') parts.push(`commit=${m.commit}`);
  if (m.reject) parts.push(`reject hint=${m.rejectHint}/${m.logTerm}`);
  if (m.snapshot) parts.push(`snapshot=${m.snapshot.metadata.index}/${m.snapshot.metadata.term} voters=(${m.snapshot.metadata.confState.voters.join(',')})`);
  if (m.snapshotBytes !== undefined && m.snapshotBytes > 0) parts.push(`bytes=${m.snapshotOffset ?? 0}+${m.snapshot?.data.length ?? 0}/${m.snapshotBytes}`);
  if (m.type === 'snapAck') parts.push(`index=${m.index} held=${m.snapshotOffset ?? 0}`);
  if (m.context && m.context.length > 0) parts.push(`context=${decoder.decode(m.context)}`);
  if (m.quiesce) parts.push('quiesce');
  return parts.join(' ');
}
const encoder = new TextEncoder();

/**
 * Storage that, like a range replica, produces snapshots on demand: asked
 * for a snapshot, it captures the node's applied state (and configuration)
 * when the stored snapshot is older than what has been applied.
 */
class SimStorage extends MemoryStorage {
  node: SimNode | null = null;

  /** The configuration as of the node's applied index, which survives restarts with its state machine. */
  override initialState() {
    const state = super.initialState();
    return this.node ? { hardState: state.hardState, confState: this.node.confState } : state;
  }

  override snapshot() {
    const stored = super.snapshot();
    const node = this.node;
    if (!node || node.appliedIndex <= stored.metadata.index || node.appliedIndex > this.lastIndex()) return stored;
    const data = encoder.encode(JSON.stringify(Object.fromEntries(node.applied)));
    return this.createSnapshot(node.appliedIndex, node.confState, data);
  }
}

export class SimCluster {
  readonly rng: SeededRng;
  readonly nodes = new Map<ReplicaId, SimNode>();
  readonly checker = new InvariantChecker();
  faults: NetworkFaults = noFaults;
  /** Directed links that drop everything: "from->to". */
  readonly cut = new Set<string>();
  #queue: InFlight[] = [];
  #pendingReports: Array<{ leader: ReplicaId; to: ReplicaId; status: 'finish' | 'failure' }> = [];
  #step = 0;
  #seq = 0;
  messagesSent = 0;
  /** When set, messages sent, role changes, applies and reads are described here. */
  trace: string[] | null = null;
  /** ReadIndex requests: context → commit index known committed when the request was made. */
  readonly reads = new Map<string, { node: ReplicaId; minIndex: number }>();
  readonly servedReads: Array<{ node: ReplicaId; context: string; index: number }> = [];

  constructor(readonly options: ClusterOptions) {
    this.rng = new SeededRng(options.seed);
    const confState: ConfState = {
      voters: [...options.voters], votersOutgoing: [], learners: [...(options.learners ?? [])], learnersNext: [], autoLeave: false,
    };
    for (const id of [...options.voters, ...(options.learners ?? [])]) this.#bootstrapNode(id, confState);
  }

  /**
   * An initial member: its storage starts from a snapshot at index 1 holding
   * the initial configuration, so members added later learn the whole
   * configuration from a snapshot rather than from a log that lacks it.
   */
  #bootstrapNode(id: ReplicaId, confState: ConfState): void {
    const storage = new SimStorage(confState);
    storage.applySnapshot({ metadata: { index: 1, term: 1, confState }, data: encoder.encode('{}') });
    storage.setHardState({ term: 1, vote: 0, commit: 1 });
    const node: SimNode = { id, storage, raw: null, applied: new Map(), appliedIndex: 1, confState, syncedHardState: storage.hardState };
    storage.node = node;
    this.nodes.set(id, node);
    this.start(node);
  }

  /** Adds a new, empty node; it learns the configuration from the leader's snapshot once it is a member. */
  addNode(id: ReplicaId): SimNode {
    const empty: ConfState = { voters: [], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
    const storage = new SimStorage(empty);
    const node: SimNode = { id, storage, raw: null, applied: new Map(), appliedIndex: 0, confState: empty, syncedHardState: null };
    storage.node = node;
    this.nodes.set(id, node);
    this.start(node);
    return node;
  }

  config(id: ReplicaId, applied: number): RaftConfig {
    return {
      id, electionTicks: this.options.electionTicks ?? 10, heartbeatTicks: 1, applied,
      maxSizePerMsg: this.options.maxSizePerMsg ?? 64 * 1024, maxInflightMsgs: 16, maxInflightBytes: 0,
      maxUncommittedEntriesSize: 0, maxCommittedSizePerReady: 1024 * 1024,
      checkQuorum: this.options.checkQuorum ?? true, preVote: this.options.preVote ?? true,
      readOnlyOption: this.options.readOnlyOption ?? 'safe',
      snapshotChunkBytes: this.options.snapshotChunkBytes ?? 64,
    };
  }

  start(node: SimNode): void {
    node.raw = new RawNode(this.config(node.id, node.appliedIndex), node.storage, new SeededRng(this.rng.next()));
    this.checker.restarted(node.id, node.appliedIndex);
  }

  /** Crashes a node: in-memory Raft state is lost; persisted storage and applied state survive. */
  crash(id: ReplicaId): void {
    const node = this.nodes.get(id);
    if (!node) return;
    node.raw = null;
    // Writes made without a sync (a Ready with mustSync false: only the commit
    // index moved) are lost.
    if (node.syncedHardState) node.storage.setHardState(node.syncedHardState);
  }

  restart(id: ReplicaId): void {
    const node = this.nodes.get(id);
    if (node && !node.raw) this.start(node);
  }

  isolate(id: ReplicaId): void {
    for (const other of this.nodes.keys()) {
      if (other === id) continue;
      this.cut.add(`${id}->${other}`);
      this.cut.add(`${other}->${id}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  node(id: ReplicaId): RawNode {
    const raw = this.nodes.get(id)?.raw;
    if (!raw) throw new Error(`node ${id} is down`);
    return raw;
  }

  leader(): ReplicaId {
    let best = 0;
    let bestTerm = -1;
    for (const node of this.nodes.values()) {
      const st = node.raw?.status();
      if (st && st.role === 'leader' && st.term > bestTerm) {
        best = node.id;
        bestTerm = st.term;
      }
    }
    return best;
  }

  #enqueue(m: Message): void {
    this.messagesSent++;
    this.trace?.push(describeMessage(m));
    if (this.cut.has(`${m.from}->${m.to}`) || this.rng.chance(this.faults.dropRate)) {
      // The transport tells the leader when a snapshot could not be delivered.
      if (m.type === 'snap') this.#pendingReports.push({ leader: m.from, to: m.to, status: 'failure' });
      return;
    }
    const copies = this.rng.chance(this.faults.duplicateRate) ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      const delay = this.faults.maxDelaySteps > 0 ? this.rng.intn(this.faults.maxDelaySteps + 1) : 0;
      this.#queue.push({ deliverAt: this.#step + delay, seq: this.#seq++, message: m });
    }
  }

  /** Processes every node's Ready: persist, send, apply, advance. */
  processReadies(): void {
    for (const node of this.nodes.values()) {
      const raw = node.raw;
      while (raw && raw.hasReady()) this.#handleReady(node, raw, raw.ready());
    }
  }

  #handleReady(node: SimNode, raw: RawNode, rd: Ready): void {
    if (rd.snapshot) {
      node.storage.applySnapshot(rd.snapshot);
      const restored = JSON.parse(decoder.decode(rd.snapshot.data) || '{}') as Record<string, string>;
      node.applied = new Map(Object.entries(restored).map(([k, v]) => [Number(k), v]));
      node.appliedIndex = rd.snapshot.metadata.index;
      node.confState = rd.snapshot.metadata.confState;
      this.checker.snapshotInstalled(node.id, rd.snapshot.metadata.index, node.applied);
    }
    node.storage.append(rd.entries);
    if (rd.hardState) node.storage.setHardState(rd.hardState);
    if (rd.mustSync || rd.snapshot) node.syncedHardState = node.storage.hardState;
    this.checker.persisted(node.id, node.storage);
    if (rd.softState?.role === 'leader') this.checker.leaderElected(node.id, raw.status().term);
    if (rd.softState) this.trace?.push(`${node.id} became ${rd.softState.role} at term ${raw.status().term}`);
    for (const m of rd.messages) this.#enqueue(m);
    for (const e of rd.committedEntries) this.#apply(node, raw, e);
    for (const rs of rd.readStates) this.#serveRead(node, rs.requestContext, rs.index);
    raw.advance(rd);
  }

  #apply(node: SimNode, raw: RawNode, e: Entry): void {
    if (e.type === 'confChange') {
      try {
        node.confState = raw.applyConfChange(decodeConfChange(e.data));
      } catch {
        // A malformed conf change entry is applied as a no-op.
      }
    }
    const payload = e.type === 'normal' ? decoder.decode(e.data) : `conf:${e.index}`;
    if (e.data.length > 0) this.trace?.push(`${node.id} applied ${e.index}/${e.term} ${e.type === 'normal' ? payload : 'conf change'}`);
    this.checker.applied(node.id, e.index, e.term, payload);
    node.applied.set(e.index, payload);
    node.appliedIndex = e.index;
  }

  #serveRead(node: SimNode, context: Uint8Array, index: number): void {
    const key = decoder.decode(context);
    this.servedReads.push({ node: node.id, context: key, index });
    this.trace?.push(`${node.id} read ${key} at index ${index}`);
    const request = this.reads.get(key);
    if (request) this.checker.readServed(key, index, request.minIndex);
  }

  /** Issues a ReadIndex on `id`; remembers what was committed cluster-wide at that moment. */
  readIndex(id: ReplicaId, context: string): void {
    const raw = this.nodes.get(id)?.raw;
    if (!raw) return;
    this.reads.set(context, { node: id, minIndex: this.checker.highestCommitted() });
    raw.readIndex(new TextEncoder().encode(context));
  }

  /** Delivers messages due this step (in a seeded order), ticking every node every `tickEvery` steps. */
  step(tick: boolean): void {
    this.#step++;
    if (tick) for (const node of this.nodes.values()) node.raw?.tick();
    this.processReadies();
    const due = this.#queue.filter((f) => f.deliverAt <= this.#step);
    this.#queue = this.#queue.filter((f) => f.deliverAt > this.#step);
    due.sort((a, b) => a.deliverAt - b.deliverAt || a.seq - b.seq);
    for (const f of due) {
      const target = this.nodes.get(f.message.to)?.raw;
      if (!target) {
        if (f.message.type === 'snap') this.#pendingReports.push({ leader: f.message.from, to: f.message.to, status: 'failure' });
        continue;
      }
      target.step(f.message);
      this.processReadies();
    }
    const reports = this.#pendingReports;
    this.#pendingReports = [];
    for (const r of reports) this.nodes.get(r.leader)?.raw?.reportSnapshot(r.to, r.status);
    this.processReadies();
    this.checker.checkStep(this);
  }

  /** Runs until no messages are queued and nothing is ready (bounded). */
  stabilize(maxSteps = 1000): void {
    for (let i = 0; i < maxSteps; i++) {
      this.processReadies();
      if (this.#queue.length === 0) return;
      this.step(false);
    }
    throw new Error('cluster did not stabilize');
  }

  /** Ticks until a leader exists (bounded). */
  electLeader(maxTicks = 500): ReplicaId {
    for (let i = 0; i < maxTicks; i++) {
      const leader = this.leader();
      if (leader) return leader;
      this.step(true);
    }
    throw new Error('no leader elected');
  }

  propose(id: ReplicaId, payload: string): boolean {
    const raw = this.nodes.get(id)?.raw;
    if (!raw) return false;
    try {
      raw.propose(new TextEncoder().encode(payload));
      return true;
    } catch {
      return false;
    }
  }

  /** Compacts a node's storage at its applied index, with a snapshot of its applied state. */
  compact(id: ReplicaId): void {
    const node = this.nodes.get(id);
    if (!node || node.appliedIndex <= node.storage.firstIndex()) return;
    const data = new TextEncoder().encode(JSON.stringify(Object.fromEntries(node.applied)));
    try {
      node.storage.createSnapshot(node.appliedIndex, node.confState, data);
      node.storage.compact(node.appliedIndex);
    } catch {
      // Stale snapshot: nothing to compact.
    }
  }

  get queued(): number {
    return this.#queue.length;
  }
}
