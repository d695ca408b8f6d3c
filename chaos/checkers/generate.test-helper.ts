/**
 * Histories generated from a real serial execution: each operation takes
 * effect at a linearization point, and its recorded window (invocation to
 * completion) is stretched randomly around that point, so the history is
 * concurrent yet known to be linearizable (and serializable). Indeterminate
 * operations may have taken effect or not; failed ones did not.
 */
import type { HistoryEvent, HistoryValue } from '../history/event.ts';

export type Rng = () => number;

/** A seeded PRNG in [0, 1) (mulberry32). */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rng, n: number) => Math.floor(r() * n);

export interface Planned {
  readonly f: string;
  readonly input: HistoryValue;
  /** The ok output, or null for fail/info. */
  readonly output: HistoryValue;
  readonly status: 'ok' | 'fail' | 'info';
}

export interface WindowOptions {
  /** Nanoseconds between consecutive linearization points. */
  readonly spacing: number;
  /** Largest stretch of a window on either side of its point; concurrency ≈ windowMax / spacing. */
  readonly windowMax: number;
}

/**
 * Lays planned operations (in serial order) out in time and assigns
 * processes so that each process runs one operation at a time.
 */
export function layOut(plan: readonly Planned[], r: Rng, options: WindowOptions): HistoryEvent[] {
  const base = options.windowMax + 1;
  const windows = plan.map((p, i) => {
    const point = base + i * options.spacing;
    return { p, invoke: point - 1 - int(r, options.windowMax), complete: point + 1 + int(r, options.windowMax) };
  });
  const byInvoke = [...windows].sort((a, b) => a.invoke - b.invoke);
  const busyUntil: number[] = [];
  const events: Array<Omit<HistoryEvent, 'index'>> = [];
  for (const w of byInvoke) {
    let process = busyUntil.findIndex((t) => t < w.invoke);
    if (process === -1) process = busyUntil.push(0) - 1;
    busyUntil[process] = w.complete;
    events.push({ type: 'invoke', process, f: w.p.f, value: w.p.input, time: w.invoke });
    events.push({ type: w.p.status, process, f: w.p.f, value: w.p.status === 'ok' ? w.p.output : w.p.input, time: w.complete });
  }
  events.sort((a, b) => a.time - b.time || (a.type === 'invoke' ? 1 : 0) - (b.type === 'invoke' ? 1 : 0));
  return events.map((e, index) => ({ ...e, index }));
}

export interface RegisterPlanOptions {
  readonly ops: number;
  readonly cas: boolean;
  /** Distinct keys (kv model) or 0 for a single register. */
  readonly keys: number;
  readonly infoRate: number;
  readonly failRate: number;
}

/** A serial execution of reads, writes and (optionally) CASes on registers. */
export function planRegister(r: Rng, options: RegisterPlanOptions): Planned[] {
  const state = new Map<number, HistoryValue>();
  const plan: Planned[] = [];
  let unique = 0;
  for (let i = 0; i < options.ops; i++) {
    const key = options.keys > 0 ? int(r, options.keys) : 0;
    const wrap = (v: HistoryValue): HistoryValue => (options.keys > 0 ? [`k${key}`, v] : v);
    const current = state.get(key) ?? null;
    const roll = r();
    const status: Planned['status'] = r() < options.infoRate ? 'info' : 'ok';
    if (roll < 0.45) {
      plan.push({ f: 'read', input: wrap(null), output: status === 'ok' ? wrap(current) : null, status });
      continue;
    }
    const value = ++unique;
    if (options.cas && roll < 0.75) {
      const expected = r() < 0.6 ? current : -value;
      const applies = expected === current && (status === 'ok' || r() < 0.5);
      if (applies) state.set(key, value);
      // A CAS whose expectation did not hold failed: it certainly did not happen.
      const recorded = expected !== current ? 'fail' : status;
      plan.push({ f: 'cas', input: wrap([expected, value]), output: wrap([expected, value]), status: recorded });
      continue;
    }
    if (status === 'ok' && r() < options.failRate) {
      plan.push({ f: 'write', input: wrap(value), output: null, status: 'fail' });
      continue;
    }
    if (status === 'ok' || r() < 0.5) state.set(key, value);
    plan.push({ f: 'write', input: wrap(value), output: wrap(value), status });
  }
  return plan;
}

export interface ListAppendPlanOptions {
  readonly txns: number;
  readonly keys: number;
  readonly microOpsMax: number;
  readonly infoRate: number;
  readonly failRate: number;
}

/** A serial execution of list-append transactions. */
export function planListAppend(r: Rng, options: ListAppendPlanOptions): Planned[] {
  const lists = new Map<string, number[]>();
  const plan: Planned[] = [];
  let unique = 0;
  for (let i = 0; i < options.txns; i++) {
    const roll = r();
    const status: Planned['status'] = roll < options.failRate ? 'fail' : roll < options.failRate + options.infoRate ? 'info' : 'ok';
    const applies = status === 'ok' || (status === 'info' && r() < 0.5);
    const scratch = new Map<string, number[]>();
    const view = (k: string) => scratch.get(k) ?? [...(lists.get(k) ?? [])];
    const input: HistoryValue[] = [];
    const output: HistoryValue[] = [];
    const n = 1 + int(r, options.microOpsMax);
    for (let j = 0; j < n; j++) {
      const key = `k${int(r, options.keys)}`;
      if (r() < 0.5) {
        input.push(['r', key, null]);
        output.push(['r', key, [...view(key)]]);
      } else {
        const elem = ++unique;
        scratch.set(key, [...view(key), elem]);
        input.push(['append', key, elem]);
        output.push(['append', key, elem]);
      }
    }
    if (applies) for (const [k, l] of scratch) lists.set(k, l);
    plan.push({ f: 'txn', input, output, status });
  }
  return plan;
}
