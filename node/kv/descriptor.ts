/**
 * Range descriptors: which span of the key space a range covers and which
 * replicas (node, replica ID) hold it. The generation increases with every
 * split, merge or replica change, so of two descriptors for overlapping
 * spans the newer one wins (range caches, meta repair).
 */
import { compareKeys } from '../keys/index.ts';

export interface ReplicaDescriptor {
  readonly nodeId: number;
  readonly replicaId: number;
}

export interface RangeDescriptor {
  readonly rangeId: number;
  readonly startKey: Buffer;
  /** Exclusive. */
  readonly endKey: Buffer;
  readonly replicas: readonly ReplicaDescriptor[];
  readonly generation: number;
}

export class DescriptorDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DescriptorDecodeError';
  }
}

export interface DescriptorJson {
  rangeId: number;
  startKey: string;
  endKey: string;
  replicas: ReplicaDescriptor[];
  generation: number;
}

export function descriptorToJson(d: RangeDescriptor): DescriptorJson {
  return {
    rangeId: d.rangeId, startKey: d.startKey.toString('base64'), endKey: d.endKey.toString('base64'),
    replicas: d.replicas.map((r) => ({ nodeId: r.nodeId, replicaId: r.replicaId })), generation: d.generation,
  };
}

export function descriptorFromJson(raw: unknown): RangeDescriptor {
  if (!raw || typeof raw !== 'object') throw new DescriptorDecodeError('descriptor is not an object');
  const j = raw as Record<string, unknown>;
  if (!Number.isSafeInteger(j.rangeId) || (j.rangeId as number) <= 0) throw new DescriptorDecodeError('bad range ID');
  if (typeof j.startKey !== 'string' || typeof j.endKey !== 'string') throw new DescriptorDecodeError('bad span');
  if (!Array.isArray(j.replicas)) throw new DescriptorDecodeError('bad replicas');
  const replicas = j.replicas.map((r: unknown) => {
    const x = r as Record<string, unknown> | null;
    if (!x || !Number.isSafeInteger(x.nodeId) || !Number.isSafeInteger(x.replicaId)) throw new DescriptorDecodeError('bad replica');
    return { nodeId: x.nodeId as number, replicaId: x.replicaId as number };
  });
  const generation = j.generation === undefined ? 0 : j.generation;
  if (!Number.isSafeInteger(generation)) throw new DescriptorDecodeError('bad generation');
  return {
    rangeId: j.rangeId as number, startKey: Buffer.from(j.startKey, 'base64'), endKey: Buffer.from(j.endKey, 'base64'),
    replicas, generation: generation as number,
  };
}

export function encodeDescriptor(d: RangeDescriptor): Buffer {
  return Buffer.from(JSON.stringify(descriptorToJson(d)));
}

export function decodeDescriptor(raw: Uint8Array): RangeDescriptor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw new DescriptorDecodeError('descriptor is not JSON');
  }
  return descriptorFromJson(parsed);
}

/** Whether `key` lies in the descriptor's span. */
export function containsKey(d: RangeDescriptor, key: Uint8Array): boolean {
  return compareKeys(d.startKey, key) <= 0 && compareKeys(key, d.endKey) < 0;
}

/** Whether the span [key, endKey) lies in the descriptor's span. */
export function containsSpan(d: RangeDescriptor, key: Uint8Array, endKey: Uint8Array): boolean {
  return compareKeys(d.startKey, key) <= 0 && compareKeys(endKey, d.endKey) <= 0 && compareKeys(key, endKey) < 0;
}
