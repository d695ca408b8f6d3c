/**
 * Brute-force oracles for tiny histories: try every subset of indeterminate
 * operations and every order that respects real time. Exponential, so only
 * for a handful of operations; they define what the real checkers must say.
 */
import type { HistoryValue } from '../history/event.ts';
import type { Operation } from '../history/operation.ts';
import { canonical } from './canonical.ts';

/** Calls `visit` with each order of `items` in which `before(a, b)` forces a before b; stops when it returns true. */
function someOrder<T>(items: readonly T[], before: (a: T, b: T) => boolean, visit: (order: readonly T[]) => boolean): boolean {
  const used = new Array<boolean>(items.length).fill(false);
  const order: T[] = [];
  const go = (): boolean => {
    if (order.length === items.length) return visit(order);
    for (let i = 0; i < items.length; i++) {
      if (used[i]) continue;
      // Every unplaced item that must precede items[i] blocks it.
      if (items.some((other, j) => !used[j] && j !== i && before(other, items[i]!))) continue;
      used[i] = true;
      order.push(items[i]!);
      if (go()) return true;
      order.pop();
      used[i] = false;
    }
    return false;
  };
  return go();
}

function someSubset<T>(optional: readonly T[], visit: (chosen: readonly T[]) => boolean): boolean {
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    if (visit(optional.filter((_, i) => mask & (1 << i)))) return true;
  }
  return false;
}

const realtimeBefore = (a: Operation, b: Operation) => a.completeTime < b.invokeTime;

/** Is this single-register history (read/write/cas) linearizable? */
export function bruteLinearizable(ops: readonly Operation[]): boolean {
  const live = ops.filter((o) => o.status !== 'fail' && !(o.f === 'read' && o.status !== 'ok'));
  const required = live.filter((o) => o.status === 'ok');
  const optional = live.filter((o) => o.status !== 'ok');
  return someSubset(optional, (chosen) => someOrder([...required, ...chosen], realtimeBefore, (order) => {
    let state = 'null';
    for (const op of order) {
      if (op.f === 'read') {
        if (canonical(op.output) !== state) return false;
      } else if (op.f === 'write') {
        state = canonical(op.input);
      } else {
        const [expected, next] = op.input as readonly HistoryValue[];
        if (canonical(expected) !== state) return false;
        state = canonical(next);
      }
    }
    return true;
  }));
}

/** Is this list-append history serializable (strictly, with `realtime`)? */
export function bruteSerializable(ops: readonly Operation[], realtime: boolean): boolean {
  const txns = ops.filter((o) => o.f === 'txn' && o.status !== 'fail');
  const required = txns.filter((o) => o.status === 'ok');
  const optional = txns.filter((o) => o.status !== 'ok');
  const before = realtime ? realtimeBefore : () => false;
  return someSubset(optional, (chosen) => someOrder([...required, ...chosen], before, (order) => {
    const lists = new Map<string, string[]>();
    for (const t of order) {
      const micro = (t.status === 'ok' ? t.output : t.input) as ReadonlyArray<readonly [string, HistoryValue, HistoryValue]>;
      for (const [f, key, value] of micro) {
        const k = canonical(key);
        const list = lists.get(k) ?? [];
        if (f === 'append') lists.set(k, [...list, canonical(value)]);
        else if (t.status === 'ok') {
          const seen = ((value ?? []) as readonly HistoryValue[]).map(canonical);
          if (JSON.stringify(seen) !== JSON.stringify(list)) return false;
        }
      }
    }
    return true;
  }));
}
