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
import { LinearizedSet } from './bitset.ts';
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
  assert(input.invokeTimes.length === n, 'one invocation time per operation');
  assert(input.completeTimes.length === n, 'one completion time per operation');
  const search = new Search(model, input, buildList(input));
  return search.run(limits);
}

type Stuck<S> = Extract<SearchOutcome<S>, { verdict: 'not-linearizable' }>;

/**
 * The search state. A configuration is (linearized set, model state); the
 * stack holds the choices that led to it, each with the state before it.
 *
 * One refinement over plain WGL: a read-only operation (the model's
 * `readOnly`: it changes no state it is legal in) that may take effect now is
 * linearized at once, as a forced move with no alternatives. Moving it
 * earlier in any linearization cannot hurt: every operation that must precede
 * it is already linearized, and no state anything else sees changes. So when
 * the search backtracks over a forced move, the configuration before it is a
 * dead end too. Without this a register's reads multiply the orders tried
 * for its concurrent writes. (A write of the value already there is not
 * read-only: placed later, it would change the state.)
 */
class Search<S, P> {
  readonly #linearized: LinearizedSet;
  /** Configurations seen: the set's key and the state's key. */
  readonly #cache = new Set<string>();
  readonly #stackEntries: number[] = [];
  readonly #stackStates: S[] = [];
  readonly #stackForced: boolean[] = [];
  #state: S;
  #steps = 0;
  #best: Stuck<S> | null = null;

  constructor(private readonly model: Model<S, P>, private readonly input: SearchInput<P>, private readonly list: EntryList) {
    this.#linearized = new LinearizedSet(input.ops.length);
    this.#state = model.init();
  }

  run(limits: SearchLimits): SearchOutcome<S> {
    const { list } = this;
    let entry = list.next[0]!;
    let fresh = true;
    while (entry !== 0) {
      if (++this.#steps > limits.stepsMax) return this.#unknown('steps');
      if (this.#cache.size > limits.cacheEntriesMax) return this.#unknown('cache');
      if (fresh) {
        fresh = false;
        const forced = this.#forceNoOp();
        if (forced === 'taken') {
          fresh = true;
          entry = list.next[0]!;
          continue;
        }
        if (forced === 'dead-end') {
          entry = this.#backtrack();
          if (entry === -1) return this.#fail();
          continue;
        }
        entry = list.next[0]!;
      }
      if (list.match[entry] !== 0) {
        if (this.#tryLinearize(entry, false) === true) {
          fresh = true;
          entry = list.next[0]!;
        } else entry = list.next[entry]!;
        continue;
      }
      // A return whose call is still in the list.
      if (list.indeterminate[entry]) break;
      if (this.#best === null || this.#stackEntries.length > this.#best.prefix.length) this.#best = this.#counterexample(entry);
      entry = this.#backtrack();
      if (entry === -1) return this.#fail();
    }
    return {
      verdict: 'linearizable', steps: this.#steps, cacheEntries: this.#cache.size,
      order: this.#stackEntries.map((e) => list.op[e]!),
    };
  }

  /** Linearizes the call at `entry` if the model allows it and the configuration is new. */
  #tryLinearize(entry: number, forced: boolean): boolean | 'seen' {
    const op = this.list.op[entry]!;
    const prepared = this.input.ops[op]!;
    if (forced && !this.model.readOnly?.(prepared)) return false;
    const next = this.model.step(this.#state, prepared);
    if (next === undefined) return false;
    assert(!forced || this.model.key(next) === this.model.key(this.#state), 'a read-only operation changed the state');
    const linearized = this.#linearized;
    linearized.add(op);
    const key = `${linearized.key()}\u0000${this.model.key(next)}`;
    if (this.#cache.has(key)) {
      linearized.delete(op);
      return 'seen';
    }
    this.#cache.add(key);
    this.#stackEntries.push(entry);
    this.#stackStates.push(this.#state);
    this.#stackForced.push(forced);
    this.#state = next;
    lift(this.list, entry);
    return true;
  }

  /** Takes a read-only operation that may take effect now, if there is one. */
  #forceNoOp(): 'taken' | 'dead-end' | 'none' {
    const { list } = this;
    for (let e = list.next[0]!; e !== 0 && list.match[e] !== 0; e = list.next[e]!) {
      this.#steps++;
      const r = this.#tryLinearize(e, true);
      if (r === true) return 'taken';
      // The configuration after the forced move was explored before and failed.
      if (r === 'seen') return 'dead-end';
    }
    return 'none';
  }

  /** Undoes choices up to the last unforced one; returns the entry to resume at, or -1 when none is left. */
  #backtrack(): number {
    for (;;) {
      const call = this.#stackEntries.pop();
      if (call === undefined) return -1;
      this.#state = this.#stackStates.pop()!;
      const forced = this.#stackForced.pop()!;
      this.#linearized.delete(this.list.op[call]!);
      unlift(this.list, call);
      if (!forced) return this.list.next[call]!;
    }
  }

  #unknown(reason: 'steps' | 'cache'): SearchOutcome<S> {
    return { verdict: 'unknown', steps: this.#steps, cacheEntries: this.#cache.size, reason };
  }

  #fail(): SearchOutcome<S> {
    assert(this.#best !== null, 'a failed search met a return it could not pass');
    return { ...this.#best, steps: this.#steps, cacheEntries: this.#cache.size };
  }

  #counterexample(stuckReturn: number): Stuck<S> {
    const { list } = this;
    const candidates: number[] = [];
    for (let e = list.next[0]!; e !== stuckReturn && e !== 0; e = list.next[e]!) {
      if (list.match[e] !== 0) candidates.push(list.op[e]!);
    }
    return {
      verdict: 'not-linearizable', steps: this.#steps, cacheEntries: this.#cache.size,
      prefix: this.#stackEntries.map((e) => list.op[e]!), stateAfterPrefix: this.#state, stuck: list.op[stuckReturn]!, candidates,
    };
  }
}

