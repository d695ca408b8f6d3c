/**
 * The history model, after Jepsen: every client operation is an `invoke`
 * event followed by one completion event from the same process:
 *
 * - `ok`: it happened, and `value` is its result;
 * - `fail`: it certainly did not happen (a rejected CAS, an aborted txn);
 * - `info`: indeterminate, it may or may not have happened (a timeout, a
 *   connection lost mid-commit); checkers let it take effect at any point
 *   after its invocation, or never.
 *
 * A process is one logical client: it runs one operation at a time. Client
 * processes are integers. Unlike Jepsen, a process may go on after an
 * `info` completion (its indeterminate operation stays concurrent with
 * everything after it); it just never has two invocations open at once. A string process (`'nemesis'`) marks an annotation
 * from a non-client actor, such as a fault starting; those events are always
 * `info` and never paired into operations.
 *
 * `time` is monotonic nanoseconds since the recording began (a plain number:
 * 2^53 ns is about 104 days, ample for one run). `index` is the event's
 * position, strictly increasing through the history.
 *
 * Format history (one JSON object per line in a .jsonl file):
 * - v1: `{type, process, f, value, time, index}` plus an optional `error`;
 *   readers ignore other fields.
 */

/** JSON values an event can carry. */
export type HistoryValue = null | boolean | number | string | readonly HistoryValue[] | { readonly [key: string]: HistoryValue };

export type EventType = 'invoke' | 'ok' | 'fail' | 'info';
export type CompletionType = Exclude<EventType, 'invoke'>;

/** A client process (integer) or a named non-client actor such as `'nemesis'`. */
export type Process = number | string;

/** One line of a history. */
export interface HistoryEvent {
  readonly type: EventType;
  readonly process: Process;
  /** The function: 'read', 'write', 'cas', 'txn', 'transfer', 'add', … */
  readonly f: string;
  readonly value: HistoryValue;
  /** Monotonic nanoseconds since the recording began. */
  readonly time: number;
  readonly index: number;
  /** Why an operation failed or is indeterminate, for humans. */
  readonly error?: string;
}

export type HistoryErrorReason =
  | 'malformed-json'
  | 'malformed-event'
  | 'line-too-long'
  | 'index-order'
  | 'time-order'
  | 'double-invoke'
  | 'orphan-completion'
  | 'mismatched-completion'
  | 'malformed-op'
  | 'duplicate-append';

/** A history that cannot be checked: malformed input, not a consistency anomaly. */
export class HistoryError extends Error {
  constructor(
    readonly reason: HistoryErrorReason,
    message: string,
    /** The 1-based line of a .jsonl file, when reading one. */
    readonly line?: number,
  ) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'HistoryError';
  }
}

const eventTypes: ReadonlySet<string> = new Set<EventType>(['invoke', 'ok', 'fail', 'info']);

/** True for the integer processes that run client operations. */
export function isClientProcess(process: Process): process is number {
  return typeof process === 'number';
}

/**
 * Validates one decoded JSON object as an event; `position` (0-based) stands
 * in for a missing index. Throws HistoryError('malformed-event').
 */
export function parseEvent(raw: unknown, position: number, line?: number): HistoryEvent {
  const bad = (what: string): never => {
    throw new HistoryError('malformed-event', what, line);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('an event must be a JSON object');
  const r = raw as Record<string, unknown>;
  const type = r['type'];
  if (typeof type !== 'string' || !eventTypes.has(type)) return bad(`type must be invoke, ok, fail or info, not ${JSON.stringify(type)}`);
  const process = r['process'];
  const clientProcess = Number.isSafeInteger(process) && (process as number) >= 0;
  if (!clientProcess && !(typeof process === 'string' && process.length > 0)) {
    return bad(`process must be a non-negative integer or a name, not ${JSON.stringify(process)}`);
  }
  if (typeof process === 'string' && type !== 'info') return bad(`events of ${process} must be info, not ${type}`);
  const f = r['f'];
  if (typeof f !== 'string' || f.length === 0) return bad('f must be a non-empty string');
  const time = r['time'];
  if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) return bad(`time must be a non-negative number of nanoseconds, not ${JSON.stringify(time)}`);
  const index = r['index'] ?? position;
  if (!Number.isSafeInteger(index) || (index as number) < 0) return bad(`index must be a non-negative integer, not ${JSON.stringify(index)}`);
  const error = r['error'];
  if (error !== undefined && typeof error !== 'string') return bad('error must be a string');
  return {
    type: type as EventType, process: process as Process, f, value: (r['value'] ?? null) as HistoryValue,
    time, index: index as number, ...(error === undefined ? {} : { error }),
  };
}
