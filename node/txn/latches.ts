/**
 * Span latches for the in-process sender: overlapping requests evaluate one
 * at a time (reads share). The replica has its own; this one serves the
 * harness only.
 */
import { compareKeys, keyNext } from '../keys/index.ts';

interface Holder {
  readonly start: Uint8Array;
  readonly end: Uint8Array;
  readonly read: boolean;
  readonly released: Promise<void>;
}

export interface LatchSpan {
  readonly key: Uint8Array;
  readonly endKey?: Uint8Array;
  readonly read: boolean;
}

export class SpanLatches {
  #holders: Holder[] = [];

  async acquire(spans: readonly LatchSpan[]): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => { release = resolve; });
    const mine = spans.map((s) => ({
      start: s.key, end: s.endKey && s.endKey.length > 0 ? s.endKey : keyNext(s.key), read: s.read, released,
    }));
    const waits = new Set<Promise<void>>();
    for (const h of this.#holders) {
      if (mine.some((m) => !(m.read && h.read) && compareKeys(m.start, h.end) < 0 && compareKeys(h.start, m.end) < 0)) waits.add(h.released);
    }
    this.#holders.push(...mine);
    await Promise.all(waits);
    return () => {
      this.#holders = this.#holders.filter((h) => h.released !== released);
      release();
    };
  }
}
