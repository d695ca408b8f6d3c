/**
 * Storage limits. Values are held in memory whole on every path (Raft entries,
 * snapshots, gRPC messages), so they stay well below what LevelDB could hold.
 */
import { assert } from '../assert.ts';
import { userKeyBytesMax } from '../keys/index.ts';

const MiB = 1024 * 1024;

/** Largest user key accepted by MVCC writes (the key space's own limit). */
export const mvccKeyBytesMax = userKeyBytesMax;
/** Largest value accepted by MVCC writes: 8 MiB, so an entry carrying it fits a Raft message. */
export const mvccValueBytesMax = 8 * MiB;
/** Largest Raft log entry the engine stores. */
export const raftEntryBytesMax = 64 * MiB;
/** Default size of one chunk of an exported span (snapshots stream in chunks). */
export const snapshotChunkBytesDefault = 4 * MiB;
/** Intent history kept per intent for savepoint rollbacks. */
export const intentHistoryEntriesMax = 10_000;
/** Largest intent record (its value plus the history of the transaction's earlier writes to the key). */
export const intentRecordBytesMax = 32 * MiB;
/** LevelDB block cache per store, unless the store is opened with another. */
export const engineCacheBytesDefault = 64 * MiB;
/** LevelDB memtable per store: writes are buffered this much before a flush to a level-0 table. */
export const engineWriteBufferBytesDefault = 16 * MiB;
/**
 * Bytes of batches merged into one group-committed LevelDB write; a single
 * larger batch is written alone. Bounds the memory a write holds twice
 * (buffered batch and LevelDB's copy).
 */
export const groupCommitBytesMax = 64 * MiB;
/** Entries fetched from LevelDB per iterator step. */
export const iteratorBatchEntries = 1024;
/**
 * Bytes an iterator step may buffer before returning early (classic-level's
 * highWaterMarkBytes; its 16 KiB default cuts a step of small rows to ~100).
 */
export const iteratorChunkBytes = 1 * MiB;

assert(mvccValueBytesMax < raftEntryBytesMax, 'a value must fit in a Raft entry');
assert(snapshotChunkBytesDefault <= raftEntryBytesMax, 'a snapshot chunk must fit in a message');
assert(mvccValueBytesMax < intentRecordBytesMax, 'an intent must hold at least one value');
assert(intentRecordBytesMax < raftEntryBytesMax, 'an intent record must fit in a Raft entry');
