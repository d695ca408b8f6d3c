/**
 * The one door SQL uses to reach storage: a transactional, ordered key-value
 * store. SQL owns this interface; the node's transaction client (node/txn)
 * satisfies it structurally and node/server.ts hands it in. Nothing in sql/
 * imports node/.
 *
 * Keys are opaque ordered bytes that SQL builds itself (tenant prefix, table,
 * index, order-preserving column encodings: sql/encoding); values are bytes.
 * Every method of a transaction may throw a `KvError`; `retryable` errors mean
 * the whole transaction should be retried (SQLSTATE 40001), and the session
 * layer maps each kind once to a SQLSTATE.
 */

/** An HLC timestamp as SQL sees it: wall time in microseconds and a logical counter. */
export interface KvTimestamp {
  readonly wallMicros: number;
  readonly logical: number;
}

export interface KeyValue {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

/** A half-open key span [key, endKey). */
export interface KeySpan {
  readonly key: Uint8Array;
  readonly endKey: Uint8Array;
}

export interface ScanOptions {
  /** Stop after this many rows (0 = no limit); a resume span is returned. */
  readonly maxRows?: number;
  /** Stop after about this many bytes of keys and values (0 = no limit). */
  readonly maxBytes?: number;
  readonly reverse?: boolean;
  /** Lock the rows read for update (SELECT … FOR UPDATE, and UPDATE/DELETE scans). */
  readonly forUpdate?: boolean;
}

export interface ScanResult {
  readonly rows: readonly KeyValue[];
  /** Where to continue when a limit stopped the scan; absent when the span is exhausted. */
  readonly resume?: KeySpan;
}

/** One write or read of a batch; a batch is sent to each range at most once. */
export type KvRequest =
  | { readonly type: 'get'; readonly key: Uint8Array; readonly forUpdate?: boolean }
  | { readonly type: 'scan'; readonly span: KeySpan; readonly options?: ScanOptions }
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  /** Write only if the current value equals `expected` (null: the key must be absent). */
  | { readonly type: 'cput'; readonly key: Uint8Array; readonly value: Uint8Array; readonly expected: Uint8Array | null }
  | { readonly type: 'delete'; readonly key: Uint8Array }
  | { readonly type: 'deleteRange'; readonly span: KeySpan; readonly returnKeys?: boolean }
  | { readonly type: 'increment'; readonly key: Uint8Array; readonly delta: bigint };

export type KvResponse =
  | { readonly type: 'get'; readonly value: Uint8Array | null }
  | { readonly type: 'scan'; readonly result: ScanResult }
  | { readonly type: 'put' }
  | { readonly type: 'cput' }
  | { readonly type: 'delete' }
  | { readonly type: 'deleteRange'; readonly keys: readonly Uint8Array[] }
  | { readonly type: 'increment'; readonly value: bigint };

export type KvErrorKind =
  /** The transaction must restart (serialization failure, uncertainty, push): SQLSTATE 40001. */
  | 'retry'
  /** The transaction was part of a deadlock and was aborted: SQLSTATE 40P01. */
  | 'deadlock'
  /** A cput found a value other than the expected one (the error carries it). */
  | 'conditionFailed'
  /** The transaction was aborted by another (its record was pushed to ABORTED). */
  | 'aborted'
  /** Whether the commit happened is unknown (a connection broke mid-commit): SQLSTATE 40003. */
  | 'ambiguous'
  /** The request addressed keys outside the tenant's key space, or was malformed. */
  | 'invalid'
  /** The statement was cancelled or timed out: SQLSTATE 57014. */
  | 'cancelled'
  /** The cluster could not serve the request in time (no quorum, no lease): SQLSTATE 58000/08006. */
  | 'unavailable'
  /** The tenant is over its request-unit budget or a limit: SQLSTATE 53000-class. */
  | 'limit';

/** What every KV failure seen by SQL looks like. */
export interface KvError extends Error {
  readonly kind: KvErrorKind;
  readonly retryable: boolean;
  /** For `conditionFailed`: the value actually found (null when absent). */
  readonly actualValue?: Uint8Array | null;
}

/** Narrows an unknown thrown value to a KvError. */
export function isKvError(error: unknown): error is KvError {
  return error instanceof Error && typeof (error as Partial<KvError>).kind === 'string' &&
    typeof (error as Partial<KvError>).retryable === 'boolean';
}

/** A savepoint token; rolling back to it discards the writes made after it. */
export interface KvSavepoint {
  readonly sequence: number;
}

export interface KvTxn {
  /** The timestamp reads are served at; it may move forward on a refresh. */
  readonly readTimestamp: KvTimestamp;
  /** True once commit or rollback finished. */
  readonly finished: boolean;
  get(key: Uint8Array, options?: { forUpdate?: boolean }): Promise<Uint8Array | null>;
  scan(span: KeySpan, options?: ScanOptions): Promise<ScanResult>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  /** Conditional put; throws a `conditionFailed` KvError carrying the value found. */
  cput(key: Uint8Array, value: Uint8Array, expected: Uint8Array | null): Promise<void>;
  delete(key: Uint8Array): Promise<void>;
  deleteRange(span: KeySpan, options?: { returnKeys?: boolean }): Promise<readonly Uint8Array[]>;
  /** Sends several requests together, split by range and sent in parallel. */
  batch(requests: readonly KvRequest[]): Promise<readonly KvResponse[]>;
  savepoint(): KvSavepoint;
  rollbackToSavepoint(savepoint: KvSavepoint): Promise<void>;
  /** Commits; returns the commit timestamp. Throws a retryable KvError when serializability forbids it. */
  commit(): Promise<KvTimestamp>;
  rollback(): Promise<void>;
}

export interface KvTxnOptions {
  /** A read-only transaction at a fixed historical timestamp (AS OF SYSTEM TIME). */
  readonly asOf?: KvTimestamp;
  readonly readOnly?: boolean;
  /** A name for logs and contention reports. */
  readonly debugName?: string;
  /** Higher priority transactions win pushes; 'normal' by default. */
  readonly priority?: 'low' | 'normal' | 'high';
}

/** The transactional store a SQL pod is handed, already scoped to its tenant. */
export interface KvStore {
  /** The tenant's key prefix; every key SQL builds starts with it. */
  readonly keyPrefix: Uint8Array;
  /** Begins an explicit transaction (SQL BEGIN). */
  begin(options?: KvTxnOptions): KvTxn;
  /** Runs `fn` in a transaction, retrying it on retryable errors up to a bound. */
  run<T>(fn: (txn: KvTxn) => Promise<T>, options?: KvTxnOptions): Promise<T>;
  /** The current HLC time, for now() and AS OF SYSTEM TIME arithmetic. */
  now(): KvTimestamp;
}
