/**
 * Histories of operations against a system under test, recorded as JSON
 * lines in the Jepsen style: every operation is an `invoke` followed by its
 * completion, `ok` (it happened, with its result), `fail` (it certainly did
 * not happen) or `info` (indeterminate: it may or may not have happened).
 *
 * Times are monotonic nanoseconds (relative to the start of the run).
 */

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** JSON values histories carry. */
export type HistoryValue = null | boolean | number | string | HistoryValue[] | { [key: string]: HistoryValue };

export interface HistoryEvent {
  readonly type: OpType;
  /** The logical client that performed the operation (one operation at a time). */
  readonly process: number;
  /** The function: 'read', 'write', 'cas', 'txn', 'transfer', 'add', … */
  readonly f: string;
  readonly value: HistoryValue;
  readonly time: number;
  readonly index: number;
  /** Free-form extras (error text, node, key). */
  readonly error?: string;
}

/** An invocation paired with its completion. */
export interface Operation {
  readonly process: number;
  readonly f: string;
  /** The invocation's value (the request). */
  readonly input: HistoryValue;
  /** The completion's value (the result); undefined when indeterminate. */
  readonly output: HistoryValue | undefined;
  readonly status: 'ok' | 'fail' | 'info';
  readonly invokeTime: number;
  /** Infinity for indeterminate operations: they may take effect at any later time. */
  readonly completeTime: number;
  readonly invokeIndex: number;
  readonly completeIndex: number;
}

export class HistoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryError';
  }
}

/** Pairs invocations with completions; an invocation left open at the end counts as `info`. */
export function pairOperations(events: readonly HistoryEvent[]): Operation[] {
  const open = new Map<number, HistoryEvent>();
  const out: Operation[] = [];
  for (const e of events) {
    if (e.type === 'invoke') {
      if (open.has(e.process)) throw new HistoryError(`process ${e.process} invoked twice without completing (event ${e.index})`);
      open.set(e.process, e);
      continue;
    }
    const inv = open.get(e.process);
    if (!inv) throw new HistoryError(`process ${e.process} completed without an invocation (event ${e.index})`);
    if (inv.f !== e.f) throw new HistoryError(`process ${e.process} completed ${e.f} but invoked ${inv.f} (event ${e.index})`);
    if (e.time < inv.time) throw new HistoryError(`event ${e.index} completes before it was invoked`);
    open.delete(e.process);
    out.push({
      process: e.process, f: e.f, input: inv.value, output: e.type === 'info' ? undefined : e.value, status: e.type,
      invokeTime: inv.time, completeTime: e.type === 'info' ? Infinity : e.time, invokeIndex: inv.index, completeIndex: e.index,
    });
  }
  for (const inv of open.values()) {
    out.push({
      process: inv.process, f: inv.f, input: inv.value, output: undefined, status: 'info',
      invokeTime: inv.time, completeTime: Infinity, invokeIndex: inv.index, completeIndex: -1,
    });
  }
  return out.sort((a, b) => a.invokeIndex - b.invokeIndex);
}

const opTypes = new Set<OpType>(['invoke', 'ok', 'fail', 'info']);

/** Validates one parsed JSON line as a history event. */
export function parseEvent(raw: unknown, line: number): HistoryEvent {
  if (typeof raw !== 'object' || raw === null) throw new HistoryError(`line ${line}: not an object`);
  const r = raw as Record<string, unknown>;
  if (!opTypes.has(r.type as OpType)) throw new HistoryError(`line ${line}: bad type ${String(r.type)}`);
  if (!Number.isInteger(r.process)) throw new HistoryError(`line ${line}: bad process`);
  if (typeof r.f !== 'string') throw new HistoryError(`line ${line}: bad f`);
  if (typeof r.time !== 'number' || Number.isNaN(r.time)) throw new HistoryError(`line ${line}: bad time`);
  return {
    type: r.type as OpType, process: r.process as number, f: r.f, value: (r.value ?? null) as HistoryValue,
    time: r.time, index: Number.isInteger(r.index) ? (r.index as number) : line,
    ...(typeof r.error === 'string' ? { error: r.error } : {}),
  };
}
