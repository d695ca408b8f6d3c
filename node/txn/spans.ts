/** Span bookkeeping for the coordinator: refresh spans and lock spans, bounded by condensing. */
import { compareKeys, keyNext, type Span } from '../keys/index.ts';

/** The exclusive end of a span (a point span ends at key‖0x00). */
export function endOf(span: Span): Uint8Array {
  return span.endKey.length > 0 ? span.endKey : keyNext(span.key);
}

/** A growing set of spans; past `max` entries it condenses into one covering span (safe: larger refreshes or resolutions). */
export class SpanSet {
  #spans: Span[] = [];
  constructor(private readonly max: number) {}

  add(key: Uint8Array, endKey?: Uint8Array): void {
    this.#spans.push({ key: Buffer.from(key), endKey: endKey ? Buffer.from(endKey) : Buffer.alloc(0) });
    if (this.#spans.length > this.max) this.#condense();
  }

  get spans(): readonly Span[] {
    return this.#spans;
  }

  get size(): number {
    return this.#spans.length;
  }

  clear(): void {
    this.#spans = [];
  }

  #condense(): void {
    let lo = this.#spans[0]!.key;
    let hi = endOf(this.#spans[0]!);
    for (const s of this.#spans) {
      if (compareKeys(s.key, lo) < 0) lo = s.key;
      if (compareKeys(endOf(s), hi) > 0) hi = endOf(s);
    }
    this.#spans = [{ key: lo, endKey: hi }];
  }
}
