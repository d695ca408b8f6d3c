/** Bounds of the transaction layer (units last). */
import { assert } from '../assert.ts';

/** A coordinator heartbeats its record this often. */
export const heartbeatIntervalMicros = 1_000_000;
/** A record not heartbeated for this long belongs to an abandoned coordinator: pushers may abort it. */
export const txnExpirationMicros = 5 * heartbeatIntervalMicros;
/** Spans a timestamp cache keeps before folding the oldest into its low-water mark. */
export const tsCacheEntriesMax = 16_384;
/** Times a waiter re-pushes a lock holder before giving up with a retry error. */
export const lockWaitRoundsMax = 100_000;
/** Times one batch is re-evaluated after waiting on conflicts (or being bumped). */
export const evalAttemptsMax = 1_000;
/** Transactions whose record anchor a lock table remembers (intents do not carry it). */
export const anchorsMax = 65_536;
/** Attempts `run` makes before surfacing a retryable error. */
export const runAttemptsMax = 100;
/** Refresh spans a coordinator tracks; beyond this it condenses them into one covering span. */
export const refreshSpansMax = 4_096;
/** In-flight (pipelined, unproven) writes a coordinator tracks. */
export const inFlightWritesMax = 4_096;
/** Priorities: 'low' and 'high' are the extremes; 'normal' draws between. */
export const priorityMin = 1;
export const priorityMax = 0x7fff_ffff;
/** A savepoint rollback resolves at most this many of the transaction's intents synchronously. */
export const syncResolveIntentsMax = 1_024;

assert(txnExpirationMicros > heartbeatIntervalMicros, 'a record must outlive at least one heartbeat interval');
assert(priorityMin < priorityMax, 'priority range is empty');
