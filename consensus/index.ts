/**
 * consensus — Meridian's Raft library: a pure, deterministic state machine
 * shaped like etcd-io/raft. It does no I/O and reads no clock or ambient
 * randomness: the caller ticks it, feeds it messages, persists what it hands
 * out and sends its messages. Same inputs, same outputs.
 *
 * Map of the library:
 * - raw-node.ts: RawNode, the whole API (tick, step, propose,
 *   proposeConfChange, applyConfChange, ready/advance, transferLeader,
 *   readIndex, reportUnreachable, reportSnapshot, quiesce/wake, status);
 *   config.ts: RaftConfig.
 * - raft.ts: the state machine, one step function per role; message.ts:
 *   building messages and checking those from the network.
 * - log.ts (stable + unstable log, commit and apply positions),
 *   log-unstable.ts; memory-storage.ts: the reference RaftStorage.
 * - progress.ts + inflights.ts (a leader's view of each follower and its
 *   flow-control window), tracker.ts (configuration + progress + votes),
 *   quorum.ts (majority and joint arithmetic), confchange.ts (membership
 *   changes and their encoding), read-only.ts (ReadIndex requests).
 * - describe.ts: one-line renderings of messages, entries and Readys.
 * - types.ts, errors.ts, limits.ts: vocabulary, expected failures, bounds.
 *
 * The loop, per group:
 *
 *   node.tick() every tick; node.step(m) for every message received;
 *   if (node.hasReady()) {
 *     const rd = node.ready();
 *     storage: applySnapshot(rd.snapshot), append(rd.entries), setHardState(rd.hardState)
 *       — one write, synced if rd.mustSync
 *     send rd.messages; apply rd.committedEntries (applyConfChange for conf changes);
 *     serve rd.readStates once applied up to their index;
 *     node.advance(rd);
 *   }
 *
 * Hosting many groups (node/kv):
 * - One scheduler: collect the Readys of every group with hasReady(), persist
 *   all their entries and hard states in one synced batch, then send all
 *   their messages coalesced per destination node, then apply, then advance
 *   each. Never ask a group for a second Ready before advancing the first.
 *   A leader's 'app', 'heartbeat' and 'snap' messages may leave before the
 *   batch is durable (the leader counts its own entries only at advance());
 *   everything else waits for it. Steps and ticks between ready() and
 *   advance() are fine.
 * - Apply conf change entries with applyConfChange(entry.data) and persist
 *   the returned ConfState with the applied index: RawNode starts from
 *   RaftStorage.initialState().confState and config.applied.
 * - Quiescence keeps idle groups free: after a group's leader has reported
 *   status().canQuiesce (or the cheap `canQuiesce` getter) for a few
 *   consecutive ticks, call quiesce(): it sends heartbeats flagged `quiesce`,
 *   and leader and caught-up followers stop reacting to tick() (skip
 *   quiesced groups in the tick loop entirely: the `quiesced` getter).
 *   Any proposal, read, transfer or message other than the quiesce
 *   heartbeat and its answers wakes the group. A quiesced follower cannot
 *   notice a dead leader, so the host must: when the leader's node stops
 *   answering node-level heartbeats (liveness), call wake() on that node's
 *   quiesced followers, and their election timers run again.
 * - Every group draws election jitter from its own Rng, so groups on one
 *   node do not campaign in lockstep.
 * - 'snap' messages: the transport streams the snapshot (in chunks if it
 *   likes) and must call reportSnapshot(to, 'finish' | 'failure') for each.
 * - Bootstrap: a group's initial configuration lives in a snapshot. Start
 *   the initial members from storage whose snapshot (index ≥ 1) carries it;
 *   a replica added later starts empty (no configuration) and receives that
 *   snapshot, never a replay of a log that lacks the initial configuration.
 * - Membership: a leader may stop being a voter only if the other voters are
 *   a quorum without it (else the change becomes an empty entry, counted in
 *   status().errors.confChangesRejected): transfer leadership first.
 * - Bad input from the network is refused and counted (status().errors),
 *   never thrown; only programmer bugs throw (RaftAssertionError).
 * - Reads: readIndex(ctx) → a ReadState with ctx in a later Ready; serve the
 *   read once applied up to its index. 'leaseBased' skips the heartbeat round
 *   while the leader's lease holds; it assumes bounded clock drift (see
 *   Raft.leaseValid in raft.ts) and is off by default in node/kv ('safe').
 */
export * from './types.ts';
export {
  RawNode, type ProgressStatus, type RaftConfig, type RaftErrorCounts, type RaftStatus,
} from './raw-node.ts';
export { MemoryStorage, emptyConfState } from './memory-storage.ts';
export { decodeConfChange, describeConfChange, encodeConfChange } from './confchange.ts';
export { describeEntry, describeMessage, describeReady } from './describe.ts';
export {
  CompactedError, ConfChangeError, ProposalDroppedError, SnapshotOutOfDateError, SnapshotTemporarilyUnavailableError,
  UnavailableError, type ProposalDropReason,
} from './errors.ts';
export { RaftAssertionError } from './assert.ts';
export * from './limits.ts';
