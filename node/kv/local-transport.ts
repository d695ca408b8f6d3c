/**
 * An in-process transport between stores, for tests and single-process
 * clusters: batches are delivered asynchronously; links can be cut.
 */
import { SendError, type NodeDialer } from './dist-sender.ts';
import type { BatchRequest, KvResponse } from './request.ts';
import type { RaftEnvelope, RaftTransport, Store } from './store.ts';

export class LocalTransport implements RaftTransport {
  readonly stores = new Map<number, Store>();
  /** Directed links that drop everything: "from->to". */
  readonly cut = new Set<string>();

  constructor(readonly fromNodeId: number, private readonly network: LocalNetwork) {}

  send(toNodeId: number, envelopes: readonly RaftEnvelope[]): void {
    this.network.send(this.fromNodeId, toNodeId, envelopes);
  }
}

export class LocalNetwork {
  readonly stores = new Map<number, Store>();
  readonly cut = new Set<string>();
  delivered = 0;

  /** Reaches the stores of this network as a DistSender does over gRPC (cut links refuse requests from `fromNodeId`). */
  dialer(fromNodeId = 0): NodeDialer {
    return {
      send: async (nodeId: number, batch: BatchRequest): Promise<KvResponse[]> => {
        await new Promise((resolve) => setImmediate(resolve));
        const store = this.stores.get(nodeId);
        if (!store || this.cut.has(`${fromNodeId}->${nodeId}`)) throw new SendError(`node ${nodeId} is unreachable`, false);
        return store.send(batch.rangeId, batch.requests, batch.header);
      },
      nodeIds: () => [...this.stores.keys()].sort((a, b) => a - b),
    };
  }

  transport(nodeId: number): LocalTransport {
    return new LocalTransport(nodeId, this);
  }

  register(store: Store): void {
    this.stores.set(store.nodeId, store);
  }

  unregister(nodeId: number): void {
    this.stores.delete(nodeId);
  }

  isolate(nodeId: number): void {
    for (const other of this.stores.keys()) {
      if (other === nodeId) continue;
      this.cut.add(`${nodeId}->${other}`);
      this.cut.add(`${other}->${nodeId}`);
    }
  }

  heal(): void {
    this.cut.clear();
  }

  send(from: number, to: number, envelopes: readonly RaftEnvelope[]): void {
    if (this.cut.has(`${from}->${to}`)) return;
    setImmediate(() => {
      const store = this.stores.get(to);
      if (!store || this.cut.has(`${from}->${to}`)) return;
      this.delivered += envelopes.length;
      store.deliver(envelopes, from);
    });
  }
}
