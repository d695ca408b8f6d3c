import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys, keyMax, keyNext } from './bytes.ts';
import {
  everythingSpan, intersectSpans, spanContainsKey, spanContainsSpan, spanEnd, spanIsEmpty, spansOverlap, type Span,
} from './span.ts';

const byteAlphabet = fc.constantFrom(0x00, 0x01, 0x61, 0x62, 0xff);
const bytes = fc.array(byteAlphabet, { maxLength: 5 }).map((a) => Buffer.from(a));
/** Non-empty spans: ordered ranges and, now and then, point spans (empty endKey). */
const span: fc.Arbitrary<Span> = fc.oneof(
  fc.tuple(bytes, bytes).filter(([a, b]) => compareKeys(a, b) !== 0).map(([a, b]) =>
    (compareKeys(a, b) < 0 ? { key: a, endKey: b } : { key: b, endKey: a })),
  bytes.map((k) => ({ key: k, endKey: Buffer.alloc(0) })),
);
const b = (s: string) => Buffer.from(s);

describe('spans', () => {
  it('are half-open', () => {
    const s = { key: b('b'), endKey: b('d') };
    expect(spanContainsKey(s, b('b'))).toBe(true);
    expect(spanContainsKey(s, Buffer.from([0x63, 0xff]))).toBe(true);
    expect(spanContainsKey(s, b('d'))).toBe(false);
    expect(spanContainsKey(s, b('a'))).toBe(false);
    expect(spansOverlap(s, { key: b('d'), endKey: b('e') })).toBe(false);
    expect(spansOverlap(s, { key: b('a'), endKey: b('b') })).toBe(false);
    expect(spansOverlap(s, { key: b('a'), endKey: b('b\x00') })).toBe(true);
  });

  it('treat an empty endKey as the single key', () => {
    const point = { key: b('k'), endKey: Buffer.alloc(0) };
    expect(Buffer.from(spanEnd(point))).toEqual(keyNext(b('k')));
    expect(spanContainsKey(point, b('k'))).toBe(true);
    expect(spanContainsKey(point, b('k\x00'))).toBe(false);
    expect(spanIsEmpty(point)).toBe(false);
    expect(spanContainsSpan({ key: b('a'), endKey: b('l') }, point)).toBe(true);
    expect(spanContainsSpan({ key: b('a'), endKey: b('k') }, point)).toBe(false);
  });

  it('report empty spans', () => {
    expect(spanIsEmpty({ key: b('b'), endKey: b('b') })).toBe(true);
    expect(spanIsEmpty({ key: b('c'), endKey: b('b') })).toBe(true);
    expect(spanIsEmpty({ key: b('b'), endKey: b('c') })).toBe(false);
  });

  it('everythingSpan holds every key below KeyMax', () => {
    fc.assert(fc.property(bytes, (k) => {
      expect(spanContainsKey(everythingSpan, k)).toBe(compareKeys(k, keyMax) < 0);
    }));
  });

  it('contain, overlap and intersect consistently', () => {
    fc.assert(fc.property(span, span, bytes, (x, y, k) => {
      const inter = intersectSpans(x, y);
      expect(inter !== null).toBe(spansOverlap(x, y));
      expect(spansOverlap(x, y)).toBe(spansOverlap(y, x));
      if (inter) {
        expect(spanIsEmpty(inter)).toBe(false);
        expect(spanContainsSpan(x, inter)).toBe(true);
        expect(spanContainsSpan(y, inter)).toBe(true);
      }
      expect(spanContainsKey(x, k) && spanContainsKey(y, k)).toBe(inter !== null && spanContainsKey(inter, k));
    }), { numRuns: 1000 });
  });

  it('containment agrees with membership of every key', () => {
    fc.assert(fc.property(span, span, fc.array(bytes, { maxLength: 20 }), (outer, inner, probes) => {
      if (!spanContainsSpan(outer, inner)) return;
      for (const k of [inner.key, ...probes]) {
        if (spanContainsKey(inner, k)) expect(spanContainsKey(outer, k)).toBe(true);
      }
      expect(spansOverlap(outer, inner)).toBe(true);
    }), { numRuns: 1000 });
  });
});
