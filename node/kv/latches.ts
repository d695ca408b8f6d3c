/**
 * Latches serialise requests whose key spans overlap on a replica: a write
 * holds its span's latch from evaluation until its command is applied, so a
 * later overlapping request evaluates against the applied result. Reads take
 * shared latches: they wait for overlapping writes in flight (so a read never
 * misses a write evaluated before it but not yet applied) but not for each
 * other. Point keys are the span [key, key‖0x00).
 */
import { compareKeys, keyNext } from '../keys/index.ts';

export interface LatchSpan {
  readonly key: Uint8Array;
  /** Exclusive end; absent for a single key. */
  readonly endKey?: Uint8Array;
  /** A shared latch (reads); exclusive by default. */
  readonly read?: boolean;
}

interface Holder {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
  readonly read: boolean;
  readonly released: Promise<void>;
}

function conflicts(a: Holder, b: Holder): boolean {
  if (a.read && b.read) return false;
  return compareKeys(a.start, b.end) < 0 && compareKeys(b.start, a.end) < 0;
}

export class LatchManager {
  #holders: Holder[] = [];

  /** Waits for earlier overlapping holders; returns the release function. */
  async acquire(spans: readonly (LatchSpan | Uint8Array)[]): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const mine: Holder[] = spans.map((s) => {
      const span = s instanceof Uint8Array ? { key: s } : s;
      const read = 'read' in span && span.read === true;
      return { start: span.key, end: span.endKey && span.endKey.length > 0 ? span.endKey : keyNext(span.key), read, released };
    });
    const waits = new Set<Promise<void>>();
    for (const h of this.#holders) if (mine.some((m) => conflicts(m, h))) waits.add(h.released);
    this.#holders.push(...mine);
    await Promise.all(waits);
    return () => {
      this.#holders = this.#holders.filter((h) => h.released !== released);
      release();
    };
  }

  /** Spans with latches held or queued. */
  get size(): number {
    return this.#holders.length;
  }
}
