/**
 * gRPC plumbing: Meridian's services defined over raw bytes (protobufjs
 * encodes the messages), a server that hosts them and clients that dial
 * peers. One long-lived bidirectional stream per pair of nodes carries Raft
 * batches; KV batches, admin commands, status and bootstrap are unary calls.
 */
import * as grpc from '@grpc/grpc-js';

const raw = {
  requestSerialize: (b: Buffer) => b,
  requestDeserialize: (b: Buffer) => b,
  responseSerialize: (b: Buffer) => b,
  responseDeserialize: (b: Buffer) => b,
};

export const meridianService = {
  raft: { path: '/meridian.Node/Raft', requestStream: true, responseStream: true, ...raw },
  batch: { path: '/meridian.Node/Batch', requestStream: false, responseStream: false, ...raw },
  admin: { path: '/meridian.Node/Admin', requestStream: false, responseStream: false, ...raw },
  status: { path: '/meridian.Node/Status', requestStream: false, responseStream: false, ...raw },
  bootstrap: { path: '/meridian.Node/Bootstrap', requestStream: false, responseStream: false, ...raw },
  fault: { path: '/meridian.Node/Fault', requestStream: false, responseStream: false, ...raw },
} satisfies grpc.ServiceDefinition;

export const MeridianClient = grpc.makeGenericClientConstructor(meridianService, 'Node');
export type MeridianClientInstance = InstanceType<typeof MeridianClient> & {
  raft(): grpc.ClientDuplexStream<Buffer, Buffer>;
  batch(request: Buffer, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Buffer) => void): grpc.ClientUnaryCall;
  admin(request: Buffer, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Buffer) => void): grpc.ClientUnaryCall;
  status(request: Buffer, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Buffer) => void): grpc.ClientUnaryCall;
  bootstrap(request: Buffer, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Buffer) => void): grpc.ClientUnaryCall;
  fault(request: Buffer, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: Buffer) => void): grpc.ClientUnaryCall;
};

/** Dials a peer (insecure: nodes talk over a trusted network or loopback in this build). */
export function dial(address: string): MeridianClientInstance {
  return new MeridianClient(address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': 256 * 1024 * 1024,
    'grpc.max_send_message_length': 256 * 1024 * 1024,
    'grpc.keepalive_time_ms': 10_000,
  }) as MeridianClientInstance;
}

/** Calls a unary method with a deadline. */
export function unary(
  client: MeridianClientInstance, method: 'batch' | 'admin' | 'status' | 'bootstrap' | 'fault', request: Buffer, timeoutMs: number,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    client[method](request, { deadline: Date.now() + timeoutMs }, (error, response) => {
      if (error) reject(error);
      else resolve(response ?? Buffer.alloc(0));
    });
  });
}
