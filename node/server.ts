/**
 * A Meridian node: one store (LevelDB), its replicas, the gRPC services
 * peers and clients call, the HTTP endpoints (/health, /_status/vars) and the
 * tick timer. A node starts uninitialised until `meridian init` bootstraps
 * the cluster; its identity (cluster ID, node ID, member addresses) is then
 * persisted in the store, so a restart resumes where it stopped.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server as HttpServer } from 'node:http';
import type * as grpc from '@grpc/grpc-js';
import { ClockOffsetError, Hlc, OffsetClock, SystemClock } from './hlc/index.ts';
import { LatencyHistogram } from './obs/index.ts';
import { keyMax, keyMin, storeIdentKey } from './keys/index.ts';
import {
  clusterServices, decodeBatchRequest, DistSender, encodeBatchError, encodeBatchResponse, GrpcDialer, leaseStatus,
  rangeIdGeneratorInitialValue, Store, UnavailableError, type BatchRequest, type KvResponse, type NodeDialer, type RangeDescriptor,
} from './kv/index.ts';
import {
  AdminRequestType, AdminResponseType, BootstrapRequestType, BootstrapResponseType, decodeMessage, dial, encodeMessage, FaultRequestType,
  FaultResponseType, GrpcRaftTransport, messageFromWire, RaftBatchType, startRpcServer, StatusResponseType, unary, type WireRaftMessage,
} from './rpc/index.ts';
import { Engine } from './storage/index.ts';

export interface NodeOptions {
  readonly storeDir: string;
  /** host:port this node listens on and peers reach it at. */
  readonly listenAddr: string;
  readonly httpAddr?: string;
  readonly join?: readonly string[];
  readonly locality?: string;
  readonly tickMs?: number;
  /**
   * Simulated round-trip latency between regions ("us-east=eu-west:70ms,…"),
   * so one machine can behave like several regions; half is added to each
   * direction of Raft traffic between nodes in those regions.
   */
  readonly simulatedLatency?: string;
  /** Largest tolerated clock offset between nodes (default 500 ms). */
  readonly maxOffsetMicros?: number;
  readonly offsetCheckMs?: number;
  /** Split ranges larger than this (bytes; default 64 MiB). */
  readonly rangeMaxBytes?: number;
}

interface Identity {
  readonly clusterId: string;
  readonly nodeId: number;
  readonly addresses: readonly string[];
}

/** The region tier of a locality string ("region=us-east,zone=a" → "us-east"). */
export function regionOf(locality: string): string {
  for (const tier of locality.split(',')) {
    const [key, value] = tier.split('=');
    if (key?.trim() === 'region' && value) return value.trim();
  }
  return '';
}

/** Parses "a=b:70ms,a=c:120ms" into round-trip milliseconds per unordered region pair. */
export function parseSimulatedLatency(spec: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([^=]+)=([^:]+):(\d+(?:\.\d+)?)ms$/.exec(part);
    if (!match) throw new Error(`bad simulated latency "${part}" (want region=region:NNms)`);
    const [a, b] = [match[1]!.trim(), match[2]!.trim()].sort();
    out.set(`${a}|${b}`, Number(match[3]));
  }
  return out;
}

function splitHostPort(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

export class MeridianNode {
  #identity: Identity | null = null;
  #store: Store | null = null;
  #transport: GrpcRaftTransport | null = null;
  #dialer: GrpcDialer | null = null;
  /** Routes KV batches to the ranges' leaseholders, wherever they are (this node's store directly). */
  #sender: DistSender | null = null;
  #timer: NodeJS.Timeout | null = null;
  #rpc: grpc.Server | null = null;
  #http: HttpServer | null = null;
  #rejectedBatches = 0;
  #offsetTimer: NodeJS.Timeout | null = null;
  /** Measured clock offset to each peer (µs, peer minus us). */
  readonly peerOffsets = new Map<number, number>();
  /** Set when this node's clock is too far from a majority of its peers: it stops serving. */
  fenced = false;
  /** The physical clock, skewable for fault injection. */
  readonly clock = new OffsetClock(new SystemClock());
  /** Peers whose Raft traffic to this node is dropped (fault injection). */
  readonly #droppedFrom = new Set<number>();
  #requests = 0;
  readonly #kvLatency = new LatencyHistogram('meridian_kv_request_duration_seconds', 'KV request latency on the serving node.');
  address = '';
  httpAddress = '';

  readonly #latencies: Map<string, number>;

  private constructor(readonly engine: Engine, readonly options: NodeOptions) {
    this.#latencies = parseSimulatedLatency(options.simulatedLatency ?? '');
  }

  static async start(options: NodeOptions): Promise<MeridianNode> {
    const engine = await Engine.open(options.storeDir);
    const node = new MeridianNode(engine, options);
    const raw = engine.getSync(storeIdentKey);
    if (raw) node.#identity = JSON.parse(raw.toString('utf8')) as Identity;
    const { host, port } = splitHostPort(options.listenAddr);
    const rpc = await startRpcServer(host, port, {
      raftBatch: (bytes) => node.#onRaftBatch(bytes),
      batch: (bytes) => node.#onBatch(bytes),
      admin: (bytes) => node.#onAdmin(bytes),
      status: async () => node.#status(),
      bootstrap: (bytes) => node.#onBootstrap(bytes),
      fault: async (bytes) => node.#onFault(bytes),
    });
    node.#rpc = rpc.server;
    node.address = `${host}:${rpc.port}`;
    if (options.httpAddr) await node.#startHttp(options.httpAddr);
    if (node.#identity) await node.#serve(node.#identity);
    return node;
  }

  get nodeId(): number {
    return this.#identity?.nodeId ?? 0;
  }

  get serving(): boolean {
    return this.#store !== null;
  }

  async #serve(identity: Identity): Promise<void> {
    const transport = new GrpcRaftTransport(identity.nodeId, identity.clusterId, (id) => identity.addresses[id - 1]);
    const store = new Store(this.engine, identity.nodeId, transport, new Hlc(this.clock, { maxOffsetMicros: this.options.maxOffsetMicros }), {
      ...(this.options.rangeMaxBytes ? { rangeMaxBytes: this.options.rangeMaxBytes } : {}),
    });
    await store.start();
    const nodeIds = identity.addresses.map((_, i) => i + 1);
    const grpcDialer = new GrpcDialer((id) => identity.addresses[id - 1], () => nodeIds);
    const dialer: NodeDialer = {
      nodeIds: () => nodeIds,
      send: (nodeId: number, batch: BatchRequest): Promise<KvResponse[]> => {
        if (nodeId !== identity.nodeId) return grpcDialer.send(nodeId, batch);
        if (this.fenced) return Promise.reject(new UnavailableError('clock offset to the cluster exceeds the limit; not serving'));
        return store.send(batch.rangeId, batch.requests, batch.header);
      },
    };
    this.#sender = new DistSender(dialer);
    store.setServices(clusterServices(this.#sender));
    this.#dialer = grpcDialer;
    this.#transport = transport;
    this.#store = store;
    // A fenced node takes no part in Raft at all (no ticks, no messages), so the
    // others elect a leader without it until its clock is back within bounds.
    this.#timer = setInterval(() => {
      if (!this.fenced) store.tick();
    }, this.options.tickMs ?? 50);
    this.#offsetTimer = setInterval(() => void this.#measureClockOffsets(identity), this.options.offsetCheckMs ?? 1000);
  }

  /**
   * Measures the clock offset to every peer (its wall clock at the midpoint of
   * a round trip) and fences this node when the offset to a majority of peers
   * exceeds 80% of the max offset, as CockroachDB does: timestamps from a
   * clock that far off would break uncertainty intervals and leases.
   */
  async #measureClockOffsets(identity: Identity): Promise<void> {
    const maxOffsetMicros = this.options.maxOffsetMicros ?? 500_000;
    const peers = identity.addresses.map((address, i) => ({ id: i + 1, address })).filter((p) => p.id !== identity.nodeId);
    await Promise.all(peers.map(async (peer) => {
      const client = dial(peer.address);
      try {
        const sent = this.clock.nowMicros();
        const reply = decodeMessage<{ wallMicros: number; locality: string }>(StatusResponseType, await unary(client, 'status', Buffer.alloc(0), 2_000));
        this.#applySimulatedLatency(peer.id, reply.locality);
        const received = this.clock.nowMicros();
        if (received - sent > maxOffsetMicros) return; // too slow a round trip to measure anything
        this.peerOffsets.set(peer.id, reply.wallMicros - (sent + received) / 2);
      } catch {
        this.peerOffsets.delete(peer.id);
      } finally {
        client.close();
      }
    }));
    const far = [...this.peerOffsets.values()].filter((o) => Math.abs(o) > 0.8 * maxOffsetMicros).length;
    // Fenced when this node's clock is far from more than half of its peers.
    this.fenced = far > peers.length / 2;
  }

  async #onBootstrap(bytes: Buffer): Promise<Buffer> {
    const request = decodeMessage<{ clusterId: string; addresses: string[]; forward: boolean }>(BootstrapRequestType, bytes);
    const fail = (error: string) => encodeMessage(BootstrapResponseType, { error });
    if (this.#identity) return fail(`node is already part of cluster ${this.#identity.clusterId}`);
    const nodeId = request.addresses.indexOf(this.address) + 1;
    if (nodeId === 0) return fail(`this node (${this.address}) is not among ${request.addresses.join(', ')}`);
    const clusterId = request.clusterId || randomUUID();
    if (request.forward) {
      for (const address of request.addresses) {
        if (address === this.address) continue;
        const client = dial(address);
        try {
          const response = decodeMessage<{ error: string }>(BootstrapResponseType, await unary(client, 'bootstrap',
            encodeMessage(BootstrapRequestType, { clusterId, addresses: request.addresses, forward: false }), 10_000));
          if (response.error) return fail(`${address}: ${response.error}`);
        } catch (error) {
          return fail(`${address}: ${(error as Error).message}`);
        } finally {
          client.close();
        }
      }
    }
    const identity: Identity = { clusterId, nodeId, addresses: request.addresses };
    const desc: RangeDescriptor = {
      rangeId: 1, startKey: keyMin, endKey: keyMax,
      replicas: request.addresses.map((_, i) => ({ nodeId: i + 1, replicaId: i + 1 })), generation: 0,
    };
    const store = new Store(this.engine, nodeId, { send() {} }, new Hlc(new SystemClock()));
    await store.bootstrapRange(desc, [rangeIdGeneratorInitialValue(1)]);
    const batch = this.engine.newBatch();
    batch.put(storeIdentKey, Buffer.from(JSON.stringify(identity)));
    await batch.commit({ sync: true });
    this.#identity = identity;
    await this.#serve(identity);
    return encodeMessage(BootstrapResponseType, { error: '' });
  }

  #onRaftBatch(bytes: Buffer): void {
    const store = this.#store;
    if (!store || !this.#identity) return;
    const batch = decodeMessage<{ fromNode: number; clusterId: string; envelopes: Array<{ rangeId: number; message: WireRaftMessage }> }>(RaftBatchType, bytes);
    if (batch.clusterId !== this.#identity.clusterId) {
      this.#rejectedBatches++;
      return;
    }
    if (this.#droppedFrom.has(batch.fromNode) || this.fenced) return;
    const envelopes = [];
    for (const e of batch.envelopes) {
      const message = messageFromWire(e.message);
      if (message) envelopes.push({ rangeId: e.rangeId, message });
    }
    store.deliver(envelopes, batch.fromNode);
  }

  /** Serves a KV batch on this node's replica of the range (as its leaseholder). */
  async #onBatch(bytes: Buffer): Promise<Buffer> {
    this.#requests++;
    const store = this.#store;
    if (!store) return encodeBatchError(new UnavailableError('node is not initialised'));
    if (this.fenced) return encodeBatchError(new UnavailableError('clock offset to the cluster exceeds the limit; not serving'));
    let batch: BatchRequest;
    try {
      batch = decodeBatchRequest(bytes);
    } catch (error) {
      return encodeBatchError(error);
    }
    const started = performance.now();
    try {
      const responses = await store.send(batch.rangeId, batch.requests, batch.header);
      this.#kvLatency.observe((performance.now() - started) / 1000);
      return encodeBatchResponse(responses);
    } catch (error) {
      return encodeBatchError(error);
    }
  }

  /** Operator commands: move a range's lease. */
  async #onAdmin(bytes: Buffer): Promise<Buffer> {
    const store = this.#store;
    const fail = (error: string) => encodeMessage(AdminResponseType, { error });
    if (!store) return fail('node is not initialised');
    let request: { action: string; rangeId: number; nodeId: number };
    try {
      request = decodeMessage(AdminRequestType, bytes);
    } catch (error) {
      return fail(`malformed request: ${(error as Error).message}`);
    }
    try {
      if (request.action === 'transferLease') await store.transferLease(request.rangeId, request.nodeId);
      else return fail(`unknown admin action "${request.action}"`);
    } catch (error) {
      return fail((error as Error).message);
    }
    return encodeMessage(AdminResponseType, { error: '' });
  }

  /** The node's KV client: batches routed to every range's leaseholder. */
  get kv(): DistSender {
    if (!this.#sender) throw new UnavailableError('node is not initialised');
    return this.#sender;
  }

  /** Delays Raft traffic to a peer by half the simulated round trip between the two regions. */
  #applySimulatedLatency(peer: number, peerLocality: string): void {
    if (this.#latencies.size === 0 || !this.#transport) return;
    const [a, b] = [regionOf(this.options.locality ?? ''), regionOf(peerLocality)].sort();
    const roundTrip = this.#latencies.get(`${a}|${b}`);
    if (roundTrip !== undefined) this.#transport.setDelay(peer, roundTrip / 2);
  }

  /**
   * Fault injection: `drop` cuts traffic with a peer both ways, `delay` adds
   * one-way latency to what this node sends it, `clock-offset` skews this
   * node's physical clock, `heal` undoes everything.
   */
  #onFault(bytes: Buffer): Buffer {
    const request = decodeMessage<{ action: string; peer: number; delayMs: number; clockOffsetMs: number }>(FaultRequestType, bytes);
    const transport = this.#transport;
    switch (request.action) {
      case 'drop':
        transport?.blocked.add(request.peer);
        this.#droppedFrom.add(request.peer);
        break;
      case 'delay':
        transport?.setDelay(request.peer, request.delayMs);
        break;
      case 'clock-offset':
        this.clock.offsetMicros = request.clockOffsetMs * 1000;
        break;
      case 'heal':
        transport?.blocked.clear();
        this.#droppedFrom.clear();
        this.clock.offsetMicros = 0;
        for (const id of this.#identity?.addresses.keys() ?? []) if (id + 1 !== this.nodeId) transport?.setDelay(id + 1, 0);
        break;
      default:
        return encodeMessage(FaultResponseType, { error: `unknown fault action ${request.action}` });
    }
    return encodeMessage(FaultResponseType, { error: '' });
  }

  #status(): Buffer {
    const store = this.#store;
    const ranges = [...(store?.replicas.values() ?? [])].map((r) => {
      const s = r.raw.status();
      const lease = r.lease;
      const leaseValid = store && lease && leaseStatus(lease, store.hlc.now().wallMicros, store.hlc.maxOffsetMicros) !== 'expired';
      return {
        rangeId: r.rangeId, role: s.role, term: s.term, leaderNode: r.nodeOfReplica(s.lead), applied: r.appliedIndex, commit: s.commit,
        leaseholderNode: leaseValid ? lease.nodeId : 0, leaseSequence: lease?.sequence ?? 0, startKey: r.desc.startKey, endKey: r.desc.endKey,
        liveBytes: r.stats.liveBytes, liveCount: r.stats.liveCount,
      };
    });
    return encodeMessage(StatusResponseType, {
      nodeId: this.nodeId, clusterId: this.#identity?.clusterId ?? '', locality: this.options.locality ?? '', ranges, address: this.address,
      wallMicros: this.clock.nowMicros(), fenced: this.fenced, peerOffsetsMicros: [...this.peerOffsets.values()].map(Math.round),
    });
  }

  #metrics(): string {
    const store = this.#store;
    const replicas = [...(store?.replicas.values() ?? [])];
    const leaders = replicas.filter((r) => r.isLeader()).length;
    const now = store?.hlc.now().wallMicros ?? 0;
    const leases = replicas.filter((r) => r.lease?.replicaId === r.replicaId && leaseStatus(r.lease, now, store!.hlc.maxOffsetMicros) === 'valid').length;
    const lines = [
      '# HELP meridian_ranges Replicas hosted by this node.', '# TYPE meridian_ranges gauge', `meridian_ranges ${replicas.length}`,
      '# HELP meridian_leaders Replicas this node leads.', '# TYPE meridian_leaders gauge', `meridian_leaders ${leaders}`,
      '# HELP meridian_leases Valid leases held by this node.', '# TYPE meridian_leases gauge', `meridian_leases ${leases}`,
      '# HELP meridian_kv_requests_total KV batches received.', '# TYPE meridian_kv_requests_total counter', `meridian_kv_requests_total ${this.#requests}`,
      '# HELP meridian_raft_batches_sent_total Raft batches sent to peers.', '# TYPE meridian_raft_batches_sent_total counter',
      `meridian_raft_batches_sent_total ${this.#transport?.sentBatches ?? 0}`,
      '# HELP meridian_raft_batches_rejected_total Raft batches from another cluster.', '# TYPE meridian_raft_batches_rejected_total counter',
      `meridian_raft_batches_rejected_total ${this.#rejectedBatches}`,
      '# HELP meridian_raft_applied_index Applied index per range.', '# TYPE meridian_raft_applied_index gauge',
      ...replicas.map((r) => `meridian_raft_applied_index{range="${r.rangeId}"} ${r.appliedIndex}`),
      this.#kvLatency.render(),
    ];
    return `${lines.join('\n')}\n`;
  }

  async #startHttp(address: string): Promise<void> {
    const { host, port } = splitHostPort(address);
    const server = createServer((req, res) => {
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok', nodeId: this.nodeId, serving: this.serving }));
      } else if (req.url === '/_status/vars') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
        res.end(this.#metrics());
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    const bound = server.address();
    this.httpAddress = typeof bound === 'object' && bound ? `${host}:${bound.port}` : address;
    this.#http = server;
  }

  /** Stops serving and closes the store cleanly. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#offsetTimer) clearInterval(this.#offsetTimer);
    await this.#store?.close();
    this.#transport?.close();
    this.#dialer?.close();
    await new Promise<void>((resolve) => {
      const rpc = this.#rpc;
      if (!rpc) return resolve();
      // Peers may keep their streams open; stop waiting for them after a moment.
      const force = setTimeout(() => rpc.forceShutdown(), 1000);
      rpc.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    await new Promise<void>((resolve) => (this.#http ? this.#http.close(() => resolve()) : resolve()));
    await this.engine.close();
  }
}
