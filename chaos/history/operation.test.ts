import { describe, expect, it } from 'vitest';
import { HistoryError, type HistoryEvent, type HistoryErrorReason } from './event.ts';
import { opRef, pairOperations } from './operation.ts';

type Spec = Omit<HistoryEvent, 'index' | 'time'> & { time?: number };
const events = (specs: readonly Spec[]): HistoryEvent[] => specs.map((s, i) => ({ time: i * 10, ...s, index: i }));

function reasonOf(fn: () => unknown): HistoryErrorReason | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof HistoryError) return error.reason;
    throw error;
  }
  return undefined;
}

describe('pairOperations', () => {
  it('pairOperations pairs concurrent operations in invocation order', () => {
    const ops = pairOperations(events([
      { type: 'invoke', process: 1, f: 'write', value: 1 },
      { type: 'invoke', process: 2, f: 'read', value: null },
      { type: 'ok', process: 2, f: 'read', value: 0 },
      { type: 'info', process: 'nemesis', f: 'partition', value: 'start' },
      { type: 'fail', process: 1, f: 'write', value: 1, error: 'aborted' },
    ]));
    expect(ops.map((o) => [o.index, o.process, o.status, o.output, o.completeTime])).toEqual([
      [0, 1, 'fail', 1, 40],
      [1, 2, 'ok', 0, 20],
    ]);
    expect(ops[0]!.error).toBe('aborted');
  });

  it('pairOperations makes info and never-completed operations indeterminate', () => {
    const ops = pairOperations(events([
      { type: 'invoke', process: 1, f: 'write', value: 1 },
      { type: 'info', process: 1, f: 'write', value: 1 },
      { type: 'invoke', process: 1, f: 'write', value: 2 },
    ]));
    expect(ops.map((o) => [o.status, o.output, o.completeTime, o.completeIndex])).toEqual([
      ['info', undefined, Infinity, 1],
      ['info', undefined, Infinity, -1],
    ]);
    expect(opRef(ops[0]!).completeTime).toBeNull();
    expect(JSON.parse(JSON.stringify(opRef(ops[1]!)))).toEqual(opRef(ops[1]!));
  });

  it('pairOperations rejects malformed histories with typed reasons', () => {
    const inv = { type: 'invoke', process: 1, f: 'read', value: null } as const;
    expect(reasonOf(() => pairOperations(events([{ type: 'ok', process: 1, f: 'read', value: 1 }])))).toBe('orphan-completion');
    expect(reasonOf(() => pairOperations(events([inv, inv])))).toBe('double-invoke');
    expect(reasonOf(() => pairOperations(events([inv, { type: 'ok', process: 1, f: 'write', value: 1 }])))).toBe('mismatched-completion');
    expect(reasonOf(() => pairOperations(events([inv, { type: 'ok', process: 1, f: 'read', value: 1, time: 0 }]).map((e, i) => ({ ...e, time: 10 - i }))))).toBe('time-order');
    const swapped = events([inv, { type: 'ok', process: 1, f: 'read', value: 1 }]).map((e, i) => ({ ...e, index: 5 - i }));
    expect(reasonOf(() => pairOperations(swapped))).toBe('index-order');
    expect(reasonOf(() => pairOperations(events([inv, { type: 'ok', process: 1, f: 'read', value: 1 }])))).toBeUndefined();
  });
});
