/**
 * consensus — Meridian's Raft library: a pure, deterministic state machine
 * shaped like etcd-io/raft. It does no I/O and reads no clock or ambient
 * randomness: the caller ticks it, feeds it messages, persists what it hands
 * out and sends its messages (see raw-node.ts for the loop).
 *
 * - raw-node.ts: RawNode (tick, step, propose, proposeConfChange, ready/advance,
 *   transferLeader, readIndex, quiesce, status) and RaftConfig.
 * - raft.ts: the state machine (elections with PreVote and CheckQuorum,
 *   replication with pipelining and flow control, snapshots, membership,
 *   leadership transfer, ReadIndex).
 * - log.ts: stable + unstable log; memory-storage.ts: the reference storage.
 * - quorum.ts, progress.ts, tracker.ts, confchange.ts, read-only.ts: pure parts.
 *
 * Hosting many groups (node/kv): tick every group on a shared timer, but skip
 * quiesced ones (status().quiesced); call quiesce() on a leader whose
 * status().canQuiesce has held for a few ticks; any proposal or message wakes
 * the group. Persist every Ready's entries and hard state in one synced batch
 * per scheduler cycle across groups before sending that cycle's messages.
 */
export * from './types.ts';
export { RawNode, type ProgressStatus, type RaftConfig, type RaftStatus } from './raw-node.ts';
export { MemoryStorage, emptyConfState } from './memory-storage.ts';
export { ConfChangeError, decodeConfChange, encodeConfChange } from './confchange.ts';
export {
  CompactedError, ProposalDroppedError, SnapshotOutOfDateError, SnapshotTemporarilyUnavailableError, UnavailableError,
} from './errors.ts';
export * from './limits.ts';
