/**
 * Hosts Meridian's gRPC services. The handlers are given by the node that
 * composes the layers, so this module knows nothing of stores or ranges.
 */
import * as grpc from '@grpc/grpc-js';
import { meridianService } from './grpc.ts';

export interface RpcHandlers {
  /** A batch of Raft messages arrived from a peer (bytes of a RaftBatch). */
  raftBatch(bytes: Buffer): void;
  batch(bytes: Buffer): Promise<Buffer>;
  admin(bytes: Buffer): Promise<Buffer>;
  status(bytes: Buffer): Promise<Buffer>;
  bootstrap(bytes: Buffer): Promise<Buffer>;
  fault(bytes: Buffer): Promise<Buffer>;
}

function unaryHandler(fn: (bytes: Buffer) => Promise<Buffer>): grpc.handleUnaryCall<Buffer, Buffer> {
  return (call, callback) => {
    fn(call.request).then((response) => callback(null, response), (error: unknown) => {
      callback({ code: grpc.status.INTERNAL, details: error instanceof Error ? error.message : String(error) });
    });
  };
}

/** Starts the server on host:port (port 0 picks one); resolves with the bound port. */
export async function startRpcServer(host: string, port: number, handlers: RpcHandlers): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server({ 'grpc.max_receive_message_length': 256 * 1024 * 1024 });
  server.addService(meridianService, {
    raft: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.on('data', (bytes: Buffer) => {
        try {
          handlers.raftBatch(bytes);
        } catch {
          // A malformed batch is dropped; Raft retries what matters.
        }
      });
      call.on('end', () => call.end());
      call.on('error', () => { /* the peer reconnects */ });
    },
    batch: unaryHandler(handlers.batch),
    admin: unaryHandler(handlers.admin),
    status: unaryHandler(handlers.status),
    bootstrap: unaryHandler(handlers.bootstrap),
    fault: unaryHandler(handlers.fault),
  });
  const bound = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p)));
  });
  return { server, port: bound };
}
