/**
 * KV batches on the wire (meridian.proto's BatchRequest/BatchResponse), and
 * the gRPC dialer DistSender uses to reach other nodes' stores.
 */
import {
  BatchRequestType, BatchResponseType, decodeMessage, dial, encodeMessage, unary, type MeridianClientInstance,
} from '../rpc/index.ts';
import { decodeDescriptor, encodeDescriptor } from './descriptor.ts';
import { SendError, type NodeDialer } from './dist-sender.ts';
import { errorFromWire, errorToWire, InvalidRequestError } from './errors.ts';
import type { BatchRequest, KvRequest, KvResponse, RequestHeader } from './request.ts';

export class WireDecodeError extends InvalidRequestError {
  constructor(message: string) {
    super(message);
    this.name = 'WireDecodeError';
  }
}

interface WireHeader { wallMicros: number; logical: number; txnId: Buffer; txnEpoch: number; txnSequence: number; txnPriority: number }
interface WireRequest {
  type: string; key: Buffer; endKey: Buffer; value: Buffer; expected: Buffer; expectAbsent: boolean; delta: number; maxKeys: number; reverse: boolean;
}
interface WireBatch { rangeId: number; header?: WireHeader; requests: WireRequest[] }
interface WireResponse {
  found: boolean; value: Buffer; rows: Array<{ key: Buffer; value: Buffer }>; number: number; descriptors: Buffer[];
  resumeKey: Buffer; resumeEndKey: Buffer; hasResume: boolean;
}
interface WireBatchResponse {
  error: string; errorKind: string; leaderNode: number; descriptors: Buffer[]; found: boolean; value: Buffer; responses: WireResponse[];
}

function headerToWire(h: RequestHeader): WireHeader | undefined {
  if (!h.timestamp && !h.txn) return undefined;
  const ts = h.timestamp ?? h.txn!.writeTimestamp;
  return {
    wallMicros: ts.wallMicros, logical: ts.logical, txnId: h.txn ? Buffer.from(h.txn.id) : Buffer.alloc(0),
    txnEpoch: h.txn?.epoch ?? 0, txnSequence: h.txn?.sequence ?? 0, txnPriority: h.txn?.priority ?? 0,
  };
}

function headerFromWire(h: WireHeader | undefined): RequestHeader {
  if (!h) return {};
  const timestamp = h.wallMicros > 0 ? { wallMicros: h.wallMicros, logical: h.logical } : undefined;
  const txn = h.txnId.length === 16 && timestamp
    ? { id: h.txnId, epoch: h.txnEpoch, writeTimestamp: timestamp, sequence: h.txnSequence, priority: h.txnPriority }
    : undefined;
  return { ...(timestamp ? { timestamp } : {}), ...(txn ? { txn } : {}) };
}

function requestToWire(r: KvRequest): Partial<WireRequest> {
  switch (r.type) {
    case 'scan': return { type: r.type, key: r.key, endKey: r.endKey, maxKeys: r.maxKeys ?? 0, reverse: r.reverse ?? false };
    case 'deleteRange': return { type: r.type, key: r.key, endKey: r.endKey };
    case 'put': return { type: r.type, key: r.key, value: r.value };
    case 'cput': return { type: r.type, key: r.key, value: r.value, ...(r.expected ? { expected: r.expected } : { expectAbsent: true }) };
    case 'increment': return { type: r.type, key: r.key, delta: Number(r.delta) };
    default: return { type: r.type, key: r.key };
  }
}

function requestFromWire(w: WireRequest): KvRequest {
  switch (w.type) {
    case 'get': case 'delete': case 'rangeLookup': case 'adminSplit': return { type: w.type, key: w.key };
    case 'scan': return { type: 'scan', key: w.key, endKey: w.endKey, maxKeys: w.maxKeys, reverse: w.reverse };
    case 'deleteRange': return { type: 'deleteRange', key: w.key, endKey: w.endKey };
    case 'put': return { type: 'put', key: w.key, value: w.value };
    case 'cput': return { type: 'cput', key: w.key, value: w.value, expected: w.expectAbsent ? null : w.expected };
    case 'increment': return { type: 'increment', key: w.key, delta: BigInt(w.delta) };
    default: throw new WireDecodeError(`unknown request type "${w.type}"`);
  }
}

function responseToWire(r: KvResponse): Partial<WireResponse> {
  switch (r.type) {
    case 'get': return { found: r.value !== null, value: r.value ?? Buffer.alloc(0) };
    case 'scan': return { rows: r.rows, ...(r.resume ? { hasResume: true, resumeKey: r.resume.key, resumeEndKey: r.resume.endKey } : {}) };
    case 'increment': return { number: Number(r.value) };
    case 'deleteRange': return { rows: r.keys.map((key) => ({ key, value: Buffer.alloc(0) })), number: r.keys.length };
    case 'rangeLookup': return { found: r.descriptor !== null, value: r.descriptor ? encodeDescriptor(r.descriptor) : Buffer.alloc(0) };
    case 'adminSplit': return { descriptors: [encodeDescriptor(r.left), encodeDescriptor(r.right)] };
    default: return {};
  }
}

function responseFromWire(request: KvRequest, w: WireResponse): KvResponse {
  switch (request.type) {
    case 'get': return { type: 'get', value: w.found ? w.value : null };
    case 'scan': return w.hasResume ? { type: 'scan', rows: w.rows, resume: { key: w.resumeKey, endKey: w.resumeEndKey } } : { type: 'scan', rows: w.rows };
    case 'increment': return { type: 'increment', value: BigInt(w.number) };
    case 'deleteRange': return { type: 'deleteRange', keys: w.rows.map((r) => r.key) };
    case 'rangeLookup': return { type: 'rangeLookup', descriptor: w.found ? decodeDescriptor(w.value) : null };
    case 'adminSplit': {
      if (w.descriptors.length !== 2) throw new WireDecodeError('adminSplit response without its descriptors');
      return { type: 'adminSplit', left: decodeDescriptor(w.descriptors[0]!), right: decodeDescriptor(w.descriptors[1]!) };
    }
    default: return { type: request.type };
  }
}

export function encodeBatchRequest(batch: BatchRequest): Buffer {
  const header = headerToWire(batch.header);
  return encodeMessage(BatchRequestType, { rangeId: batch.rangeId, ...(header ? { header } : {}), requests: batch.requests.map(requestToWire) });
}

/** Decodes a batch; throws (WireDecodeError or protobuf's) on malformed bytes. */
export function decodeBatchRequest(bytes: Buffer): BatchRequest {
  let wire: WireBatch;
  try {
    wire = decodeMessage<WireBatch>(BatchRequestType, bytes);
  } catch (error) {
    throw new WireDecodeError(`malformed batch: ${(error as Error).message}`);
  }
  return { rangeId: wire.rangeId, header: headerFromWire(wire.header), requests: wire.requests.map(requestFromWire) };
}

export function encodeBatchResponse(responses: readonly KvResponse[]): Buffer {
  return encodeMessage(BatchResponseType, { responses: responses.map(responseToWire) });
}

export function encodeBatchError(error: unknown): Buffer {
  return encodeMessage(BatchResponseType, errorToWire(error));
}

/** The responses of a batch, or the store's error rebuilt as its class. */
export function decodeBatchResponse(batch: BatchRequest, bytes: Buffer): KvResponse[] {
  const wire = decodeMessage<WireBatchResponse>(BatchResponseType, bytes);
  if (wire.errorKind) throw errorFromWire(wire, batch.rangeId);
  if (wire.responses.length !== batch.requests.length) throw new WireDecodeError('batch response has the wrong number of responses');
  return batch.requests.map((r, i) => responseFromWire(r, wire.responses[i]!));
}

/** Reaches other nodes over gRPC; `addressOf(nodeId)` names each node's address. */
export class GrpcDialer implements NodeDialer {
  readonly #clients = new Map<string, MeridianClientInstance>();

  constructor(
    private readonly addressOf: (nodeId: number) => string | undefined,
    private readonly nodes: () => readonly number[],
    private readonly timeoutMs = 10_000,
  ) {}

  nodeIds(): readonly number[] {
    return this.nodes();
  }

  async send(nodeId: number, batch: BatchRequest): Promise<KvResponse[]> {
    const address = this.addressOf(nodeId);
    if (!address) throw new SendError(`node ${nodeId} has no known address`, false);
    let client = this.#clients.get(address);
    if (!client) this.#clients.set(address, (client = dial(address)));
    let bytes: Buffer;
    try {
      bytes = await unary(client, 'batch', encodeBatchRequest(batch), this.timeoutMs);
    } catch (error) {
      const message = (error as Error).message;
      // gRPC's UNAVAILABLE before a connection exists means nothing was sent.
      const neverSent = (error as { code?: number }).code === 14 && /ECONNREFUSED|No connection established|Failed to connect/.test(message);
      throw new SendError(`node ${nodeId} (${address}): ${message}`, !neverSent);
    }
    return decodeBatchResponse(batch, bytes);
  }

  close(): void {
    for (const c of this.#clients.values()) c.close();
    this.#clients.clear();
  }
}
