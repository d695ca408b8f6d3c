/**
 * One simulated replica: a RawNode over its SimDisk, driven by the Ready
 * contract — persist entries, hard state and snapshot; then send messages;
 * then apply committed entries (conf changes through applyConfChange); then
 * advance.
 *
 * Two disk speeds: when the host's diskDelay() is 0 a Ready is handled as soon as it
 * is taken; otherwise the write completes some steps later and the replica
 * keeps stepping messages and ticking meanwhile (etcd's RawNode allows
 * stepping between ready() and advance()). A crash loses everything a Ready
 * had not yet written. A crash can also be scheduled at a point inside the
 * next Ready: before the write, after it, after sending, or part way through
 * applying.
 *
 * With `earlySend`, a leader's appends, heartbeats and snapshots leave when
 * the Ready is taken, before its own write (RawNode permits this, as the
 * thesis §10.2.1 does); everything else still waits for the write.
 */
import { RawNode } from '../index.ts';
import type { ConfState, Entry, LogIndex, Message, RaftConfig, Ready, ReplicaId } from '../index.ts';
import type { InvariantChecker, LogView } from './checker.ts';
import type { SimDisk } from './disk.ts';
import type { SeededRng } from './rng.ts';

/** Where inside Ready handling a scheduled crash strikes. */
export type CrashPoint = 'beforePersist' | 'afterPersist' | 'afterSend' | 'midApply';

export const crashPoints: readonly CrashPoint[] = ['beforePersist', 'afterPersist', 'afterSend', 'midApply'];

/** What a replica needs from the simulation around it. */
export interface ReplicaHost {
  readonly checker: InvariantChecker;
  readonly rng: SeededRng;
  /** The current step. */
  readonly now: number;
  /** Steps a Ready's write takes (0: handled at once). */
  diskDelay(): number;
  /** Whether a leader's appends, heartbeats and snapshots go out before its write (thesis §10.2.1). */
  readonly earlySend: boolean;
  /** Whether a crash loses hard-state writes that were not synced. */
  loseUnsynced(): boolean;
  event(line: string): void;
  /** Sends a message (the host traces it and hands it to the network). */
  send(m: Message): void;
  /** A replica applied a normal entry with data (the workload tracks its writes). */
  appliedPayload(id: ReplicaId, e: Entry): void;
  /** A replica applied the conf change at `index`; `after` is the configuration it made. */
  appliedConfChange(id: ReplicaId, index: LogIndex, after: ConfState): void;
}

/** Bound on Readies handled in one call, so a livelock in the library shows up as a failure, not a hang. */
const readiesPerProcessMax = 10_000;

const decoder = new TextDecoder();

export class SimReplica {
  raw: RawNode | null = null;
  /** Times the replica has been started. */
  lifetimes = 0;
  /** Removed from the group and shut down, as replica GC does (until a conf change adds it back). */
  retired = false;
  /** The replica's clock is stopped (it does not tick) until this step. */
  pausedUntil = 0;
  /** A crash scheduled inside the next Ready. */
  crashAt: CrashPoint | null = null;
  /** ReadStates waiting for the state machine to reach their index. */
  readonly #reads: Array<{ context: string; index: LogIndex }> = [];
  #pending: { rd: Ready; at: number } | null = null;
  /** The Ready being handled had its early messages sent already. */
  #early = false;

  constructor(readonly id: ReplicaId, readonly disk: SimDisk, private readonly host: ReplicaHost) {}

  get live(): boolean {
    return this.raw !== null;
  }

  /** Starts (or restarts) the replica over what its disk holds. */
  start(config: RaftConfig, rng: SeededRng): void {
    const machine = this.disk.machine;
    this.host.checker.started(this.id, this.disk.hardState, machine);
    this.raw = new RawNode({ ...config, id: this.id, applied: machine.applied }, this.disk, rng);
    this.lifetimes++;
    this.host.event(`${this.id} started (lifetime ${this.lifetimes}, term ${this.disk.hardState.term}, applied ${machine.applied})`);
  }

  /** Stops the replica: volatile state and any Ready not yet written are lost. */
  crash(why: string): void {
    if (!this.raw) return;
    this.raw = null;
    this.#pending = null;
    this.#early = false;
    this.#reads.length = 0;
    this.crashAt = null;
    this.disk.crash(this.host.loseUnsynced());
    this.host.event(`${this.id} crashed (${why})`);
  }

  /** Whether a taken Ready is still being written. */
  get writing(): boolean {
    return this.#pending !== null;
  }

  /**
   * Does the replica's Ready work: completes a write that is due, and takes
   * and handles new Readies until there are none (or one is being written).
   */
  process(): void {
    for (let i = 0; i < readiesPerProcessMax; i++) {
      const raw = this.raw;
      if (!raw) return;
      if (this.#pending) {
        if (this.#pending.at > this.host.now) return;
        const { rd } = this.#pending;
        this.#pending = null;
        this.#handle(raw, rd);
        continue;
      }
      if (!raw.hasReady()) return;
      const rd = raw.ready();
      this.#took(raw, rd);
      if (this.host.earlySend) this.#sendEarly(rd);
      const delay = this.host.diskDelay();
      if (delay > 0) {
        this.#pending = { rd, at: this.host.now + delay };
        return;
      }
      this.#handle(raw, rd);
    }
    throw new Error(`replica ${this.id} still had a Ready after ${readiesPerProcessMax} in one step`);
  }

  /** At ready(): a role change is an event, and a new leader is checked against its term. */
  #took(raw: RawNode, rd: Ready): void {
    if (rd.softState) {
      const term = raw.term;
      this.host.event(`${this.id} became ${rd.softState.role} at term ${term}`);
      if (rd.softState.role === 'leader') this.host.checker.leader(this.id, term);
    }
  }

  /** Messages that may leave before the write: a leader's appends, heartbeats and snapshots. */
  static sentEarly(m: Message): boolean {
    return m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap';
  }

  #sendEarly(rd: Ready): void {
    this.#early = true;
    for (const m of rd.messages) if (SimReplica.sentEarly(m)) this.#send(m);
  }

  #send(m: Message): void {
    this.host.checker.sent(m);
    this.host.checker.answered(this.id, m, { hardState: this.disk.hardState, log: this.log });
    this.host.send(m);
  }

  #handle(raw: RawNode, rd: Ready): void {
    const checker = this.host.checker;
    if (this.crashAt === 'beforePersist') return this.crash('before persisting a Ready');
    const installed = this.disk.persist(rd);
    if (installed) {
      checker.snapshotInstalled(this.id, installed);
      this.host.event(`${this.id} installed snapshot ${installed.applied}`);
    }
    checker.persisted(this.id, rd, this.log);
    if (this.crashAt === 'afterPersist') return this.crash('after persisting a Ready');
    const early = this.#early;
    this.#early = false;
    for (const m of rd.messages) if (!early || !SimReplica.sentEarly(m)) this.#send(m);
    if (this.crashAt === 'afterSend') return this.crash('after sending a Ready\'s messages');
    const stopAt = this.crashAt === 'midApply' ? this.host.rng.intn(rd.committedEntries.length + 1) : -1;
    for (let i = 0; i < rd.committedEntries.length; i++) {
      if (i === stopAt) return this.crash(`after applying ${i} of ${rd.committedEntries.length} entries`);
      this.#apply(raw, rd.committedEntries[i]!);
    }
    if (stopAt === rd.committedEntries.length) return this.crash('after applying a Ready\'s entries');
    for (const rs of rd.readStates) this.#reads.push({ context: decoder.decode(rs.requestContext), index: rs.index });
    raw.advance(rd);
    this.#serveReads();
  }

  #apply(raw: RawNode, e: Entry): void {
    let confState = this.disk.machine.confState;
    if (e.type === 'confChange') {
      confState = raw.applyConfChange(e.data);
      this.host.appliedConfChange(this.id, e.index, confState);
      this.host.event(`${this.id} applied conf change ${e.index}: voters=(${confState.voters})` +
        (confState.votersOutgoing.length ? `&&(${confState.votersOutgoing})` : '') +
        (confState.learners.length ? ` learners=(${confState.learners})` : ''));
    }
    const machine = this.disk.apply(e, confState);
    this.host.checker.applied(this.id, e, machine);
    if (e.type === 'normal' && e.data.length > 0) this.host.appliedPayload(this.id, e);
  }

  #serveReads(): void {
    if (this.#reads.length === 0) return;
    const applied = this.disk.machine.applied;
    let kept = 0;
    for (const r of this.#reads) {
      if (r.index <= applied) this.host.checker.readServed(this.id, r, applied);
      else this.#reads[kept++] = r;
    }
    this.#reads.length = kept;
  }

  /** The replica's durable log, for the checker. */
  get log(): LogView {
    const disk = this.disk;
    return {
      firstIndex: () => disk.firstIndex(),
      lastIndex: () => disk.lastIndex(),
      entry: (index) => (index < disk.firstIndex() || index > disk.lastIndex() ? undefined : disk.entries(index, index + 1, Infinity)[0]),
      term: (index) => (index < disk.firstIndex() - 1 || index > disk.lastIndex() ? undefined : disk.term(index)),
    };
  }
}
