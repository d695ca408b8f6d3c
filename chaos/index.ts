/**
 * chaos — Meridian's Jepsen-style harness. It drives a cluster as a client
 * does, records what happened, and checks it. It imports nothing from node/,
 * sql/ or consensus/.
 *
 * - history/: the history model (invoke, then ok | fail | info, as JSON
 *   lines; times in monotonic nanoseconds), pairing into operations and
 *   validation (typed `HistoryError`), a `HistoryRecorder` workloads wrap
 *   each operation in, streaming .jsonl read/write.
 * - checkers/: pure functions from a history to a `CheckResult`
 *   (`{valid: true | false | 'unknown', anomalies, stats}`):
 *   - `checkLinearizable(model, history)`: Wing–Gong/Lowe search with
 *     memoisation (Porcupine's), models `registerModel`, `casRegisterModel`
 *     and the per-key `kvModel`;
 *   - `checkListAppend(history)`: Elle's list-append inference, reporting
 *     G0, G1a, G1b, G1c, G-single, G2 (and -realtime/-process variants),
 *     lost updates, incompatible orders, internal and element anomalies;
 *   - `checkBank`, `checkSet`, `checkMonotonic`, `checkSequential`;
 *   - `checkAll` runs several and combines them.
 * - check.ts: re-runs a checker on a saved history from the command line.
 */
export {
  HistoryError, isClientProcess, parseEvent,
  type CompletionType, type EventType, type HistoryErrorReason, type HistoryEvent, type HistoryValue, type Process,
} from './history/event.ts';
export { opRef, pairOperations, type Operation, type OperationStatus, type OpRef } from './history/operation.ts';
export { HistoryWriter, parseHistory, readHistory, writeHistory, type HistorySink, type ReadOptions } from './history/jsonl.ts';
export { ManualClock, monotonicClock, type Clock } from './history/clock.ts';
export { HistoryRecorder, PendingOperation, type ErrorOutcome, type RecorderOptions } from './history/recorder.ts';

export {
  AnomalyCollector, checkAll, combineResults,
  type Anomaly, type CheckResult, type Checker, type CombinedResult, type CycleStep, type Validity,
} from './checkers/result.ts';
export {
  casRegisterModel, kvModel, models, registerModel, type Model, type RegisterModel, type RegisterOp, type RegisterState,
} from './checkers/models.ts';
export { checkLinearizable, checkPartition, type LinearizableOptions, type PartitionResult } from './checkers/linearizable.ts';
export type { SearchOutcome } from './checkers/wgl.ts';
export { checkListAppend, type ListAppendOptions } from './checkers/list-append.ts';
export { checkBank, type BankOptions } from './checkers/bank.ts';
export { checkSet } from './checkers/set.ts';
export { checkMonotonic, type MonotonicOptions } from './checkers/monotonic.ts';
export { checkSequential } from './checkers/sequential.ts';
