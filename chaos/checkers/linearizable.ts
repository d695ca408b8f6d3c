/**
 * A linearizability checker in the style of Wing & Gong with Lowe's
 * just-in-time linearization and memoisation of (linearized set, state), as
 * Porcupine does. Operations that completed `ok` must each take effect at one
 * instant between invocation and completion; `info` operations may take effect
 * at any instant after invocation, or never; `fail` operations never happened.
 * A step budget bounds the search: past it the answer is 'unknown'.
 */
import type { Operation } from '../history/history.ts';
import { pairOperations, type HistoryEvent } from '../history/history.ts';
import type { Model } from './models.ts';
import type { Anomaly, CheckResult } from './result.ts';

export interface LinearizableOptions {
  /** Search steps allowed per partition before answering 'unknown'. */
  readonly stepBudget?: number;
}

interface Node {
  readonly op: number;
  readonly isCall: boolean;
  readonly time: number;
  prev: Node | null;
  next: Node | null;
  match: Node | null;
}

class Bitset {
  readonly words: Uint32Array;
  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1);
  }
  set(i: number): void { this.words[i >>> 5]! |= 1 << (i & 31); }
  clear(i: number): void { this.words[i >>> 5]! &= ~(1 << (i & 31)); }
  key(): string {
    let s = '';
    for (const w of this.words) s += w.toString(36) + ',';
    return s;
  }
}

export interface PartitionResult {
  readonly valid: boolean | 'unknown';
  readonly steps: number;
  /** The most operations linearized at once, and the operation that could not follow them. */
  readonly longestPrefix: readonly Operation[];
  readonly stuckAt: Operation | null;
}

/** Checks one partition's operations against the model. */
export function checkPartition<S>(model: Model<S>, ops: readonly Operation[], options: LinearizableOptions = {}): PartitionResult {
  const budget = options.stepBudget ?? 5_000_000;
  const live = ops.filter((o) => o.status !== 'fail' && !(o.status === 'info' && o.f === 'read'));
  if (live.length === 0) return { valid: true, steps: 0, longestPrefix: [], stuckAt: null };
  // Events sorted by time; a call sorts before a return at the same instant, so touching operations count as concurrent.
  const events: Node[] = [];
  live.forEach((o, i) => {
    const call: Node = { op: i, isCall: true, time: o.invokeTime, prev: null, next: null, match: null };
    const ret: Node = { op: i, isCall: false, time: o.completeTime, prev: null, next: null, match: null };
    call.match = ret;
    events.push(call, ret);
  });
  events.sort((a, b) => a.time - b.time || (a.isCall === b.isCall ? a.op - b.op : a.isCall ? -1 : 1));
  const head: Node = { op: -1, isCall: false, time: -Infinity, prev: null, next: null, match: null };
  let prev = head;
  for (const e of events) {
    e.prev = prev;
    prev.next = e;
    prev = e;
  }
  const lift = (call: Node) => {
    call.prev!.next = call.next;
    if (call.next) call.next.prev = call.prev;
    const ret = call.match!;
    ret.prev!.next = ret.next;
    if (ret.next) ret.next.prev = ret.prev;
  };
  const unlift = (call: Node) => {
    const ret = call.match!;
    ret.prev!.next = ret;
    if (ret.next) ret.next.prev = ret;
    call.prev!.next = call;
    if (call.next) call.next.prev = call;
  };

  const linearized = new Bitset(live.length);
  const cache = new Set<string>();
  const stack: Array<{ node: Node; state: S }> = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  let best: number[] = [];
  let stuckAt: Operation | null = null;
  while (entry) {
    if (++steps > budget) return { valid: 'unknown', steps, longestPrefix: best.map((i) => live[i]!), stuckAt };
    if (!entry.isCall && entry.time === Infinity) break; // only indeterminate operations remain: they need not have happened
    if (entry.isCall) {
      const next = model.step(state, live[entry.op]!);
      if (next !== undefined) {
        linearized.set(entry.op);
        const key = linearized.key() + '|' + model.key(next);
        if (!cache.has(key)) {
          cache.add(key);
          stack.push({ node: entry, state });
          state = next;
          lift(entry);
          if (stack.length > best.length) best = stack.map((s) => s.node.op);
          entry = head.next;
          continue;
        }
        linearized.clear(entry.op);
      }
      entry = entry.next;
      continue;
    }
    // A return of an operation not yet linearized: backtrack.
    if (stack.length === 0) {
      stuckAt ??= live[entry.op]!;
      return { valid: false, steps, longestPrefix: best.map((i) => live[i]!), stuckAt };
    }
    if (stack.length >= best.length) stuckAt = live[entry.op]!;
    const top = stack.pop()!;
    state = top.state;
    linearized.clear(top.node.op);
    unlift(top.node);
    entry = top.node.next;
  }
  return { valid: true, steps, longestPrefix: [], stuckAt: null };
}

/** Checks a whole history, partitioned by the model when it supports it. */
export function checkLinearizable<S>(model: Model<S>, history: readonly HistoryEvent[], options: LinearizableOptions = {}): CheckResult {
  const ops = pairOperations(history);
  const partitions = new Map<string, Operation[]>();
  for (const op of ops) {
    const key = model.partition ? model.partition(op) : '';
    let list = partitions.get(key);
    if (!list) partitions.set(key, (list = []));
    list.push(op);
  }
  const anomalies: Anomaly[] = [];
  let unknown = 0;
  let steps = 0;
  for (const [key, list] of partitions) {
    const r = checkPartition(model, list, options);
    steps += r.steps;
    if (r.valid === 'unknown') unknown++;
    if (r.valid === false) {
      const last = r.longestPrefix[r.longestPrefix.length - 1];
      anomalies.push({
        kind: 'nonlinearizable',
        description: `${model.name}${key ? ` key ${key}` : ''}: no linearization; ${r.longestPrefix.length} operations linearize` +
          (last ? ` up to process ${last.process} ${last.f} ${JSON.stringify(last.input)}` : '') +
          (r.stuckAt ? `, then process ${r.stuckAt.process} ${r.stuckAt.f} ${JSON.stringify(r.stuckAt.input)} → ${JSON.stringify(r.stuckAt.output)} cannot` : ''),
        ops: [...r.longestPrefix.slice(-5), ...(r.stuckAt ? [r.stuckAt] : [])].map((o) => ({
          process: o.process, f: o.f, input: o.input, output: o.output ?? null, status: o.status,
        })),
      });
    }
  }
  return {
    valid: anomalies.length > 0 ? false : unknown > 0 ? 'unknown' : true,
    anomalies,
    stats: { operations: ops.length, partitions: partitions.size, unknownPartitions: unknown, searchSteps: steps },
  };
}
