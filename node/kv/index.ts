/**
 * node/kv — ranges and replicas.
 *
 * - store.ts: a store hosting many Raft replicas on one LevelDB (multi-Raft
 *   scheduler with group commit and messages coalesced per node), leaseholder
 *   evaluation of batches under latches into replicated commands, lease
 *   maintenance (the lease follows the Raft leader), splits.
 * - lease.ts: leases and why two never overlap; descriptor.ts: range
 *   descriptors; request.ts: the KV API; evaluate.ts: request evaluation;
 *   split.ts: split key choice; command.ts: the replicated command format;
 *   latches.ts: request latches; replica.ts: one range's replica.
 * - dist-sender.ts / range-cache.ts: routing a client's batch to the ranges'
 *   leaseholders, following redirects and stale caches.
 * - raft-storage.ts: RaftStorage over node/storage with an entry cache.
 * - local-transport.ts: an in-process transport for tests.
 */
export { Store, type ClusterServices, type RaftEnvelope, type RaftTransport, type StoreOptions } from './store.ts';
export { isWrite, requestSpan, type BatchRequest, type KvRequest, type KvResponse, type RequestHeader } from './request.ts';
export {
  containsKey, containsSpan, decodeDescriptor, DescriptorDecodeError, encodeDescriptor, type RangeDescriptor, type ReplicaDescriptor,
} from './descriptor.ts';
export { leaseStatus, type Lease, type LeaseStatus } from './lease.ts';
export { Replica } from './replica.ts';
export {
  AmbiguousResultError, errorFromWire, errorToWire, InvalidRequestError, KvRemoteError, NotLeaseholderError, RangeKeyMismatchError, RangeNotFoundError,
  UnavailableError, type WireError,
} from './errors.ts';
export { DistSender, SendError, type NodeDialer } from './dist-sender.ts';
export { RangeCache } from './range-cache.ts';
export { clusterServices, rangeIdGeneratorInitialValue } from './services.ts';
export { decodeBatchRequest, encodeBatchError, encodeBatchResponse, GrpcDialer, WireDecodeError } from './wire.ts';
export { LocalNetwork, LocalTransport } from './local-transport.ts';
