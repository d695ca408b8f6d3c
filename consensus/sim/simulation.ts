/**
 * A deterministic in-process Raft cluster: replicas (RawNode + SimDisk), the
 * simulated network between them, and the invariant checker, advanced one
 * step at a time. A step ticks the replicas, delivers the messages that are
 * due, gives the transport's feedback (unreachable peers, failed snapshot
 * sends) and lets every replica do its Ready work; then the checker looks at
 * the leaders. Everything random comes from the seeded generator, so a run is
 * a pure function of its seed and the calls made on it.
 */
import { describeMessage, ProposalDroppedError } from '../index.ts';
import type { ConfChange, ConfState, Entry, LogIndex, Message, RaftConfig, ReplicaId, Term } from '../index.ts';
import { InvariantChecker } from './checker.ts';
import { SimDisk } from './disk.ts';
import { SimNetwork, type NetworkFaults } from './network.ts';
import { SimReplica, type ReplicaHost } from './replica.ts';
import { SeededRng } from './rng.ts';

export interface SimulationOptions {
  readonly seed: number;
  readonly voters: readonly ReplicaId[];
  readonly learners?: readonly ReplicaId[];
  /** Every replica's Raft configuration (ID and applied index are set per replica). */
  readonly config: RaftConfig;
  /** Probability that a live replica ticks in a step. */
  readonly tickRate?: number;
  /** Steps a Ready's write takes: uniform in [diskDelayMin, diskDelayMax] (default 0). */
  readonly diskDelayMax?: number;
  readonly diskDelayMin?: number;
  /** Whether a crash loses hard-state writes that were not synced: always, never, or at random (default). */
  readonly loseUnsynced?: 'always' | 'never' | 'sometimes';
  /** A leader's appends, heartbeats and snapshots go out before its write. */
  readonly earlySend?: boolean;
  /** Keep a trace of every message, not just the events (for replaying one seed). */
  readonly traceMessages?: boolean;
  /**
   * Rewrites every message a replica sends. Tests use it to plant a bug in
   * what the library says (a vote granted that it refused, say) and show
   * that the checker catches the consequences.
   */
  readonly mutate?: (m: Message) => Message;
}

function membersOf(c: ConfState): ReplicaId[] {
  return [...c.voters, ...c.votersOutgoing, ...c.learners, ...c.learnersNext];
}

/** Recent events kept for a failure report. */
const eventsKept = 60;

const encoder = new TextEncoder();

export class Simulation implements ReplicaHost {
  readonly rng: SeededRng;
  readonly network: SimNetwork;
  readonly checker = new InvariantChecker();
  readonly replicas = new Map<ReplicaId, SimReplica>();
  now = 0;
  /** The recent-events ring (and, when tracing messages, every message). */
  readonly events: string[] = [];
  /** Every event when set (single-seed replays). */
  fullTrace: string[] | null = null;
  /** Index at which each applied payload landed (first replica to apply it), by payload text. */
  readonly landed = new Map<string, LogIndex>();
  readonly stats = { crashes: 0, restarts: 0, proposals: 0, proposalsDropped: 0, snapshotsSent: 0, confChanges: 0 };
  readonly #nodeRng: SeededRng;
  readonly #diskRng: SeededRng;
  #readSeq = 0;
  readonly #everMember = new Set<ReplicaId>();
  #latestConf: { index: LogIndex; members: ReadonlySet<ReplicaId> };

  constructor(readonly options: SimulationOptions) {
    const root = new SeededRng(options.seed);
    this.rng = root.fork();
    this.network = new SimNetwork(root.fork());
    this.#nodeRng = root.fork();
    this.#diskRng = root.fork();
    const confState: ConfState = {
      voters: [...options.voters], votersOutgoing: [], learners: [...(options.learners ?? [])], learnersNext: [], autoLeave: false,
    };
    this.#latestConf = { index: 1, members: new Set(membersOf(confState)) };
    for (const id of membersOf(confState)) this.#everMember.add(id);
    for (const id of [...options.voters, ...(options.learners ?? [])]) {
      const replica = new SimReplica(id, SimDisk.bootstrap(confState), this);
      this.replicas.set(id, replica);
      replica.start(options.config, this.#nodeRng.fork());
    }
  }

  // ReplicaHost.

  get earlySend(): boolean {
    return this.options.earlySend ?? false;
  }

  diskDelay(): number {
    const min = this.options.diskDelayMin ?? 0;
    const max = Math.max(min, this.options.diskDelayMax ?? 0);
    return max > min ? this.#diskRng.between(min, max) : min;
  }

  loseUnsynced(): boolean {
    const mode = this.options.loseUnsynced ?? 'sometimes';
    return mode === 'always' || (mode === 'sometimes' && this.#diskRng.chance(0.5));
  }

  event(line: string): void {
    const text = `[${this.now}] ${line}`;
    this.fullTrace?.push(text);
    this.events.push(text);
    if (this.events.length > eventsKept * 2) this.events.splice(0, this.events.length - eventsKept);
  }

  send(message: Message): void {
    const m = this.options.mutate ? this.options.mutate(message) : message;
    if (m.type === 'snap') this.stats.snapshotsSent++;
    if (this.options.traceMessages) this.event(describeMessage(m));
    this.network.send(m, this.now);
  }

  appliedPayload(_id: ReplicaId, e: Entry): void {
    const text = new TextDecoder().decode(e.data);
    if (!this.landed.has(text)) this.landed.set(text, e.index);
  }

  appliedConfChange(_id: ReplicaId, index: LogIndex, after: ConfState): void {
    for (const id of membersOf(after)) this.#everMember.add(id);
    if (index > this.#latestConf.index) this.#latestConf = { index, members: new Set(membersOf(after)) };
  }

  /**
   * Replicas that were members and are not in the latest configuration any
   * replica applied. Not final: a change proposed against an older
   * configuration (say, demoting a voter that another change then removed)
   * can add a replica back.
   */
  get removed(): ReplicaId[] {
    return [...this.#everMember].filter((id) => !this.#latestConf.members.has(id));
  }

  /** Members of the latest configuration any replica applied. */
  get members(): ReadonlySet<ReplicaId> {
    return this.#latestConf.members;
  }

  // Membership of the simulation (not of Raft).

  /**
   * Shuts down a replica that a conf change removed, as a range's replica GC
   * does: left running, a removed replica that never learned of its removal
   * keeps campaigning, and without PreVote or CheckQuorum that disrupts the
   * group forever (Raft thesis §4.2.3).
   */
  retire(id: ReplicaId): void {
    const r = this.replica(id);
    if (r.retired) return;
    r.crash('removed from the group: shut down');
    r.retired = true;
  }

  /** Brings back a retired replica that a later conf change made a member again. */
  unretire(id: ReplicaId): void {
    const r = this.replica(id);
    if (!r.retired) return;
    r.retired = false;
    this.event(`${id} is a member again`);
    this.restart(id);
  }

  /** Retires replicas removed from the group and brings back retired ones that are members again. */
  collectGarbage(): void {
    for (const id of this.removed) this.retire(id);
    for (const id of this.members) if (this.replicas.get(id)?.retired) this.unretire(id);
  }

  /** Adds a new, empty replica that a conf change can then add to the group. */
  addReplica(id: ReplicaId): SimReplica {
    if (this.replicas.has(id)) throw new Error(`replica ${id} exists`);
    const replica = new SimReplica(id, SimDisk.empty(), this);
    this.replicas.set(id, replica);
    replica.start(this.options.config, this.#nodeRng.fork());
    return replica;
  }

  replica(id: ReplicaId): SimReplica {
    const r = this.replicas.get(id);
    if (!r) throw new Error(`no replica ${id}`);
    return r;
  }

  live(): SimReplica[] {
    return [...this.replicas.values()].filter((r) => r.live);
  }

  /** Replicas that are down and may be restarted. */
  down(): SimReplica[] {
    return [...this.replicas.values()].filter((r) => !r.live && !r.retired);
  }

  crash(id: ReplicaId): void {
    const r = this.replica(id);
    if (!r.live) return;
    this.stats.crashes++;
    r.crash('crash');
  }

  restart(id: ReplicaId): void {
    const r = this.replica(id);
    if (r.live || r.retired) return;
    this.stats.restarts++;
    r.start(this.options.config, this.#nodeRng.fork());
  }

  // Leaders.

  /** Every live replica that believes it leads, with its term. */
  leaders(): Array<{ id: ReplicaId; term: Term }> {
    const out: Array<{ id: ReplicaId; term: Term }> = [];
    for (const r of this.replicas.values()) {
      if (r.raw && r.raw.role === 'leader') out.push({ id: r.id, term: r.raw.term });
    }
    return out;
  }

  /** The live leader with the highest term (0 when there is none). */
  leader(): ReplicaId {
    let best = 0;
    let bestTerm = -1;
    for (const l of this.leaders()) {
      if (l.term > bestTerm) {
        best = l.id;
        bestTerm = l.term;
      }
    }
    return best;
  }

  // Client operations.

  /** Proposes a payload at a replica; false when the replica is down or Raft dropped it. */
  propose(id: ReplicaId, payload: string): boolean {
    const raw = this.replicas.get(id)?.raw;
    if (!raw) return false;
    this.stats.proposals++;
    try {
      raw.propose(encoder.encode(payload));
      return true;
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      this.stats.proposalsDropped++;
      return false;
    }
  }

  proposeConfChange(id: ReplicaId, change: ConfChange): boolean {
    const raw = this.replicas.get(id)?.raw;
    if (!raw) return false;
    try {
      raw.proposeConfChange(change);
      this.stats.confChanges++;
      this.event(`${id} proposed conf change ${change.changes.map((c) => `${c.type}(${c.replicaId})`).join(' ') || 'leave-joint'} ${change.transition}`);
      return true;
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      return false;
    }
  }

  /** Starts a ReadIndex request at a replica; returns its context (or null when the replica is down). */
  readIndex(id: ReplicaId): string | null {
    const raw = this.replicas.get(id)?.raw;
    if (!raw) return null;
    const context = `r${this.#readSeq++}`;
    const min = this.checker.readRequested(context);
    raw.readIndex(encoder.encode(context));
    this.event(`${id} read ${context} (committed ${min})`);
    return context;
  }

  transferLeader(id: ReplicaId, target: ReplicaId): void {
    const raw = this.replicas.get(id)?.raw;
    if (!raw) return;
    this.event(`${id} transfer leadership to ${target}`);
    raw.transferLeader(target);
  }

  campaign(id: ReplicaId): void {
    const raw = this.replicas.get(id)?.raw;
    if (!raw) return;
    this.event(`${id} campaign`);
    raw.campaign();
  }

  /** Asks a leader to quiesce (only an idle group does); returns whether it did. */
  quiesce(id: ReplicaId): boolean {
    const raw = this.replicas.get(id)?.raw;
    if (!raw || !raw.quiesce()) return false;
    this.event(`${id} quiesced the group`);
    return true;
  }

  /** Compacts a replica's log up to `index` (clamped to what it applied); returns whether it did. */
  compact(id: ReplicaId, index: LogIndex): boolean {
    const r = this.replicas.get(id);
    if (!r?.live) return false;
    const done = r.disk.compact(Math.min(index, r.disk.machine.applied));
    if (done) this.event(`${id} compacted to ${Math.min(index, r.disk.machine.applied)}`);
    return done;
  }

  // Time.

  /** Lets every live replica do its Ready work. */
  processAll(): void {
    for (const r of this.replicas.values()) r.process();
  }

  /**
   * One step: ticks (each live replica with probability `tickRate`, or all
   * when `tickAll`), message delivery (each delivery followed by the
   * receiver's Ready work, so interleavings vary), transport feedback, Ready
   * work, and the leader checks.
   */
  step(tickAll = false): void {
    this.now++;
    const tickRate = this.options.tickRate ?? 1;
    for (const r of this.replicas.values()) {
      if (!r.raw || r.pausedUntil > this.now) continue;
      if (tickAll || tickRate >= 1 || this.rng.chance(tickRate)) r.raw.tick();
    }
    this.processAll();
    for (const m of this.network.takeDue(this.now)) {
      const target = this.replicas.get(m.to);
      if (!target?.raw) {
        this.#undeliverable(m);
        continue;
      }
      target.raw.step(m);
      // The transport reports every snapshot it was asked to send.
      if (m.type === 'snap') this.replicas.get(m.from)?.raw?.reportSnapshot(m.to, 'finish');
      target.process();
    }
    for (const u of this.network.takeUndelivered()) this.#undeliverable(u.message);
    this.#wakeOrphans();
    this.processAll();
    this.#checkLeaders();
  }

  /**
   * A quiesced follower does not tick, so it would never notice its leader's
   * death. Like node/kv's node liveness, the simulation wakes a quiesced
   * replica (some steps later) whose leader is down or cut off from it.
   */
  #wakeOrphans(): void {
    for (const r of this.replicas.values()) {
      const raw = r.raw;
      if (!raw || !raw.quiesced || raw.role === 'leader') continue;
      const leader = this.replicas.get(raw.leader);
      const orphaned = !leader?.live || this.network.isCut(leader.id, r.id);
      if (orphaned && this.rng.chance(0.2)) {
        raw.wake();
        this.event(`${r.id} woken: leader ${raw.leader} unreachable`);
      }
    }
  }

  /** The transport's feedback to a sender whose message could not be delivered. */
  #undeliverable(m: Message): void {
    const sender = this.replicas.get(m.from)?.raw;
    if (!sender) return;
    if (m.type === 'snap') sender.reportSnapshot(m.to, 'failure');
    else if (m.type === 'app' && this.rng.chance(0.3)) sender.reportUnreachable(m.to);
  }

  #checkLeaders(): void {
    for (const r of this.replicas.values()) {
      const raw = r.raw;
      if (!raw || raw.role !== 'leader') continue;
      const term = raw.term;
      this.checker.leader(r.id, term);
      // The durable log is the leader's whole log only when no write is in progress.
      if (!r.writing && !raw.hasReady()) this.checker.leaderLog(r.id, term, r.log);
    }
  }

  /** Sets the network's faults. */
  setFaults(faults: NetworkFaults): void {
    this.network.faults = faults;
  }
}
