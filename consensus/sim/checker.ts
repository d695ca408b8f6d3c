/**
 * Raft's safety properties, checked as the simulation runs. The checker is
 * fed what each replica does (roles it takes, Readies it persists, entries it
 * applies, snapshots it installs, reads it serves) and remembers just enough
 * global history to catch any violation the moment it becomes visible:
 *
 * - election safety: at most one leader per term, ever;
 * - vote safety: a replica never votes for two candidates in one term, its
 *   durable term never goes back, and term or vote changes are synced;
 * - log matching: one (index, term) pair names one entry, with one
 *   predecessor term, across every log and message, so equal pairs imply
 *   equal prefixes;
 * - leader completeness: an entry known committed (by any replica's commit
 *   index, or by being applied) while that replica was at term T is in the log
 *   of every leader of a later term;
 * - committed entries never change: whatever any replica's commit index
 *   covers is the same entry everywhere;
 * - state-machine safety: every replica's state after applying index i is the
 *   same (a hash chain over the whole applied prefix);
 * - exactly-once, in-order apply in each replica lifetime (a restart resumes
 *   after the durable applied index; snapshots only move forward);
 * - linearizable ReadIndex: a read served at index i covers every index
 *   committed anywhere before the read was requested.
 *
 * Violations throw InvariantViolation, carrying the property's name.
 */
import type { Entry, HardState, LogIndex, Message, Ready, ReplicaId, Term } from '../index.ts';
import { entryDigest, type MachineState } from './state-machine.ts';

export type Property =
  | 'election safety'
  | 'vote safety'
  | 'durability'
  | 'log matching'
  | 'leader completeness'
  | 'committed entry changed'
  | 'state machine safety'
  | 'apply order'
  | 'linearizable read';

export class InvariantViolation extends Error {
  constructor(readonly property: Property, detail: string) {
    super(`${property}: ${detail}`);
    this.name = 'InvariantViolation';
  }
}

/** A read-only view of one replica's log as it stands (durable, plus writes in progress). */
export interface LogView {
  /** Index of the first entry held (entries before it are in the snapshot). */
  firstIndex(): LogIndex;
  lastIndex(): LogIndex;
  /** The entry at `index`, or undefined outside [firstIndex, lastIndex]. */
  entry(index: LogIndex): Entry | undefined;
  /** The term at `index`, including the snapshot's at firstIndex - 1; undefined when unknown. */
  term(index: LogIndex): Term | undefined;
}

/** What is known of the entry at one index: its identity and the predecessor's term. */
interface PairRecord {
  readonly digest: number;
  readonly prevTerm: Term | undefined;
}

interface Committed {
  readonly term: Term;
  readonly digest: number;
  /** The lowest term of a replica known to hold this entry committed: leaders of later terms must have it. */
  knownAtTerm: Term;
}

interface Lifetime {
  /** Last index applied (or installed by snapshot) in this lifetime. */
  applied: LogIndex;
  hash: number;
  /** Term of the latest hard state this replica persisted (its term when it last handed out a Ready). */
  term: Term;
  /** Committed entries of this replica already compared against the global record. */
  commitChecked: LogIndex;
}

interface Request {
  readonly minIndex: LogIndex;
  served: number;
}

function pairKey(index: LogIndex, term: Term): string {
  return `${index}/${term}`;
}

export class InvariantChecker {
  /** term → leader. */
  readonly leaders = new Map<Term, ReplicaId>();
  /** Highest index known committed anywhere (by commit index, application or snapshot). */
  highestCommitted: LogIndex = 0;
  /** Number of checks made, so a test can tell a checker that never looked from one that found nothing. */
  checks = 0;
  readonly #pairs = new Map<string, PairRecord>();
  readonly #committed = new Map<LogIndex, Committed>();
  /** Indexes whose committed record appeared or became stricter, in order: leaders re-check from a cursor. */
  readonly #commitEvents: LogIndex[] = [];
  /** `${id}/${term}` → position in #commitEvents already checked against that leader's log. */
  readonly #leaderCursors = new Map<string, number>();
  /** index → state hash after applying it (the first replica to get there defines it). */
  readonly #chain = new Map<LogIndex, number>();
  /** `${id}/${term}` → vote cast, as persisted. */
  readonly #votes = new Map<string, ReplicaId>();
  /** Last synced hard state per replica (survives crashes). */
  readonly #synced = new Map<ReplicaId, HardState>();
  readonly #lives = new Map<ReplicaId, Lifetime>();
  readonly #reads = new Map<string, Request>();

  // Lifetimes.

  /**
   * A replica (re)starts from its disk: its durable hard state must not have
   * lost a synced term or vote, and applying resumes after `machine.applied`.
   */
  started(id: ReplicaId, hardState: HardState, machine: MachineState): void {
    this.checks++;
    const synced = this.#synced.get(id);
    if (synced && (hardState.term < synced.term || (hardState.term === synced.term && hardState.vote !== synced.vote))) {
      throw new InvariantViolation('durability', `replica ${id} restarted with term ${hardState.term} vote ${hardState.vote}, ` +
        `but had synced term ${synced.term} vote ${synced.vote}`);
    }
    const previous = this.#lives.get(id);
    this.#lives.set(id, {
      applied: machine.applied, hash: machine.hash, term: hardState.term,
      commitChecked: Math.min(previous?.commitChecked ?? 0, machine.applied),
    });
    if (machine.applied > 0) this.#recordChain(id, machine.applied, machine.hash, 'restart');
  }

  #life(id: ReplicaId): Lifetime {
    let life = this.#lives.get(id);
    if (!life) this.#lives.set(id, (life = { applied: 0, hash: 0, term: 0, commitChecked: 0 }));
    return life;
  }

  // Roles.

  /** A replica is leader of `term` (observed after a step or in a Ready's soft state). */
  leader(id: ReplicaId, term: Term): void {
    this.checks++;
    const existing = this.leaders.get(term);
    if (existing !== undefined && existing !== id) {
      throw new InvariantViolation('election safety', `replicas ${existing} and ${id} both led term ${term}`);
    }
    this.leaders.set(term, id);
  }

  /**
   * Leader completeness for a current leader: every entry known committed at
   * a term below `term` is in its log. Incremental: each call checks only
   * what became known since the last call for this (leader, term).
   */
  leaderLog(id: ReplicaId, term: Term, log: LogView): void {
    const key = `${id}/${term}`;
    let cursor = this.#leaderCursors.get(key) ?? 0;
    if (cursor === this.#commitEvents.length) return;
    const first = log.firstIndex();
    const last = log.lastIndex();
    for (; cursor < this.#commitEvents.length; cursor++) {
      const index = this.#commitEvents[cursor]!;
      const c = this.#committed.get(index)!;
      if (c.knownAtTerm >= term || index < first) continue;
      this.checks++;
      const e = index <= last ? log.entry(index) : undefined;
      if (!e || e.term !== c.term || entryDigest(e) !== c.digest) {
        throw new InvariantViolation('leader completeness', `leader ${id} of term ${term} lacks entry ${index}/${c.term}, ` +
          `committed by term ${c.knownAtTerm} (its log: ${e ? `${e.index}/${e.term}` : `ends at ${last}`})`);
      }
    }
    this.#leaderCursors.set(key, cursor);
  }

  // Persistence.

  /**
   * A replica persisted a Ready: `log` is its log after the write. Checks
   * that term and vote changes are synced, that votes are never recast,
   * that the entries agree with every other copy of their (index, term), and
   * that what its commit index covers agrees with what is known committed.
   */
  persisted(id: ReplicaId, rd: Ready, log: LogView): void {
    this.checks++;
    const life = this.#life(id);
    const synced = this.#synced.get(id);
    if (rd.entries.length > 0 && !rd.mustSync) {
      throw new InvariantViolation('durability', `replica ${id} was not asked to sync entries ${rd.entries[0]!.index}..`);
    }
    const hs = rd.hardState;
    if (hs) {
      if (hs.term < life.term) {
        throw new InvariantViolation('vote safety', `replica ${id} persisted term ${hs.term} after term ${life.term}`);
      }
      if (!rd.mustSync && synced && (hs.term !== synced.term || hs.vote !== synced.vote)) {
        throw new InvariantViolation('durability', `replica ${id} changed term/vote to ${hs.term}/${hs.vote} ` +
          `(synced ${synced.term}/${synced.vote}) without a sync`);
      }
      if (hs.vote !== 0) {
        const key = `${id}/${hs.term}`;
        const cast = this.#votes.get(key);
        if (cast !== undefined && cast !== hs.vote) {
          throw new InvariantViolation('vote safety', `replica ${id} voted for ${cast} and then ${hs.vote} in term ${hs.term}`);
        }
        this.#votes.set(key, hs.vote);
      }
      life.term = hs.term;
      if (rd.mustSync || rd.snapshot) this.#synced.set(id, hs);
    }
    if (rd.snapshot) life.commitChecked = Math.max(life.commitChecked, rd.snapshot.metadata.index);
    if (rd.entries.length > 0) {
      this.#checkPairs(id, rd.entries, log.term(rd.entries[0]!.index - 1));
      // Rewritten indexes at or below the commit index are checked again.
      life.commitChecked = Math.min(life.commitChecked, rd.entries[0]!.index - 1);
    }
    const commit = hs?.commit;
    if (commit !== undefined) {
      this.#noteCommitIndex(commit);
      if (commit > log.lastIndex()) {
        throw new InvariantViolation('durability', `replica ${id} persisted commit ${commit} beyond its last index ${log.lastIndex()}`);
      }
      this.#observeCommitted(id, life, commit, log);
    }
  }

  /**
   * A replica sends an answer: what it acknowledges must already be on its
   * disk — an accepted append up to its index, a granted vote as its durable
   * vote (or a later durable term) — or a crash could take back a promise a
   * leader or candidate counted.
   */
  answered(id: ReplicaId, m: Message, durable: { readonly hardState: HardState; readonly log: LogView }): void {
    if (m.type === 'appResp' && !m.reject) {
      this.checks++;
      // An answer to a deposed leader may cover entries that a newer leader
      // replaced before they were written: the durable later term makes it
      // harmless (that leader can no longer gather a quorum for them).
      if (m.index > durable.log.lastIndex() && durable.hardState.term <= m.term) {
        throw new InvariantViolation('durability', `replica ${id} acknowledged index ${m.index} with only ${durable.log.lastIndex()} on disk`);
      }
    } else if (m.type === 'voteResp' && !m.reject) {
      this.checks++;
      // A durable later term also binds: the replica can never vote in m.term again.
      const hs = durable.hardState;
      if (hs.term < m.term || (hs.term === m.term && hs.vote !== m.to)) {
        throw new InvariantViolation('durability', `replica ${id} granted its term ${m.term} vote to ${m.to} ` +
          `with term ${hs.term} vote ${hs.vote} on disk`);
      }
    }
  }

  /** An append message on its way: its entries, following (index, logTerm), must agree with every other copy. */
  sent(m: Message): void {
    if (m.type !== 'app' || m.entries.length === 0) return;
    this.checks++;
    if (m.entries[0]!.index !== m.index + 1) return;
    this.#checkPairs(m.from, m.entries, m.logTerm);
  }

  #checkPairs(id: ReplicaId, entries: readonly Entry[], firstPrevTerm: Term | undefined): void {
    let prevTerm = firstPrevTerm;
    for (const e of entries) {
      const key = pairKey(e.index, e.term);
      const digest = entryDigest(e);
      const seen = this.#pairs.get(key);
      if (!seen) {
        this.#pairs.set(key, { digest, prevTerm });
      } else {
        if (seen.digest !== digest) {
          throw new InvariantViolation('log matching', `replica ${id} holds a different entry at ${e.index}/${e.term}`);
        }
        if (seen.prevTerm !== undefined && prevTerm !== undefined && seen.prevTerm !== prevTerm) {
          throw new InvariantViolation('log matching', `entry ${e.index}/${e.term} follows term ${prevTerm} on replica ${id} ` +
            `but term ${seen.prevTerm} elsewhere`);
        }
        if (seen.prevTerm === undefined && prevTerm !== undefined) this.#pairs.set(key, { digest, prevTerm });
      }
      prevTerm = e.term;
    }
  }

  /** Records the entries up to `commit` in `log` as committed (or checks them against the record). */
  #observeCommitted(id: ReplicaId, life: Lifetime, commit: LogIndex, log: LogView): void {
    if (commit <= life.commitChecked) return;
    const from = Math.max(life.commitChecked + 1, log.firstIndex());
    for (let index = from; index <= commit; index++) {
      const e = log.entry(index);
      if (!e) break;
      this.#recordCommitted(id, e, life.term);
    }
    life.commitChecked = commit;
  }

  #recordCommitted(id: ReplicaId, e: Entry, atTerm: Term): void {
    const digest = entryDigest(e);
    const c = this.#committed.get(e.index);
    if (!c) {
      this.#committed.set(e.index, { term: e.term, digest, knownAtTerm: atTerm });
      this.#commitEvents.push(e.index);
      return;
    }
    if (c.term !== e.term || c.digest !== digest) {
      throw new InvariantViolation('committed entry changed', `replica ${id} holds ${e.index}/${e.term} as committed, ` +
        `but ${e.index}/${c.term} was committed before`);
    }
    if (atTerm < c.knownAtTerm) {
      c.knownAtTerm = atTerm;
      this.#commitEvents.push(e.index);
    }
  }

  #noteCommitIndex(index: LogIndex): void {
    if (index > this.highestCommitted) this.highestCommitted = index;
  }

  // The state machine.

  /** A replica applied a committed entry; `machine` is its state afterwards. */
  applied(id: ReplicaId, e: Entry, machine: MachineState): void {
    this.checks++;
    const life = this.#life(id);
    if (e.index !== life.applied + 1) {
      const what = e.index <= life.applied ? 'again' : 'out of order';
      throw new InvariantViolation('apply order', `replica ${id} applied ${e.index} ${what} (last applied ${life.applied})`);
    }
    if (machine.applied !== e.index) {
      throw new InvariantViolation('apply order', `replica ${id} applied ${e.index} but its state is at ${machine.applied}`);
    }
    life.applied = e.index;
    life.hash = machine.hash;
    this.#recordCommitted(id, e, life.term);
    this.#noteCommitIndex(e.index);
    this.#recordChain(id, e.index, machine.hash, `entry ${e.index}/${e.term}`);
  }

  /** A replica replaced its state with a snapshot's. */
  snapshotInstalled(id: ReplicaId, machine: MachineState): void {
    this.checks++;
    const life = this.#life(id);
    if (machine.applied <= life.applied) {
      throw new InvariantViolation('apply order', `replica ${id} installed a snapshot at ${machine.applied}, ` +
        `not after its applied index ${life.applied}`);
    }
    life.applied = machine.applied;
    life.hash = machine.hash;
    this.#noteCommitIndex(machine.applied);
    this.#recordChain(id, machine.applied, machine.hash, `snapshot at ${machine.applied}`);
  }

  #recordChain(id: ReplicaId, index: LogIndex, hash: number, what: string): void {
    const expected = this.#chain.get(index);
    if (expected === undefined) this.#chain.set(index, hash);
    else if (expected !== hash) {
      throw new InvariantViolation('state machine safety', `replica ${id} has state ${hash.toString(16)} after ${what}, ` +
        `others had ${expected.toString(16)} at index ${index}`);
    }
  }

  /** The state hash after `index`, if any replica got there. */
  chainAt(index: LogIndex): number | undefined {
    return this.#chain.get(index);
  }

  /** The index where an entry with this digest was committed, if it was (for liveness: "did my write land?"). */
  committedAt(index: LogIndex): { term: Term; digest: number } | undefined {
    const c = this.#committed.get(index);
    return c ? { term: c.term, digest: c.digest } : undefined;
  }

  // Reads.

  /** A ReadIndex request was made: it must be served at or after everything committed now. */
  readRequested(context: string): LogIndex {
    const minIndex = this.highestCommitted;
    this.#reads.set(context, { minIndex, served: 0 });
    return minIndex;
  }

  /** A ReadIndex request was served (its context, at `index`) by a replica whose state machine is at `appliedIndex`. */
  readServed(id: ReplicaId, read: { readonly context: string; readonly index: LogIndex }, appliedIndex: LogIndex): void {
    const { context, index } = read;
    const request = this.#reads.get(context);
    if (!request) return;
    this.checks++;
    request.served++;
    if (index < request.minIndex) {
      throw new InvariantViolation('linearizable read', `read ${context} served by replica ${id} at index ${index}, ` +
        `but ${request.minIndex} was committed when it was requested`);
    }
    if (appliedIndex < index) {
      throw new InvariantViolation('linearizable read', `read ${context} served by replica ${id} at ${index} ` +
        `before applying it (applied ${appliedIndex})`);
    }
  }

  /** Reads served so far (a request can be answered more than once when messages are duplicated). */
  get readsServed(): number {
    let n = 0;
    for (const r of this.#reads.values()) n += r.served > 0 ? 1 : 0;
    return n;
  }
}
