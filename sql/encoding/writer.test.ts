import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyValueDatum, valueCanonical } from './arbitraries.test-helper.ts';
import { EncodingError } from './errors.ts';
import { encodeKeyBytes, encodeKeyDatum } from './key.ts';
import { encodedBytesMax } from './limits.ts';
import { decodeDatumValue, encodeDatumValue } from './value.ts';
import { ByteWriter } from './writer.ts';

describe('ByteWriter', () => {
  it('grows from one byte without losing what was written', () => {
    const w = new ByteWriter(1);
    for (let i = 0; i < 1000; i++) w.byte(i & 0xff);
    w.utf8('é'.repeat(3000));
    const view = w.view();
    expect(view.length).toBe(1000 + 6000);
    for (let i = 0; i < 1000; i++) expect(view[i]).toBe(i & 0xff);
    expect(view.subarray(1000).toString('utf8')).toBe('é'.repeat(3000));
  });

  it('encodes the same bytes whatever its starting capacity', () => {
    fc.assert(fc.property(anyValueDatum, fc.integer({ min: 1, max: 64 }), (d, capacity) => {
      const small = new ByteWriter(capacity);
      small.bytes(Buffer.alloc(capacity - 1, 7)); // leave one byte free so the datum must grow it
      encodeDatumValue(small, d);
      const large = new ByteWriter(4096);
      encodeDatumValue(large, d);
      expect(small.view().subarray(capacity - 1).equals(large.view())).toBe(true);
      expect(decodeDatumValue(small.view(), capacity - 1).datum).toEqual(valueCanonical(d));
    }), { numRuns: 1000 });
  });

  it('refuses to grow past encodedBytesMax, with an EncodingError', () => {
    const w = new ByteWriter(1);
    expect(() => w.reserve(encodedBytesMax + 1)).toThrow(EncodingError);
    expect(w.length).toBe(0);
  });

  it('finish copies; view aliases', () => {
    const w = new ByteWriter();
    encodeKeyDatum(w, { kind: 'int', value: 1n }, 'asc');
    const copy = w.finish();
    const view = w.view();
    w.reset();
    encodeKeyDatum(w, { kind: 'int', value: 2n }, 'asc');
    expect(copy.equals(encodeKeyBytes([{ kind: 'int', value: 1n }], ['asc']))).toBe(true);
    expect(view.equals(copy)).toBe(false);
  });

  it('invertFrom complements only the bytes after start', () => {
    const w = new ByteWriter();
    w.bytes(Buffer.from([0x00, 0x0f, 0xf0]));
    w.invertFrom(1);
    expect([...w.view()]).toEqual([0x00, 0xf0, 0x0f]);
  });
});
