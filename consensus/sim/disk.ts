/**
 * One replica's simulated disk: the durable Raft log, snapshot and hard
 * state (a MemoryStorage), and the durable state machine. Raft reads the log
 * through it (it is the replica's RaftStorage); the node loop writes to it
 * only when it persists a Ready, so whatever a crash interrupts before that
 * never reaches it.
 *
 * Hard-state writes that the Ready did not ask to sync (only the commit index
 * moved) sit in a volatile page cache: a crash may lose them, falling back to
 * the last synced hard state, as an un-fsynced write does. Applied entries
 * are written with the state machine and survive a crash.
 *
 * Like a range replica, the disk produces a snapshot on demand from the
 * applied state when Raft asks for one newer than the stored one.
 */
import { MemoryStorage } from '../index.ts';
import type { ConfState, Entry, HardState, LogIndex, RaftStorage, Ready, Snapshot, Term } from '../index.ts';
import { applyEntry, decodeMachine, encodeMachine, initialMachine, type MachineState } from './state-machine.ts';

const zeroHardState: HardState = { term: 0, vote: 0, commit: 0 };

export class SimDisk implements RaftStorage {
  readonly #log: MemoryStorage;
  #machine: MachineState;
  #synced: HardState;
  /** Hard state written without a sync since the last synced write. */
  #unsynced: HardState | null = null;
  /** Snapshots produced on demand for Raft (counted for the report). */
  snapshotsCreated = 0;

  private constructor(log: MemoryStorage, machine: MachineState, hardState: HardState) {
    this.#log = log;
    this.#machine = machine;
    this.#synced = hardState;
    log.setHardState(hardState);
  }

  /**
   * An initial member: its log starts from a snapshot at index 1 holding the
   * first configuration, so replicas added later learn it from a snapshot.
   */
  static bootstrap(confState: ConfState): SimDisk {
    const log = new MemoryStorage(confState);
    const machine = initialMachine(confState, 1);
    log.applySnapshot({ metadata: { index: 1, term: 1, confState }, data: encodeMachine(machine) });
    return new SimDisk(log, machine, { term: 1, vote: 0, commit: 1 });
  }

  /** A replica added by a membership change: empty until the leader sends it a snapshot. */
  static empty(): SimDisk {
    const confState: ConfState = { voters: [], votersOutgoing: [], learners: [], learnersNext: [], autoLeave: false };
    return new SimDisk(new MemoryStorage(confState), initialMachine(confState, 0), zeroHardState);
  }

  // RaftStorage.

  /** The hard state as last written, and the configuration as of the applied index. */
  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: this.#log.hardState, confState: this.#machine.confState };
  }

  entries(lo: LogIndex, hi: LogIndex, maxBytes: number): Entry[] {
    return this.#log.entries(lo, hi, maxBytes);
  }

  term(index: LogIndex): Term {
    return this.#log.term(index);
  }

  firstIndex(): LogIndex {
    return this.#log.firstIndex();
  }

  lastIndex(): LogIndex {
    return this.#log.lastIndex();
  }

  /** The stored snapshot, refreshed from the applied state when that is newer. */
  snapshot(): Snapshot {
    const stored = this.#log.snapshot();
    const m = this.#machine;
    if (m.applied > stored.metadata.index && m.applied <= this.#log.lastIndex()) {
      this.snapshotsCreated++;
      return this.#log.createSnapshot(m.applied, m.confState, encodeMachine(m));
    }
    return stored;
  }

  // Writes by the node loop.

  /**
   * Persists a Ready's snapshot, entries and hard state as one write,
   * synced when the Ready says so. Returns the machine state a snapshot
   * replaced, or null.
   */
  persist(rd: Ready): MachineState | null {
    let installed: MachineState | null = null;
    if (rd.snapshot) {
      const snap = rd.snapshot;
      this.#log.applySnapshot(snap);
      installed = decodeMachine(snap.data, snap.metadata.confState);
      if (installed.applied !== snap.metadata.index) {
        throw new Error(`snapshot at ${snap.metadata.index} holds state applied to ${installed.applied}`);
      }
      this.#machine = installed;
    }
    if (rd.entries.length > 0) this.#log.append(rd.entries);
    if (rd.hardState) {
      this.#log.setHardState(rd.hardState);
      if (rd.mustSync || rd.snapshot) {
        this.#synced = rd.hardState;
        this.#unsynced = null;
      } else {
        this.#unsynced = rd.hardState;
      }
    } else if (rd.mustSync || rd.snapshot) {
      // A sync flushes earlier unsynced hard-state writes with it.
      if (this.#unsynced) this.#synced = this.#unsynced;
      this.#unsynced = null;
    }
    return installed;
  }

  /** Applies a committed entry to the state machine (durably). */
  apply(e: Entry, confState: ConfState): MachineState {
    this.#machine = applyEntry(this.#machine, e, confState);
    return this.#machine;
  }

  /**
   * Log compaction: takes a snapshot of the applied state (if the stored one
   * is older) and discards entries up to `index` (≤ applied). Returns whether
   * anything was discarded.
   */
  compact(index: LogIndex): boolean {
    const m = this.#machine;
    if (index > m.applied || index < this.#log.firstIndex() || index > this.#log.lastIndex()) return false;
    if (this.#log.snapshot().metadata.index < index) this.#log.createSnapshot(m.applied, m.confState, encodeMachine(m));
    this.#log.compact(index);
    return true;
  }

  /** A crash: unsynced hard-state writes are lost when `loseUnsynced`, otherwise they made it to disk. */
  crash(loseUnsynced: boolean): void {
    if (this.#unsynced && loseUnsynced) this.#log.setHardState(this.#synced);
    else if (this.#unsynced) this.#synced = this.#unsynced;
    this.#unsynced = null;
  }

  /** The hard state a restart would read. */
  get hardState(): HardState {
    return this.#log.hardState;
  }

  get machine(): MachineState {
    return this.#machine;
  }

  /** The snapshot currently stored (no on-demand refresh). */
  get storedSnapshot(): Snapshot {
    return this.#log.snapshot();
  }
}
