/**
 * The vocabulary of Meridian's Raft: identifiers, log entries, messages, the
 * persisted hard state, the Ready batch handed to the caller, the read-only view
 * of storage the library reads its log through, and the injected randomness.
 *
 * Everything here is plain data so a simulator can copy, drop, duplicate and
 * reorder it, and so node/kv can serialise it to protobuf at the transport.
 */

/** A replica's identifier within one Raft group (non-zero). 0 means "none". */
export type ReplicaId = number;
/** A Raft term (starts at 0, grows by elections). */
export type Term = number;
/** A log position (1-based; 0 means "before the first entry"). */
export type LogIndex = number;

/** "No replica": no leader known, no vote cast. */
export const noReplica: ReplicaId = 0;

/** A normal entry carries the host's command; a confChange entry an encoded ConfChange. */
export type EntryType = 'normal' | 'confChange';

/** One log entry. `data` is opaque to Raft except for conf changes, which Raft decodes. */
export interface Entry {
  readonly term: Term;
  readonly index: LogIndex;
  readonly type: EntryType;
  readonly data: Uint8Array;
}

/** Persisted on every change, synced before messages that depend on it are sent. */
export interface HardState {
  readonly term: Term;
  readonly vote: ReplicaId;
  readonly commit: LogIndex;
}

/**
 * A configuration: voters (possibly joint: `incoming` and `outgoing` majorities
 * during a joint-consensus transition), learners, and learners that will be
 * added once the joint state is left (`learnersNext`).
 */
export interface ConfState {
  readonly voters: readonly ReplicaId[];
  readonly votersOutgoing: readonly ReplicaId[];
  readonly learners: readonly ReplicaId[];
  readonly learnersNext: readonly ReplicaId[];
  readonly autoLeave: boolean;
}

/** The log position a snapshot replaces, and the configuration as of it. */
export interface SnapshotMetadata {
  readonly index: LogIndex;
  readonly term: Term;
  readonly confState: ConfState;
}

/** A state-machine snapshot; `data` is opaque to Raft. */
export interface Snapshot {
  readonly metadata: SnapshotMetadata;
  readonly data: Uint8Array;
}

/** What a single membership change does to one replica. */
export type ConfChangeType = 'addVoter' | 'addLearner' | 'removeReplica';

/** One replica's membership change. */
export interface ConfChangeSingle {
  readonly type: ConfChangeType;
  readonly replicaId: ReplicaId;
}

/**
 * A membership change. One single change without `transition: 'joint'` is a
 * simple change; several changes (or `transition: 'joint'`) enter joint
 * consensus; an empty change list leaves the joint configuration.
 */
export interface ConfChange {
  readonly changes: readonly ConfChangeSingle[];
  readonly transition: 'auto' | 'joint' | 'jointExplicit';
  readonly context?: Uint8Array;
}

/** The kinds of Raft message; 'local' ones never travel the network. */
export type MessageType =
  | 'hup' // local: start an election
  | 'beat' // local: leader sends heartbeats
  | 'prop' // proposal forwarded to the leader
  | 'app' // append entries
  | 'appResp'
  | 'vote'
  | 'voteResp'
  | 'preVote'
  | 'preVoteResp'
  | 'snap' // install snapshot (sent whole; the transport may stream it in chunks)
  | 'snapAck' // reserved (was: chunked snapshot acknowledgements); Raft ignores it
  | 'snapStatus' // local: the caller reports a snapshot send finished or failed
  | 'heartbeat'
  | 'heartbeatResp'
  | 'unreachable' // local: the caller reports a peer unreachable
  | 'transferLeader'
  | 'timeoutNow'
  | 'readIndex'
  | 'readIndexResp';

/** A Raft message. Fields unused by a type are zero/empty. */
export interface Message {
  readonly type: MessageType;
  readonly from: ReplicaId;
  readonly to: ReplicaId;
  readonly term: Term;
  /**
   * app: index of the entry preceding `entries`; appResp: the index
   * acknowledged or rejected; vote/preVote: the candidate's last index;
   * readIndexResp: the read index; heartbeat: the leader's tick when it sent
   * it, echoed in heartbeatResp (lease reads); transferLeader: the target.
   */
  readonly index: LogIndex;
  /** app: term of the entry at `index`; vote/preVote: the candidate's last term; appResp reject: the hint's term. */
  readonly logTerm: Term;
  readonly entries: readonly Entry[];
  /**
   * app/heartbeat: the leader's commit index (for a heartbeat, capped at what
   * the follower is known to hold); heartbeatResp: the follower's commit index.
   */
  readonly commit: LogIndex;
  readonly reject: boolean;
  /** appResp with reject: the follower's hint for fast backtracking (with its term in `logTerm`). */
  readonly rejectHint: LogIndex;
  readonly snapshot?: Snapshot;
  /** readIndex/readIndexResp: the request's context; heartbeat(Resp): a ReadIndex context being confirmed; vote: 'transfer'. */
  readonly context?: Uint8Array;
  /** heartbeat: the group is idle; caught-up followers stop ticking until the next message. */
  readonly quiesce?: boolean;
  /** Reserved for the transport (chunked snapshots); Raft neither sets nor reads it. */
  readonly snapshotOffset?: number;
  /** Reserved for the transport (chunked snapshots); Raft neither sets nor reads it. */
  readonly snapshotBytes?: number;
}

/** A linearizable read that may now be served once `index` is applied. */
export interface ReadState {
  readonly index: LogIndex;
  readonly requestContext: Uint8Array;
}

/** A replica's role in its current term. */
export type RaftRole = 'follower' | 'candidate' | 'preCandidate' | 'leader';

/** Volatile state that changed; not persisted. */
export interface SoftState {
  readonly leader: ReplicaId;
  readonly role: RaftRole;
}

/**
 * Work the caller must do, in order: persist `snapshot`, `entries` and
 * `hardState` (one write, synced when `mustSync`), then send `messages`,
 * then apply `snapshot` and `committedEntries` in order and serve
 * `readStates` once applied up to their index, then call `advance(ready)`.
 * A leader's appends, heartbeats and snapshots ('app', 'heartbeat', 'snap')
 * may be sent before the write completes (thesis §10.2.1): the leader counts
 * its own entries toward commitment only after advance().
 */
export interface Ready {
  readonly softState?: SoftState;
  readonly hardState?: HardState;
  readonly readStates: readonly ReadState[];
  readonly entries: readonly Entry[];
  readonly snapshot?: Snapshot;
  readonly committedEntries: readonly Entry[];
  readonly messages: readonly Message[];
  /** True when `hardState`/`entries`/`snapshot` must be synced (only a moved commit index may be written lazily). */
  readonly mustSync: boolean;
}

/**
 * The read-only view of the persisted log the library reads through. The caller
 * owns writing it (from Ready). Indexes outside [firstIndex-1, lastIndex] throw
 * `CompactedError` / `UnavailableError` (see errors.ts).
 */
export interface RaftStorage {
  /**
   * The persisted hard state, and the configuration as of the caller's
   * applied index (RaftConfig.applied): conf changes at or below it are not
   * handed out again, so the caller persists the configuration it applied.
   */
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at most `maxBytes` in total (counted as in entry-size.ts) but always at least one. */
  entries(lo: LogIndex, hi: LogIndex, maxBytes: number): Entry[];
  /** The term of the entry at `index`; firstIndex-1 is the snapshot's (or 0 for an empty log). */
  term(index: LogIndex): Term;
  firstIndex(): LogIndex;
  lastIndex(): LogIndex;
  /**
   * The newest snapshot, at or after firstIndex-1: the leader sends it to
   * followers whose next entry was compacted away. A host may build it on
   * demand (at its applied index) or throw SnapshotTemporarilyUnavailableError
   * while it is being generated; Raft asks again later.
   */
  snapshot(): Snapshot;
}

/** Injected randomness: the library never calls Math.random. */
export interface Rng {
  /** A uniform integer in [0, n). */
  intn(n: number): number;
}
