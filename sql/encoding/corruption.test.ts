/**
 * Damaged bytes either decode or throw EncodingError: never another
 * exception, never a hang. Decoders accept only canonical encodings, so
 * whatever damaged bytes do decode to re-encodes to exactly the bytes read:
 * a flipped bit can change a value, but can never produce bytes that the
 * encoder would not have written.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyValueDatum, datumOf, keyKinds, nullable } from './arbitraries.test-helper.ts';
import type { Datum } from './datum.ts';
import { EncodingError } from './errors.ts';
import { decodeKey, encodeKey, encodeKeyBytes, KeyReader, type Direction } from './key.ts';
import { decodeRowValue, encodeRowValue, RowValueDecoder, type ColumnValue } from './row.ts';
import { decodeDatumValue, encodeDatumValue } from './value.ts';
import { ByteWriter } from './writer.ts';

type Damage =
  | { type: 'flip'; at: number; mask: number }
  | { type: 'set'; at: number; byte: number }
  | { type: 'truncate'; at: number }
  | { type: 'insert'; at: number; byte: number }
  | { type: 'delete'; at: number };

const position = fc.nat({ max: 1 << 16 });
const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ type: fc.constant('flip' as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ type: fc.constant('set' as const), at: position, byte: fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff) }),
  fc.record({ type: fc.constant('truncate' as const), at: position }),
  fc.record({ type: fc.constant('insert' as const), at: position, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ type: fc.constant('delete' as const), at: position }),
);

function apply(bytes: Buffer, damages: readonly Damage[]): Buffer {
  let out = Buffer.from(bytes);
  for (const d of damages) {
    const at = out.length === 0 ? 0 : d.at % out.length;
    switch (d.type) {
      case 'flip': if (out.length > 0) out[at] = out[at]! ^ d.mask; break;
      case 'set': if (out.length > 0) out[at] = d.byte; break;
      case 'truncate': out = out.subarray(0, at); break;
      case 'insert': out = Buffer.concat([out.subarray(0, at), Buffer.from([d.byte]), out.subarray(at)]); break;
      case 'delete': out = Buffer.concat([out.subarray(0, at), out.subarray(at + 1)]); break;
    }
  }
  return out;
}

/** Runs `decode`; anything thrown must be an EncodingError. Returns whether it decoded. */
function decodesOrRefuses(decode: () => void): boolean {
  try {
    decode();
    return true;
  } catch (error) {
    if (!(error instanceof EncodingError)) throw error;
    return false;
  }
}

const direction = fc.constantFrom<Direction>('asc', 'desc');
const keyCase = fc.array(fc.tuple(fc.constantFrom(...keyKinds), direction), { minLength: 1, maxLength: 4 }).chain((cols) =>
  fc.tuple(fc.constant(cols), fc.tuple(...cols.map(([kind]) => nullable(datumOf(kind))))));

describe('damaged keys', () => {
  it('decode canonically or throw EncodingError', () => {
    fc.assert(fc.property(keyCase, fc.array(damage, { minLength: 1, maxLength: 3 }), fc.boolean(), ([cols, row], damages, typed) => {
      const directions = cols.map(([, dir]) => dir);
      const bytes = apply(encodeKeyBytes(row, directions), damages);
      const kinds = typed ? cols.map(([kind]) => kind) : undefined;
      let decoded: { datums: Datum[]; end: number } | undefined;
      decodesOrRefuses(() => {
        decoded = decodeKey(bytes, 0, kinds ? { directions, kinds } : { directions });
      });
      if (decoded) {
        const w = new ByteWriter();
        encodeKey(w, decoded.datums, directions);
        expect(w.view().equals(bytes.subarray(0, decoded.end))).toBe(true);
      }
      decodesOrRefuses(() => {
        const reader = new KeyReader(bytes);
        for (const dir of directions) reader.skip(dir);
      });
    }), { numRuns: 3000 });
  });

  it('random bytes decode canonically or throw EncodingError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), fc.array(direction, { minLength: 1, maxLength: 4 }), (raw, directions) => {
      const bytes = Buffer.from(raw);
      let decoded: { datums: Datum[]; end: number } | undefined;
      decodesOrRefuses(() => {
        decoded = decodeKey(bytes, 0, { directions });
      });
      if (decoded) {
        const w = new ByteWriter();
        encodeKey(w, decoded.datums, directions);
        expect(w.view().equals(bytes.subarray(0, decoded.end))).toBe(true);
      }
    }), { numRuns: 5000 });
  });
});

const rowCase = fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 6 }).chain((ids) =>
  fc.tuple(...[...ids].sort((a, b) => a - b).map((columnId) => anyValueDatum.map((datum): ColumnValue => ({ columnId, datum })))));

function encodeRow(columns: readonly ColumnValue[]): Buffer {
  const w = new ByteWriter();
  encodeRowValue(w, columns);
  return w.finish();
}

describe('damaged values', () => {
  it('row values decode canonically or throw EncodingError', () => {
    const wanted = fc.uniqueArray(fc.integer({ min: 1, max: 30 }), { maxLength: 4 });
    fc.assert(fc.property(rowCase, fc.array(damage, { minLength: 1, maxLength: 3 }), wanted, (columns, damages, ids) => {
      const bytes = apply(encodeRow(columns), damages);
      let decoded: ColumnValue[] | undefined;
      decodesOrRefuses(() => {
        decoded = decodeRowValue(bytes);
      });
      if (decoded) expect(encodeRow(decoded).equals(bytes)).toBe(true);
      decodesOrRefuses(() => new RowValueDecoder(ids).decode(bytes, []));
    }), { numRuns: 3000 });
  });

  it('single values decode canonically or throw EncodingError', () => {
    fc.assert(fc.property(anyValueDatum, fc.array(damage, { minLength: 1, maxLength: 3 }), (datum, damages) => {
      const w = new ByteWriter();
      encodeDatumValue(w, datum);
      const bytes = apply(w.finish(), damages);
      let decoded: { datum: Datum; end: number } | undefined;
      decodesOrRefuses(() => {
        decoded = decodeDatumValue(bytes, 0);
      });
      if (decoded) {
        const again = new ByteWriter();
        encodeDatumValue(again, decoded.datum);
        expect(again.view().equals(bytes.subarray(0, decoded.end))).toBe(true);
      }
    }), { numRuns: 3000 });
  });

  it('random bytes as a row value decode canonically or throw EncodingError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 60 }), (raw) => {
      const bytes = Buffer.from(raw);
      let decoded: ColumnValue[] | undefined;
      decodesOrRefuses(() => {
        decoded = decodeRowValue(bytes);
      });
      if (decoded) expect(encodeRow(decoded).equals(bytes)).toBe(true);
    }), { numRuns: 5000 });
  });

  it('huge claimed lengths are refused without allocating them', () => {
    // string tag with a 2^40 length prefix
    const w = new ByteWriter();
    w.bytes(Buffer.from([0x06, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]));
    expect(() => decodeDatumValue(w.view())).toThrow(EncodingError);
    // an array claiming a million elements in three bytes
    expect(() => decodeDatumValue(Buffer.from([0x0f, 0x02, 0x03, 0xc0, 0x84, 0x3d]))).toThrow(EncodingError);
  });
});
