/**
 * node/storage — Meridian's storage engine: MVCC over classic-level (LevelDB).
 *
 * - engine.ts: Engine (one LevelDB per store): bounded forward and reverse
 *   iterators, consistent Snapshots, indexed write Batches (read your own
 *   writes, commit hooks) committed atomically with an explicit sync flag.
 * - commit-queue.ts: group commit: commits that arrive during a write share
 *   the next LevelDB write and fsync; Engine.commitBatches merges explicitly.
 * - mvcc-key.ts: the record layout. A key's own slot, escape(key), holds its
 *   intent or else its latest committed version (so a reader meets an intent
 *   before any version, and reading the latest value is one point lookup);
 *   older versions sit at escape(key) ‖ ~timestamp, newest first.
 * - mvcc-value.ts: checksummed record values: versions, tombstones, intents
 *   with their transaction meta and history of writes by sequence number.
 * - mvcc.ts: get/scan/put/delete/cput/increment/delete-range at timestamps,
 *   transactional intents and their resolution, garbage collection, span
 *   clearing; each write adds its effect on the range's stats. mvcc-read.ts
 *   and mvcc-scan.ts hold the read rules and the scan loops.
 * - stats.ts: MvccStats, kept incrementally; computeStats recounts.
 * - raft-log.ts: RaftLogStore: each range's Raft log, hard state, truncated
 *   and applied state, with synchronous reads for the Raft library.
 * - snapshot.ts: export and ingest of a span's records in checksummed chunks.
 * - errors.ts / limits.ts: typed errors (StorageError subclasses) and bounds.
 *
 * User keys are opaque ordered bytes; timestamps come from node/hlc.
 */
export {
  Batch, Engine, EngineOpenError, Snapshot, type EngineOptions, type IterateOptions, type RawEntry, type Reader, type ReadWriter,
  type Writer,
} from './engine.ts';
export {
  ConditionFailedError, CorruptionError, IntentMismatchError, InvalidArgumentError, ReadWithinUncertaintyIntervalError,
  StorageError, WriteIntentError, WriteTooOldError, type IntentConflict,
} from './errors.ts';
export * from './limits.ts';
export {
  clearSpan, computeStats, mvccConditionalPut, mvccDelete, mvccDeleteRange, mvccGarbageCollect, mvccGet, mvccIncrement,
  mvccPut, mvccPutMany, mvccResolveIntent, mvccResolveIntentRange, mvccScan,
  type GetResult, type IntentResolution, type IntentStatus, type MvccSpan, type PutItem, type ReadOptions, type ScanOptions,
  type ScanResult, type ScanRow, type WriteOptions,
} from './mvcc.ts';
export { decodeMvccKey, encodeMvccKey, intentKey, versionKey, type DecodedMvccKey } from './mvcc-key.ts';
export {
  decodeIntent, decodeVersionValue, encodeIntent, encodeVersionValue, type IntentRecord, type IntentWrite, type TxnMeta,
} from './mvcc-value.ts';
export { addStats, emptyStats, totalBytes, type MvccStats } from './stats.ts';
export { RaftLogStore, type AppliedState, type LogEntry, type StoredHardState, type TruncatedState } from './raft-log.ts';
export { decodeChunk, exportSpan, ingestSpan, type ExportOptions, type SnapshotChunk } from './snapshot.ts';
