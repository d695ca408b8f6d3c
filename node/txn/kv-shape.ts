/**
 * The shapes of sql/kv.ts, replicated here (node/ may not import sql/), and
 * the mapping between them and the transactional requests. A type-level test
 * in test/ checks the two stay in step.
 */
import type { TxnRequest, TxnResponse } from './api.ts';
import { TxnInvalidError } from './errors.ts';

export interface KeySpanShape { readonly key: Uint8Array; readonly endKey: Uint8Array }
export interface KeyValueShape { readonly key: Uint8Array; readonly value: Uint8Array }
export interface ScanOptionsShape {
  readonly maxRows?: number; readonly maxBytes?: number; readonly reverse?: boolean; readonly forUpdate?: boolean;
}
export interface ScanResultShape { readonly rows: readonly KeyValueShape[]; readonly resume?: KeySpanShape }
export interface TimestampShape { readonly wallMicros: number; readonly logical: number }

export type KvRequestShape =
  | { readonly type: 'get'; readonly key: Uint8Array; readonly forUpdate?: boolean }
  | { readonly type: 'scan'; readonly span: KeySpanShape; readonly options?: ScanOptionsShape }
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'cput'; readonly key: Uint8Array; readonly value: Uint8Array; readonly expected: Uint8Array | null }
  | { readonly type: 'delete'; readonly key: Uint8Array }
  | { readonly type: 'deleteRange'; readonly span: KeySpanShape; readonly returnKeys?: boolean }
  | { readonly type: 'increment'; readonly key: Uint8Array; readonly delta: bigint };

export type KvResponseShape =
  | { readonly type: 'get'; readonly value: Uint8Array | null }
  | { readonly type: 'scan'; readonly result: ScanResultShape }
  | { readonly type: 'put' }
  | { readonly type: 'cput' }
  | { readonly type: 'delete' }
  | { readonly type: 'deleteRange'; readonly keys: readonly Uint8Array[] }
  | { readonly type: 'increment'; readonly value: bigint };

export interface KvTxnOptionsShape {
  readonly asOf?: TimestampShape;
  readonly readOnly?: boolean;
  readonly debugName?: string;
  readonly priority?: 'low' | 'normal' | 'high';
}

export function toTxnRequest(r: KvRequestShape): TxnRequest {
  switch (r.type) {
    case 'get': return { type: 'get', key: r.key, ...(r.forUpdate ? { forUpdate: true } : {}) };
    case 'scan': {
      const o = r.options ?? {};
      return {
        type: 'scan', key: r.span.key, endKey: r.span.endKey, maxKeys: o.maxRows ?? 0, maxBytes: o.maxBytes ?? 0,
        reverse: o.reverse ?? false, ...(o.forUpdate ? { forUpdate: true } : {}),
      };
    }
    case 'put': return { type: 'put', key: r.key, value: r.value };
    case 'cput': return { type: 'cput', key: r.key, value: r.value, expected: r.expected };
    case 'delete': return { type: 'delete', key: r.key };
    case 'deleteRange': return { type: 'deleteRange', key: r.span.key, endKey: r.span.endKey };
    case 'increment': return { type: 'increment', key: r.key, delta: r.delta };
  }
}

export function toKvResponse(r: TxnResponse, request: KvRequestShape): KvResponseShape {
  switch (r.type) {
    case 'get': return { type: 'get', value: r.value };
    case 'scan': return { type: 'scan', result: r.resume ? { rows: r.rows, resume: r.resume } : { rows: r.rows } };
    case 'put': case 'cput': case 'delete': return { type: r.type };
    case 'deleteRange': return { type: 'deleteRange', keys: request.type === 'deleteRange' && request.returnKeys ? r.keys : [] };
    case 'increment': return { type: 'increment', value: r.value };
    default: throw new TxnInvalidError(`unexpected response ${r.type} to ${request.type}`);
  }
}
