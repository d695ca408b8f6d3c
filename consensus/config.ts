/** The configuration of one Raft replica. */
import type { LogIndex, ReplicaId } from './types.ts';

export interface RaftConfig {
  id: ReplicaId;
  /** Ticks without hearing from a leader before campaigning; randomized in [electionTicks, 2·electionTicks). */
  electionTicks: number;
  heartbeatTicks: number;
  /** The caller's applied index at restart: entries at or below it are never handed out again. */
  applied: LogIndex;
  maxSizePerMsg: number;
  maxInflightMsgs: number;
  /** Bytes in flight per follower (0 = unlimited). */
  maxInflightBytes: number;
  /** Bytes of uncommitted proposals before proposals are dropped (0 = unlimited). */
  maxUncommittedEntriesSize: number;
  maxCommittedSizePerReady: number;
  checkQuorum: boolean;
  preVote: boolean;
  /**
   * 'safe' confirms leadership with a heartbeat round per ReadIndex.
   * 'leaseBased' answers from the leader's lease: it is safe only while clock
   * drift between nodes stays below the margin between the election timeout
   * and the time since the leader last heard from a quorum, since followers
   * (with CheckQuorum's leader stickiness) refuse to elect anyone else for an
   * election timeout after hearing from the leader. A node whose clock runs
   * fast by more than that margin could let a new leader commit writes that a
   * lease read on the old leader misses.
   */
  readOnlyOption: 'safe' | 'leaseBased';
  /**
   * Snapshots are streamed to followers in chunks of this many bytes, each
   * acknowledged before the next is sent; a follower keeps what it received,
   * so a send interrupted by a lost message or a leader's retry resumes where
   * it stopped. Defaults to maxSizePerMsg.
   */
  snapshotChunkBytes?: number;
}
