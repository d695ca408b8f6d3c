/**
 * chaos — Meridian's Jepsen-style harness. It drives a cluster as a client
 * does, records what happened, and checks it. It imports nothing from node/,
 * sql/ or consensus/.
 *
 * - history/: the history model. Each client operation is an `invoke` event
 *   then `ok`, `fail` (certainly did not happen) or `info` (may or may not
 *   have), as JSON lines `{type, process, f, value, time, index}` with times
 *   in monotonic nanoseconds. `HistoryRecorder` stamps events as workloads
 *   run (`run(process, f, value, op, classify)` or `invoke(…).ok(…)`), with an
 *   injectable clock, streaming to a `HistoryWriter`; `readHistory` and
 *   `pairOperations` read and validate one (typed `HistoryError`).
 * - checkers/: pure functions from a history to a `CheckResult`
 *   `{valid: true | false | 'unknown', anomalies: [{kind, description, ops}], stats}`.
 *   Each module's comment documents the operation format it expects.
 *   - `checkLinearizable(model, history)`: Wing–Gong/Lowe search with
 *     memoisation (as Porcupine), models `registerModel`, `casRegisterModel`
 *     and the per-key `kvModel`; quick refutations of stale reads;
 *   - `checkListAppend(history, {realtime, process})`: Elle's list-append
 *     inference: G0, G1a, G1b, G1c, G-single, G2 (and -realtime/-process),
 *     lost updates, incompatible orders, internal and element anomalies;
 *   - `checkBank`, `checkSet`, `checkMonotonic`, `checkSequential`;
 *   - `checkAll(history, {name: checker})` runs several and combines them.
 * - check.ts: re-runs a checker on a saved history from the command line
 *   (exit 0 valid, 1 invalid, 2 bad usage or history, 3 unknown).
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
export type { Refutation, RefutationKind, Timing } from './checkers/register-refute.ts';
export { checkListAppend, type ListAppendOptions } from './checkers/list-append.ts';
export { checkBank, type BankOptions } from './checkers/bank.ts';
export { checkSet } from './checkers/set.ts';
export { checkMonotonic, type MonotonicOptions } from './checkers/monotonic.ts';
export { checkSequential } from './checkers/sequential.ts';
export { canonical } from './checkers/canonical.ts';
export { describeOp, showMillis } from './checkers/describe.ts';
