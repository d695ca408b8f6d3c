/** Half-open key spans [key, endKey) and the set operations ranges and requests need. */
import { compareKeys } from './bytes.ts';

export interface Span {
  readonly key: Uint8Array;
  /** Exclusive; an empty endKey means the span is the single key `key`. */
  readonly endKey: Uint8Array;
}

function end(span: Span): Uint8Array {
  if (span.endKey.length > 0) return span.endKey;
  const out = new Uint8Array(span.key.length + 1);
  out.set(span.key, 0);
  return out;
}

export function spanContainsKey(span: Span, key: Uint8Array): boolean {
  return compareKeys(span.key, key) <= 0 && compareKeys(key, end(span)) < 0;
}

export function spanContainsSpan(outer: Span, inner: Span): boolean {
  return compareKeys(outer.key, inner.key) <= 0 && compareKeys(end(inner), end(outer)) <= 0;
}

export function spansOverlap(a: Span, b: Span): boolean {
  return compareKeys(a.key, end(b)) < 0 && compareKeys(b.key, end(a)) < 0;
}

/** The overlap of two spans, or null when they do not overlap. */
export function intersectSpans(a: Span, b: Span): Span | null {
  if (!spansOverlap(a, b)) return null;
  const key = compareKeys(a.key, b.key) >= 0 ? a.key : b.key;
  const endKey = compareKeys(end(a), end(b)) <= 0 ? end(a) : end(b);
  return { key, endKey };
}

export function spanIsEmpty(span: Span): boolean {
  return span.endKey.length > 0 && compareKeys(span.key, span.endKey) >= 0;
}
