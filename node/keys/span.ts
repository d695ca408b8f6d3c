/**
 * Half-open key spans [key, endKey) and the set operations ranges, latches
 * and requests need. An empty endKey means the span holds the single key
 * `key` (CockroachDB's convention for point requests), i.e. [key, key ‖ 0x00).
 */
import { compareKeys, keyMax, keyMin } from './bytes.ts';

export interface Span {
  readonly key: Uint8Array;
  /** Exclusive; an empty endKey means the span is the single key `key`. */
  readonly endKey: Uint8Array;
}

/** The whole key space, local keys included: [KeyMin, KeyMax). */
export const everythingSpan: Span = Object.freeze({ key: keyMin, endKey: keyMax });

/** The exclusive end of `span`, materialising `key ‖ 0x00` for a point span. */
export function spanEnd(span: Span): Uint8Array {
  if (span.endKey.length > 0) return span.endKey;
  const out = new Uint8Array(span.key.length + 1);
  out.set(span.key, 0);
  return out;
}

/** Whether `key` lies in [span.key, span.endKey). */
export function spanContainsKey(span: Span, key: Uint8Array): boolean {
  return compareKeys(span.key, key) <= 0 && compareKeys(key, spanEnd(span)) < 0;
}

/** Whether every key of `inner` lies in `outer`. */
export function spanContainsSpan(outer: Span, inner: Span): boolean {
  return compareKeys(outer.key, inner.key) <= 0 && compareKeys(spanEnd(inner), spanEnd(outer)) <= 0;
}

/** Whether some key lies in both spans (spans that only touch do not overlap). */
export function spansOverlap(a: Span, b: Span): boolean {
  return compareKeys(a.key, spanEnd(b)) < 0 && compareKeys(b.key, spanEnd(a)) < 0;
}

/** The overlap of two spans, or null when they do not overlap. */
export function intersectSpans(a: Span, b: Span): Span | null {
  if (!spansOverlap(a, b)) return null;
  const key = compareKeys(a.key, b.key) >= 0 ? a.key : b.key;
  const endKey = compareKeys(spanEnd(a), spanEnd(b)) <= 0 ? spanEnd(a) : spanEnd(b);
  return { key, endKey };
}

/** Whether a span holds no key: endKey at or before key (a point span is never empty). */
export function spanIsEmpty(span: Span): boolean {
  return span.endKey.length > 0 && compareKeys(span.key, span.endKey) >= 0;
}
