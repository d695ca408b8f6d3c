/**
 * node/kv — ranges and replicas.
 *
 * - store.ts: a store hosting many Raft replicas on one LevelDB (multi-Raft
 *   scheduler with group commit and messages coalesced per node), leader
 *   evaluation of requests under latches into replicated MVCC commands, and
 *   ReadIndex reads.
 * - replica.ts: one range's replica and its descriptor.
 * - raft-storage.ts: RaftStorage over node/storage with an entry cache.
 * - command.ts: the replicated command format; latches.ts: request latches.
 * - local-transport.ts: an in-process transport for tests.
 */
export {
  Store, type KvRequest, type KvResponse, type RaftEnvelope, type RaftTransport, type RequestHeader, type StoreOptions,
} from './store.ts';
export { decodeDescriptor, encodeDescriptor, Replica, type RangeDescriptor, type ReplicaDescriptor } from './replica.ts';
export { AmbiguousResultError, NotLeaderError, RangeNotFoundError } from './errors.ts';
export { LocalNetwork, LocalTransport } from './local-transport.ts';
