/**
 * Pairs a history's events into operations: each client invocation with its
 * completion. This is where a history is validated as a whole; checkers work
 * on operations and trust them.
 */
import { HistoryError, isClientProcess, type HistoryEvent, type HistoryValue } from './event.ts';

export type OperationStatus = 'ok' | 'fail' | 'info';

/** An invocation paired with its completion. */
export interface Operation {
  /** The invocation's index: the operation's identity in the history. */
  readonly index: number;
  readonly process: number;
  readonly f: string;
  /** The invocation's value (the request). */
  readonly input: HistoryValue;
  /** The completion's value (the result); undefined when indeterminate. */
  readonly output: HistoryValue | undefined;
  readonly status: OperationStatus;
  readonly invokeTime: number;
  /** Infinity when indeterminate: the operation may take effect at any later time. */
  readonly completeTime: number;
  /** -1 when the invocation was never completed. */
  readonly completeIndex: number;
  readonly error?: string;
}

/** An operation as an anomaly report shows it (JSON-safe: no Infinity). */
export interface OpRef {
  readonly index: number;
  readonly process: number;
  readonly f: string;
  readonly status: OperationStatus;
  readonly input: HistoryValue;
  readonly output: HistoryValue;
  readonly invokeTime: number;
  /** null when indeterminate. */
  readonly completeTime: number | null;
}

/** The JSON-safe view of an operation, for reports. */
export function opRef(op: Operation): OpRef {
  return {
    index: op.index, process: op.process, f: op.f, status: op.status, input: op.input, output: op.output ?? null,
    invokeTime: op.invokeTime, completeTime: Number.isFinite(op.completeTime) ? op.completeTime : null,
  };
}

/**
 * Pairs invocations with completions, in invocation order. An invocation
 * still open at the end of the history is indeterminate (`info`): the
 * recorder may have crashed while it ran. Throws HistoryError when indices
 * or times go backwards, a process invokes twice without completing, or a
 * completion has no matching invocation. Annotation events are skipped.
 */
export function pairOperations(events: readonly HistoryEvent[]): Operation[] {
  const open = new Map<number, HistoryEvent>();
  const out: Operation[] = [];
  let previous: HistoryEvent | undefined;
  for (const e of events) {
    checkOrder(previous, e);
    previous = e;
    if (!isClientProcess(e.process)) continue;
    if (e.type === 'invoke') {
      const pending = open.get(e.process);
      if (pending) throw new HistoryError('double-invoke', `process ${e.process} invoked event ${e.index} while event ${pending.index} was still open`);
      open.set(e.process, e);
      continue;
    }
    const invocation = open.get(e.process);
    if (!invocation) throw new HistoryError('orphan-completion', `event ${e.index} completes process ${e.process}, which has no open invocation`);
    if (invocation.f !== e.f) {
      throw new HistoryError('mismatched-completion', `event ${e.index} completes ${e.f}, but process ${e.process} invoked ${invocation.f} (event ${invocation.index})`);
    }
    open.delete(e.process);
    out.push(paired(invocation, e));
  }
  for (const invocation of open.values()) out.push(paired(invocation, undefined));
  return out.sort((a, b) => a.index - b.index);
}

function checkOrder(previous: HistoryEvent | undefined, e: HistoryEvent): void {
  if (previous === undefined) return;
  if (e.index <= previous.index) throw new HistoryError('index-order', `event index ${e.index} follows ${previous.index}`);
  if (e.time < previous.time) throw new HistoryError('time-order', `event ${e.index} at ${e.time} ns follows event ${previous.index} at ${previous.time} ns`);
}

function paired(invocation: HistoryEvent, completion: HistoryEvent | undefined): Operation {
  const status = completion?.type ?? 'info';
  const determinate = completion !== undefined && status !== 'info';
  const error = completion?.error;
  return {
    index: invocation.index,
    process: invocation.process as number,
    f: invocation.f,
    input: invocation.value,
    output: determinate ? completion.value : undefined,
    status: status === 'invoke' ? 'info' : status,
    invokeTime: invocation.time,
    completeTime: determinate ? completion.time : Infinity,
    completeIndex: completion?.index ?? -1,
    ...(error === undefined ? {} : { error }),
  };
}
