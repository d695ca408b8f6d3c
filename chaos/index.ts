/**
 * chaos — Meridian's Jepsen-style harness: it drives a cluster as a client
 * does, records what happened, and checks it.
 *
 * - history/: the history model (invoke/ok/fail/info events as JSON lines),
 *   pairing into operations, a recorder, .jsonl read/write.
 * - checkers/: linearizability (Wing–Gong/Lowe search with memoisation,
 *   partitioned per key), Elle-style list-append serializability (G0, G1a,
 *   G1b, G1c, G-single, G2), bank, set, monotonic and sequential checkers.
 * - check.ts: re-runs a checker on a saved history from the command line.
 *
 * It imports nothing from node/, sql/ or consensus/.
 */
export * from './history/history.ts';
export { HistoryRecorder, monotonicNanos, readHistory, writeHistory, type Clock } from './history/recorder.ts';
export { combineResults, type Anomaly, type CheckResult } from './checkers/result.ts';
export { casRegisterModel, kvModel, models, registerModel, type Model } from './checkers/models.ts';
export { checkLinearizable, checkPartition, type LinearizableOptions, type PartitionResult } from './checkers/linearizable.ts';
export { checkListAppend, type ListAppendOptions } from './checkers/list-append.ts';
export { checkBank, checkMonotonic, checkSequential, checkSet, type BankOptions, type MonotonicOptions } from './checkers/simple.ts';
