/** The configuration of one Raft replica, and its validation. */
import { assert } from './assert.ts';
import { electionTicksMax, inflightMessagesMax } from './limits.ts';
import type { LogIndex, ReplicaId } from './types.ts';

/** How one replica runs: its ID, timing, flow-control limits and protocol options. */
export interface RaftConfig {
  /** This replica's ID within the group (non-zero). */
  id: ReplicaId;
  /**
   * Ticks without hearing from a leader before campaigning; each timeout is
   * drawn from [electionTicks, 2·electionTicks) with the injected Rng so
   * replicas rarely time out together. Also the leader's CheckQuorum period
   * and the leadership-transfer deadline.
   */
  electionTicks: number;
  /** Ticks between a leader's heartbeats; less than electionTicks. */
  heartbeatTicks: number;
  /**
   * The caller's applied index at restart: entries at or below it are never
   * handed out again. It must lie within the stored log (at or above the
   * storage's snapshot index).
   */
  applied: LogIndex;
  /** Bytes of entries per append message (0: one entry per message). */
  maxSizePerMsg: number;
  /** Append messages in flight per follower while pipelining. */
  maxInflightMsgs: number;
  /** Bytes in flight per follower (0: unlimited); at least maxSizePerMsg otherwise. */
  maxInflightBytes: number;
  /** Payload bytes of uncommitted proposals a leader accepts before dropping proposals (0: unlimited). */
  maxUncommittedEntriesSize: number;
  /** Bytes of committed entries per Ready (0: maxSizePerMsg). At least one entry is always handed out. */
  maxCommittedSizePerReady: number;
  /**
   * The leader steps down when it has not heard from a quorum within an
   * election timeout, and followers that heard from a leader within one
   * ignore other candidates (leader stickiness).
   */
  checkQuorum: boolean;
  /** Campaign with a PreVote round first, so a replica that cannot win does not bump terms. */
  preVote: boolean;
  /**
   * 'safe': a ReadIndex is confirmed by a heartbeat round to a quorum.
   * 'leaseBased': served from the leader's lease without a round trip while
   * the lease holds (see Raft.leaseValid for the clock assumption); needs
   * checkQuorum. Falls back to a heartbeat round when the lease lapsed.
   */
  readOnlyOption: 'safe' | 'leaseBased';
  /**
   * Deprecated and ignored: snapshots are sent whole in one 'snap' message
   * and chunking them is the transport's job. Kept so older callers compile.
   */
  snapshotChunkBytes?: number;
}

function isCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** Checks a configuration; a bad one is a programmer bug (RaftAssertionError). */
export function validateConfig(c: RaftConfig): void {
  assert(Number.isSafeInteger(c.id) && c.id > 0, `replica ID ${c.id} must be a positive integer`);
  assert(isCount(c.heartbeatTicks) && c.heartbeatTicks > 0, 'heartbeatTicks must be positive');
  assert(isCount(c.electionTicks) && c.electionTicks > c.heartbeatTicks, 'electionTicks must exceed heartbeatTicks');
  assert(c.electionTicks <= electionTicksMax, `electionTicks must be at most ${electionTicksMax}`);
  assert(isCount(c.applied), 'applied must be a non-negative integer');
  assert(isCount(c.maxSizePerMsg), 'maxSizePerMsg must be a non-negative integer');
  assert(isCount(c.maxInflightMsgs) && c.maxInflightMsgs > 0 && c.maxInflightMsgs <= inflightMessagesMax,
    `maxInflightMsgs must be in [1, ${inflightMessagesMax}]`);
  assert(isCount(c.maxInflightBytes), 'maxInflightBytes must be a non-negative integer');
  assert(c.maxInflightBytes === 0 || c.maxInflightBytes >= c.maxSizePerMsg, 'maxInflightBytes must be at least maxSizePerMsg');
  assert(isCount(c.maxUncommittedEntriesSize), 'maxUncommittedEntriesSize must be a non-negative integer');
  assert(isCount(c.maxCommittedSizePerReady), 'maxCommittedSizePerReady must be a non-negative integer');
  assert(c.readOnlyOption === 'safe' || c.readOnlyOption === 'leaseBased', `unknown readOnlyOption ${String(c.readOnlyOption)}`);
  assert(c.readOnlyOption !== 'leaseBased' || c.checkQuorum, 'lease-based reads need checkQuorum');
}
