/**
 * node/storage — Meridian's storage engine: MVCC over classic-level (LevelDB).
 *
 * - engine.ts: Engine (one LevelDB per store), bounded iterators, indexed
 *   write batches with an explicit sync flag, group commit of many batches.
 * - mvcc-key.ts / mvcc-value.ts: record layout (intent slot before versions,
 *   newest version first) and checksummed value encodings.
 * - mvcc.ts: get/scan/put/delete/cput/increment/delete-range at timestamps,
 *   intents and their resolution, garbage collection, span clearing, stats.
 * - stats.ts: MVCC statistics kept incrementally per range.
 * - raft-log.ts: Raft log, hard state, truncated and applied state per range.
 * - snapshot.ts: export and ingest of a span's records in chunks.
 *
 * User keys are opaque ordered bytes; timestamps come from node/hlc.
 */
export {
  Batch, Engine, EngineOpenError, Snapshot, type EngineOptions, type IterateOptions, type RawEntry, type Reader, type ReadWriter, type Writer,
} from './engine.ts';
export {
  ConditionFailedError, CorruptionError, IntentMismatchError, InvalidArgumentError, ReadWithinUncertaintyIntervalError,
  StorageError, WriteIntentError, WriteTooOldError, type IntentConflict,
} from './errors.ts';
export * from './limits.ts';
export {
  clearSpan, computeStats, mvccConditionalPut, mvccDelete, mvccDeleteRange, mvccGarbageCollect, mvccGet, mvccIncrement,
  mvccPut, mvccPutMany, mvccResolveIntent, mvccResolveIntentRange, mvccScan,
  type GetResult, type IntentResolution, type PutItem, type IntentStatus, type MvccSpan, type ReadOptions, type ScanOptions,
  type ScanResult, type WriteOptions,
} from './mvcc.ts';
export { decodeMvccKey, intentKey, versionKey } from './mvcc-key.ts';
export { decodeIntent, decodeVersionValue, encodeIntent, encodeVersionValue, type IntentRecord, type TxnMeta } from './mvcc-value.ts';
export { addStats, emptyStats, totalBytes, type MvccStats } from './stats.ts';
export { RaftLogStore, type AppliedState, type LogEntry, type StoredHardState, type TruncatedState } from './raft-log.ts';
export { decodeChunk, exportSpan, ingestSpan, type SnapshotChunk } from './snapshot.ts';
