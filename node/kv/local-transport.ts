/**
 * An in-process transport between stores, for tests and single-process
 * clusters: batches are delivered asynchronously; links can be cut.
 */
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
