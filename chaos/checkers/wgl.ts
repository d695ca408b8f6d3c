/**
 * The linearizability search for one partition: Wing & Gong's algorithm with
 * Lowe's just-in-time linearization and memoisation, as in Porcupine.
 *
 * Calls and returns sit in one time-ordered, doubly linked list. Walking it
 * from the front, the search tries to linearize each call it meets (apply it
 * to the model state and lift the call and its return out of the list); on
 * meeting a return whose call is still in the list, that operation could not
 * be placed, so it backtracks to the last choice. A configuration is the set
 * of linearized operations plus the model state; one already seen is not
 * explored again, which keeps the search near-linear on histories that are
 * linearizable.
 *
 * An indeterminate operation's return sits at +∞: it may take effect any time
 * after its call, and reaching the first +∞ return means every determinate
 * operation is placed; the remaining ones simply never took effect.
 */
import { assert } from '../history/assert.ts';
import { Bitset } from './bitset.ts';
import type { Model } from './models.ts';

export interface SearchInput<P> {
  readonly ops: readonly P[];
  readonly invokeTimes: readonly number[];
  /** Infinity for indeterminate operations. */
  readonly completeTimes: readonly number[];
}

export interface SearchLimits {
  readonly stepsMax: number;
  readonly cacheEntriesMax: number;
}

export type SearchOutcome<S> =
  | { readonly verdict: 'linearizable'; readonly steps: number; readonly cacheEntries: number; readonly order: readonly number[] }
  | {
    readonly verdict: 'not-linearizable';
    readonly steps: number;
    readonly cacheEntries: number;
    /** The longest sequence of operations the search managed to linearize, in order. */
    readonly prefix: readonly number[];
    readonly stateAfterPrefix: S;
    /** The operation whose return the search could not pass after that prefix. */
    readonly stuck: number;
    /** The operations still pending (invoked, not linearized) before the stuck return. */
    readonly candidates: readonly number[];
  }
  | { readonly verdict: 'unknown'; readonly steps: number; readonly cacheEntries: number; readonly reason: 'steps' | 'cache' };

interface CacheEntry<S> {
  readonly words: Uint32Array;
  readonly state: S;
}

/** Entries are numbered 1..2n; 0 is the sentinel of a circular list. */
interface EntryList {
  readonly next: Int32Array;
  readonly prev: Int32Array;
  /** The operation of each entry. */
  readonly op: Int32Array;
  /** For a call entry, its return entry; 0 for returns. */
  readonly match: Int32Array;
  readonly indeterminate: Uint8Array;
}

function buildList(input: SearchInput<unknown>): EntryList {
  const n = input.ops.length;
  const order: number[] = [];
  // Entry 2i+1 is operation i's call, 2i+2 its return.
  for (let e = 1; e <= 2 * n; e++) order.push(e);
  const time = (e: number) => (e & 1 ? input.invokeTimes[(e - 1) >> 1]! : input.completeTimes[(e - 2) >> 1]!);
  // At equal times a call sorts first: touching operations count as concurrent.
  order.sort((a, b) => time(a) - time(b) || (b & 1) - (a & 1) || a - b);
  const list: EntryList = {
    next: new Int32Array(2 * n + 1), prev: new Int32Array(2 * n + 1), op: new Int32Array(2 * n + 1),
    match: new Int32Array(2 * n + 1), indeterminate: new Uint8Array(2 * n + 1),
  };
  let last = 0;
  for (const e of order) {
    list.next[last] = e;
    list.prev[e] = last;
    last = e;
    const op = e & 1 ? (e - 1) >> 1 : (e - 2) >> 1;
    list.op[e] = op;
    if (e & 1) list.match[e] = e + 1;
    else list.indeterminate[e] = input.completeTimes[op] === Infinity ? 1 : 0;
  }
  list.next[last] = 0;
  list.prev[0] = last;
  return list;
}

function lift(list: EntryList, call: number): void {
  const { next, prev } = list;
  next[prev[call]!] = next[call]!;
  prev[next[call]!] = prev[call]!;
  const ret = list.match[call]!;
  next[prev[ret]!] = next[ret]!;
  prev[next[ret]!] = prev[ret]!;
}

function unlift(list: EntryList, call: number): void {
  const { next, prev } = list;
  const ret = list.match[call]!;
  next[prev[ret]!] = ret;
  prev[next[ret]!] = ret;
  next[prev[call]!] = call;
  prev[next[call]!] = call;
}

/** Searches for a linearization of one partition's operations. */
export function searchLinearization<S, P>(model: Model<S, P>, input: SearchInput<P>, limits: SearchLimits): SearchOutcome<S> {
  const n = input.ops.length;
  assert(input.invokeTimes.length === n && input.completeTimes.length === n, 'one time pair per operation');
  const list = buildList(input);
  const linearized = new Bitset(n);
  const cache = new Map<number, CacheEntry<S>[]>();
  let cacheEntries = 0;
  const stackEntries: number[] = [];
  const stackStates: S[] = [];
  let state = model.init();
  let steps = 0;
  let best: Extract<SearchOutcome<S>, { verdict: 'not-linearizable' }> | null = null;

  let entry = list.next[0]!;
  while (entry !== 0) {
    if (++steps > limits.stepsMax) return { verdict: 'unknown', steps, cacheEntries, reason: 'steps' };
    const ret = list.match[entry]!;
    if (ret !== 0) {
      const op = list.op[entry]!;
      const next = model.step(state, input.ops[op]!);
      if (next !== undefined) {
        linearized.set(op);
        const key = (linearized.hash ^ Math.imul(model.hash(next), 0x9e3779b1)) >>> 0;
        let bucket = cache.get(key);
        const seen = bucket?.some((c) => model.equal(c.state, next) && linearized.equals(c.words)) ?? false;
        if (!seen) {
          if (++cacheEntries > limits.cacheEntriesMax) return { verdict: 'unknown', steps, cacheEntries, reason: 'cache' };
          if (!bucket) cache.set(key, (bucket = []));
          bucket.push({ words: linearized.snapshot(), state: next });
          stackEntries.push(entry);
          stackStates.push(state);
          state = next;
          lift(list, entry);
          entry = list.next[0]!;
          continue;
        }
        linearized.clear(op);
      }
      entry = list.next[entry]!;
      continue;
    }
    // A return whose call is still in the list.
    if (list.indeterminate[entry]) break;
    if (best === null || stackEntries.length > best.prefix.length) best = counterexample(list, entry, stackEntries, state, steps, cacheEntries);
    const call = stackEntries.pop();
    if (call === undefined) return { ...best, steps, cacheEntries };
    state = stackStates.pop()!;
    linearized.clear(list.op[call]!);
    unlift(list, call);
    entry = list.next[call]!;
  }
  return { verdict: 'linearizable', steps, cacheEntries, order: stackEntries.map((e) => list.op[e]!) };
}

function counterexample<S>(
  list: EntryList, stuckReturn: number, stack: readonly number[], state: S, steps: number, cacheEntries: number,
): Extract<SearchOutcome<S>, { verdict: 'not-linearizable' }> {
  const candidates: number[] = [];
  for (let e = list.next[0]!; e !== stuckReturn && e !== 0; e = list.next[e]!) {
    if (list.match[e] !== 0) candidates.push(list.op[e]!);
  }
  return {
    verdict: 'not-linearizable', steps, cacheEntries, prefix: stack.map((e) => list.op[e]!),
    stateAfterPrefix: state, stuck: list.op[stuckReturn]!, candidates,
  };
}
