/** Builds hand-made histories for checker tests. */
import type { HistoryEvent, HistoryValue } from '../history/event.ts';

export interface OpSpec {
  readonly p: number;
  readonly f: string;
  readonly in: HistoryValue;
  /** The ok result; the input by default. */
  readonly out?: HistoryValue;
  /** ok by default; 'open' is an invocation never completed. */
  readonly status?: 'ok' | 'fail' | 'info' | 'open';
  /** Invocation and completion times (nanoseconds). */
  readonly at: readonly [number, number];
}

/** Events for the operations, ordered by time; at equal times completions come first. */
export function history(ops: readonly OpSpec[]): HistoryEvent[] {
  const events: Array<Omit<HistoryEvent, 'index'> & { order: number }> = [];
  ops.forEach((o, i) => {
    events.push({ type: 'invoke', process: o.p, f: o.f, value: o.in, time: o.at[0], order: 2 * i + 1 });
    const status = o.status ?? 'ok';
    if (status === 'open') return;
    const value = status === 'ok' ? (o.out === undefined ? o.in : o.out) : o.in;
    events.push({ type: status, process: o.p, f: o.f, value, time: o.at[1], order: 2 * i });
  });
  events.sort((a, b) => a.time - b.time || (a.type === 'invoke' ? 1 : 0) - (b.type === 'invoke' ? 1 : 0) || a.order - b.order);
  return events.map(({ order: _, ...e }, index) => ({ ...e, index }));
}

type Window = readonly [number, number];
type Status = OpSpec['status'];

/** A register read returning `out`. */
export const read = (p: number, out: HistoryValue, at: Window, status?: Status): OpSpec => ({ p, f: 'read', in: null, out, at, ...(status ? { status } : {}) });
/** A register write of `v`. */
export const write = (p: number, v: HistoryValue, at: Window, status?: Status): OpSpec => ({ p, f: 'write', in: v, at, ...(status ? { status } : {}) });
/** A compare-and-set from `from` to `to`. */
export const cas = (p: number, from: HistoryValue, to: HistoryValue, at: Window, status?: Status): OpSpec => ({ p, f: 'cas', in: [from, to], at, ...(status ? { status } : {}) });
/** A list-append transaction; micro-ops are recorded as completed. */
export const txn = (p: number, micro: HistoryValue[], at: Window, status?: Status): OpSpec => ({ p, f: 'txn', in: micro, out: micro, at, ...(status ? { status } : {}) });
