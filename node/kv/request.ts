/**
 * The KV API a range serves: requests, responses, and the header every batch
 * carries for the transaction layer. A batch goes to one range; DistSender
 * splits a client's batch by range.
 */
import type { Timestamp } from '../hlc/index.ts';
import type { TxnMeta } from '../storage/index.ts';
import type { RangeDescriptor } from './descriptor.ts';

/**
 * What every request carries for the transaction layer: the timestamp to
 * read and write at (absent: the leaseholder's clock) and the transaction,
 * whose writes become intents and whose reads see its own intents.
 */
export interface RequestHeader {
  readonly timestamp?: Timestamp;
  readonly txn?: TxnMeta;
}

export type KvRequest =
  | { readonly type: 'get'; readonly key: Buffer }
  | {
    readonly type: 'scan'; readonly key: Buffer; readonly endKey: Buffer; readonly maxKeys?: number; readonly reverse?: boolean;
  }
  | { readonly type: 'put'; readonly key: Buffer; readonly value: Buffer }
  | { readonly type: 'cput'; readonly key: Buffer; readonly value: Buffer; readonly expected: Buffer | null }
  | { readonly type: 'delete'; readonly key: Buffer }
  | { readonly type: 'increment'; readonly key: Buffer; readonly delta: bigint }
  | { readonly type: 'deleteRange'; readonly key: Buffer; readonly endKey: Buffer }
  /** The descriptor of the range holding `key`, from meta (served by the range holding meta). */
  | { readonly type: 'rangeLookup'; readonly key: Buffer }
  /** Splits the range holding `key` at `key` (an admin command). */
  | { readonly type: 'adminSplit'; readonly key: Buffer };

export type KvResponse =
  | { readonly type: 'get'; readonly value: Buffer | null }
  | { readonly type: 'scan'; readonly rows: Array<{ key: Buffer; value: Buffer }>; readonly resume?: { key: Buffer; endKey: Buffer } }
  | { readonly type: 'put' | 'cput' | 'delete' }
  | { readonly type: 'increment'; readonly value: bigint }
  | { readonly type: 'deleteRange'; readonly keys: Buffer[] }
  | { readonly type: 'rangeLookup'; readonly descriptor: RangeDescriptor | null }
  | { readonly type: 'adminSplit'; readonly left: RangeDescriptor; readonly right: RangeDescriptor };

export interface BatchRequest {
  readonly rangeId: number;
  readonly header: RequestHeader;
  readonly requests: readonly KvRequest[];
}

/** Whether a request changes data (and so needs a Raft proposal and an exclusive latch). */
export function isWrite(request: KvRequest): boolean {
  return request.type !== 'get' && request.type !== 'scan' && request.type !== 'rangeLookup';
}

/** The span a request touches: [key, endKey) for span requests, else the point `key`. */
export function requestSpan(request: KvRequest): { key: Buffer; endKey?: Buffer } {
  if (request.type === 'scan' || request.type === 'deleteRange') return { key: request.key, endKey: request.endKey };
  return { key: request.key };
}
