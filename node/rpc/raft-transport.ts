/**
 * The Raft transport between nodes: per destination, one gRPC bidi stream
 * carrying RaftBatch messages (every envelope the scheduler produced for that
 * node in one cycle). Streams reconnect lazily after failures; messages sent
 * while a peer is unreachable are dropped, which Raft tolerates.
 */
import type * as grpc from '@grpc/grpc-js';
import { dial, type MeridianClientInstance } from './grpc.ts';
import { encodeMessage, messageToWire, RaftBatchType } from './codec.ts';
import type { Message } from '../../consensus/index.ts';

export interface Envelope {
  readonly rangeId: number;
  readonly message: Message;
}

interface Peer {
  client: MeridianClientInstance;
  stream: grpc.ClientDuplexStream<Buffer, Buffer> | null;
  /** Extra one-way delay (simulated region latency or injected fault). */
  delayMs: number;
}

export class GrpcRaftTransport {
  readonly #peers = new Map<number, Peer>();
  /** Nodes this transport must not send to (fault injection). */
  readonly blocked = new Set<number>();
  sentBatches = 0;
  droppedBatches = 0;

  constructor(
    readonly nodeId: number,
    readonly clusterId: string,
    private readonly resolve: (nodeId: number) => string | undefined,
  ) {}

  #peer(nodeId: number): Peer | undefined {
    let peer = this.#peers.get(nodeId);
    if (peer) return peer;
    const address = this.resolve(nodeId);
    if (!address) return undefined;
    peer = { client: dial(address), stream: null, delayMs: 0 };
    this.#peers.set(nodeId, peer);
    return peer;
  }

  setDelay(nodeId: number, delayMs: number): void {
    const peer = this.#peer(nodeId);
    if (peer) peer.delayMs = delayMs;
  }

  #stream(peer: Peer): grpc.ClientDuplexStream<Buffer, Buffer> {
    if (peer.stream) return peer.stream;
    const stream = peer.client.raft();
    const reset = () => {
      if (peer.stream === stream) peer.stream = null;
    };
    stream.on('error', reset);
    stream.on('end', reset);
    stream.on('close', reset);
    stream.on('data', () => { /* acks carry nothing yet */ });
    peer.stream = stream;
    return stream;
  }

  send(toNodeId: number, envelopes: readonly Envelope[]): void {
    if (this.blocked.has(toNodeId)) {
      this.droppedBatches++;
      return;
    }
    const peer = this.#peer(toNodeId);
    if (!peer) {
      this.droppedBatches++;
      return;
    }
    const bytes = encodeMessage(RaftBatchType, {
      fromNode: this.nodeId, clusterId: this.clusterId,
      envelopes: envelopes.map((e) => ({ rangeId: e.rangeId, message: messageToWire(e.message) })),
    });
    const write = () => {
      try {
        this.#stream(peer).write(bytes);
        this.sentBatches++;
      } catch {
        this.droppedBatches++;
        peer.stream = null;
      }
    };
    if (peer.delayMs > 0) setTimeout(write, peer.delayMs);
    else write();
  }

  close(): void {
    for (const peer of this.#peers.values()) {
      peer.stream?.end();
      peer.client.close();
    }
    this.#peers.clear();
  }
}
