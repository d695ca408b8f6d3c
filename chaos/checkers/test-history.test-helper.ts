/** Builds hand-made histories for checker tests. */
import type { HistoryEvent, HistoryValue } from '../history/history.ts';

export interface OpSpec {
  readonly p: number;
  readonly f: string;
  readonly in: HistoryValue;
  readonly out?: HistoryValue;
  readonly status?: 'ok' | 'fail' | 'info';
  /** Invocation and completion times. */
  readonly at: readonly [number, number];
}

/** Events for the operations, interleaved by time (an info op has no completion event). */
export function history(ops: readonly OpSpec[]): HistoryEvent[] {
  const events: Array<Omit<HistoryEvent, 'index'>> = [];
  for (const o of ops) {
    events.push({ type: 'invoke', process: o.p, f: o.f, value: o.in, time: o.at[0] });
    const status = o.status ?? 'ok';
    if (status !== 'info') events.push({ type: status, process: o.p, f: o.f, value: o.out ?? o.in, time: o.at[1] });
  }
  events.sort((a, b) => a.time - b.time || (a.type === 'invoke' ? 1 : -1));
  return events.map((e, index) => ({ ...e, index }));
}
