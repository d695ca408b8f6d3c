/**
 * node/rpc — how nodes talk: meridian.proto (the wire schema, encoded with
 * protobufjs), gRPC services over raw bytes, the batched Raft transport (one
 * stream per node pair) and helpers to dial peers and call them.
 */
export {
  AdminRequestType, AdminResponseType, BatchRequestType, BatchResponseType, BootstrapRequestType, BootstrapResponseType, decodeMessage, FaultRequestType, FaultResponseType, encodeMessage, KvRequestType, KvResponseType, messageFromWire,
  messageToWire, RaftBatchType, StatusRequestType, StatusResponseType, type WireRaftMessage,
} from './codec.ts';
export { dial, unary, type MeridianClientInstance } from './grpc.ts';
export { GrpcRaftTransport, type Envelope } from './raft-transport.ts';
export { startRpcServer, type RpcHandlers } from './server.ts';
