/**
 * Cheap, sound refutations of register linearizability, for histories whose
 * writes each write a distinct value (what workloads do: a value names its
 * writer). Then a value read identifies its only writer, and three checks on
 * time intervals prove a history non-linearizable without any search:
 *
 * - unwritten: the value read was never written (and is not the initial null);
 * - future: the read completed before its writer was even invoked;
 * - stale: some write that certainly happened began after the read value's
 *   write completed and completed before the read began, so it overwrote the
 *   value for good before the read (or the read of the initial null came
 *   after a completed write).
 *
 * The search would find these too, but on a long, very concurrent history it
 * may need its whole budget to exhaust every order; these take O(n log n).
 */
import type { RegisterOp } from './models.ts';

export type RefutationKind = 'unwritten' | 'future' | 'stale';

export interface Refutation {
  readonly kind: RefutationKind;
  /** The observing operation (a read, or a CAS for its expected value). */
  readonly observer: number;
  /** The value's writer (future, stale), when there is one. */
  readonly writer?: number;
  /** The completed write that overwrote the value before the observer began (stale). */
  readonly overwriter?: number;
}

export interface Timing {
  readonly invokeTimes: readonly number[];
  /** Infinity for indeterminate operations. */
  readonly completeTimes: readonly number[];
  /** True for operations that completed ok. */
  readonly determinate: readonly boolean[];
}

const initial = 'null';

/** The value an operation writes, if it writes one. */
function written(op: RegisterOp): string | undefined {
  return op.kind === 'write' ? op.a : op.kind === 'cas' ? op.b : undefined;
}

/** Finds refutations; none when some value has two possible writers (the checks would be unsound). */
export function refuteRegister(ops: readonly RegisterOp[], timing: Timing): Refutation[] {
  const writerOf = new Map<string, number>();
  for (let i = 0; i < ops.length; i++) {
    const v = written(ops[i]!);
    if (v === undefined) continue;
    if (v === initial || writerOf.has(v)) return [];
    writerOf.set(v, i);
  }
  const overwrites = new EarliestCompletion(ops, timing);
  const found: Refutation[] = [];
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (!timing.determinate[i] || op.kind === 'write') continue;
    const refutation = refute(i, op.a, writerOf, overwrites, timing);
    if (refutation) found.push(refutation);
  }
  return found;
}

function refute(observer: number, value: string, writerOf: ReadonlyMap<string, number>, overwrites: EarliestCompletion, timing: Timing): Refutation | null {
  const start = timing.invokeTimes[observer]!;
  if (value === initial) {
    const overwriter = overwrites.completedBefore(-Infinity, start);
    return overwriter === -1 ? null : { kind: 'stale', observer, overwriter };
  }
  const writer = writerOf.get(value);
  if (writer === undefined) return { kind: 'unwritten', observer };
  if (timing.invokeTimes[writer]! > timing.completeTimes[observer]!) return { kind: 'future', observer, writer };
  const overwriter = overwrites.completedBefore(timing.completeTimes[writer]!, start);
  return overwriter === -1 ? null : { kind: 'stale', observer, writer, overwriter };
}

/** Answers: which write that certainly happened was invoked after time `after` and completed before `before`? */
class EarliestCompletion {
  /** Certain writes, by invocation time. */
  readonly #byInvoke: number[];
  /** #suffixMin[i]: the write among #byInvoke[i..] that completed first. */
  readonly #suffixMin: Int32Array;

  constructor(ops: readonly RegisterOp[], private readonly timing: Timing) {
    this.#byInvoke = [];
    for (let i = 0; i < ops.length; i++) if (timing.determinate[i] && written(ops[i]!) !== undefined) this.#byInvoke.push(i);
    this.#byInvoke.sort((a, b) => timing.invokeTimes[a]! - timing.invokeTimes[b]!);
    const n = this.#byInvoke.length;
    this.#suffixMin = new Int32Array(n + 1).fill(-1);
    for (let i = n - 1; i >= 0; i--) {
      const here = this.#byInvoke[i]!;
      const later = this.#suffixMin[i + 1]!;
      this.#suffixMin[i] = later !== -1 && timing.completeTimes[later]! < timing.completeTimes[here]! ? later : here;
    }
  }

  /** A write invoked strictly after `after` that completed strictly before `before`, or -1. */
  completedBefore(after: number, before: number): number {
    if (!Number.isFinite(after) && after > 0) return -1;
    let lo = 0;
    let hi = this.#byInvoke.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.timing.invokeTimes[this.#byInvoke[mid]!]! > after) hi = mid;
      else lo = mid + 1;
    }
    const best = this.#suffixMin[lo]!;
    return best !== -1 && this.timing.completeTimes[best]! < before ? best : -1;
  }
}
