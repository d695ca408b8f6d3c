import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyValueDatum, valueCanonical } from './arbitraries.test-helper.ts';
import type { Datum } from './datum.ts';
import { parseDecimal } from './decimal.ts';
import { EncodingError } from './errors.ts';
import { decodeRowValue, encodeRowValue, RowValueBuilder, RowValueDecoder, type ColumnValue } from './row.ts';
import { decodeDatumValue, encodeDatumValue } from './value.ts';
import { ByteWriter } from './writer.ts';

function value(d: Datum): Buffer {
  const w = new ByteWriter(8);
  encodeDatumValue(w, d);
  return w.finish();
}

/** Rows with ascending, distinct column IDs (gaps and large jumps included) and some NULLs. */
const row = fc
  .uniqueArray(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 ** 31 - 1 })), { maxLength: 8 })
  .chain((ids) => {
    const sorted = [...ids].sort((a, b) => a - b);
    return fc.tuple(...sorted.map((columnId) =>
      fc.oneof({ weight: 5, arbitrary: anyValueDatum }, { weight: 1, arbitrary: fc.constant<Datum>({ kind: 'null' }) })
        .map((datum): ColumnValue => ({ columnId, datum }))));
  });

function encodeRow(columns: readonly ColumnValue[]): Buffer {
  const w = new ByteWriter(8);
  encodeRowValue(w, columns);
  return w.finish();
}

describe('value encoding of one datum', () => {
  it('round trips every kind exactly (scale, -0, interval fields, arrays, json)', () => {
    fc.assert(fc.property(anyValueDatum, (d) => {
      const bytes = value(d);
      const { datum, end } = decodeDatumValue(bytes, 0);
      expect(end).toBe(bytes.length);
      expect(datum).toEqual(valueCanonical(d));
      if (d.kind === 'float') expect(Object.is((datum as typeof d).value, d.value)).toBe(true);
    }), { numRuns: 3000 });
  });

  it('keeps a decimal\'s scale: 1.10 stays 1.10', () => {
    const d: Datum = { kind: 'decimal', value: parseDecimal('1.10') };
    expect(decodeDatumValue(value(d)).datum).toEqual({ kind: 'decimal', value: { kind: 'finite', coefficient: 110n, scale: 2 } });
  });

  it('stores every NaN as one bit pattern and refuses others', () => {
    const negativeNaN = new Float64Array(new Uint32Array([0, 0xfff80001]).buffer)[0]!;
    expect(Number.isNaN(negativeNaN)).toBe(true);
    expect(value({ kind: 'float', value: negativeNaN }).equals(value({ kind: 'float', value: NaN }))).toBe(true);
    const odd = Buffer.from([4, 0x7f, 0xf8, 0, 0, 0, 0, 0, 1]);
    expect(() => decodeDatumValue(odd)).toThrow(EncodingError);
  });

  it('refuses mixed-kind arrays and over-deep nesting', () => {
    const w = new ByteWriter();
    const mixed: Datum = { kind: 'array', elementKind: 'int', values: [{ kind: 'string', value: 'x' }] };
    expect(() => encodeDatumValue(w, mixed)).toThrow(EncodingError);
    let deep: Datum = { kind: 'array', elementKind: 'int', values: [] };
    for (let i = 0; i < 6; i++) deep = { kind: 'array', elementKind: 'array', values: [deep] };
    expect(() => encodeDatumValue(w, deep)).toThrow(EncodingError);
    expect(w.length).toBe(0);
  });
});

describe('row values', () => {
  it('round trip, omitting NULL columns', () => {
    fc.assert(fc.property(row, (columns) => {
      const decoded = decodeRowValue(encodeRow(columns));
      const expected = columns.filter((c) => c.datum.kind !== 'null').map((c) => ({ columnId: c.columnId, datum: valueCanonical(c.datum) }));
      expect(decoded).toEqual(expected);
    }), { numRuns: 1000 });
  });

  it('RowValueDecoder returns the wanted columns (in asked order), NULL when absent, skipping the rest', () => {
    const wanted = fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 2 ** 31 - 1 })), { maxLength: 6 });
    fc.assert(fc.property(row, wanted, (columns, ids) => {
      const decoder = new RowValueDecoder(ids);
      const out: Datum[] = [{ kind: 'int', value: 99n }]; // stale contents are overwritten
      decoder.decode(encodeRow(columns), out);
      const byId = new Map(columns.map((c) => [c.columnId, c.datum]));
      expect(out).toEqual(ids.map((id) => valueCanonical(byId.get(id) ?? { kind: 'null' })));
    }), { numRuns: 1000 });
  });

  it('an old reader skips columns added after it, and a new reader sees old rows\' new columns as NULL', () => {
    const oldRow = encodeRow([{ columnId: 1, datum: { kind: 'int', value: 1n } }, { columnId: 2, datum: { kind: 'string', value: 'two' } }]);
    const newRow = encodeRow([
      { columnId: 1, datum: { kind: 'int', value: 1n } },
      { columnId: 2, datum: { kind: 'string', value: 'two' } },
      { columnId: 7, datum: { kind: 'array', elementKind: 'json', values: [{ kind: 'json', value: '{"a":1}' }] } },
    ]);
    const oldReader = new RowValueDecoder([2, 1]);
    const out: Datum[] = [];
    oldReader.decode(newRow, out);
    expect(out).toEqual([{ kind: 'string', value: 'two' }, { kind: 'int', value: 1n }]);
    const newReader = new RowValueDecoder([7]);
    newReader.decode(oldRow, out);
    expect(out).toEqual([{ kind: 'null' }]);
  });

  it('stops reading after the last wanted column (corruption past it goes unread)', () => {
    const bytes = encodeRow([{ columnId: 1, datum: { kind: 'int', value: 5n } }, { columnId: 2, datum: { kind: 'int', value: 6n } }]);
    const corrupt = Buffer.concat([bytes, Buffer.from([0xff])]);
    const out: Datum[] = [];
    new RowValueDecoder([1]).decode(corrupt, out);
    expect(out).toEqual([{ kind: 'int', value: 5n }]);
    expect(() => decodeRowValue(corrupt)).toThrow(EncodingError);
  });

  it('is compact: consecutive small columns take a header byte and a payload byte', () => {
    const bytes = encodeRow([1, 2, 3].map((columnId) => ({ columnId, datum: { kind: 'int', value: columnId } })));
    expect(bytes.length).toBe(6);
  });

  it('RowValueBuilder requires ascending IDs and leaves the row intact when a datum is refused', () => {
    const w = new ByteWriter();
    const builder = new RowValueBuilder(w);
    builder.begin();
    builder.add(1, { kind: 'int', value: 1n });
    expect(() => builder.add(1, { kind: 'int', value: 2n })).toThrow(/ascend/);
    expect(() => builder.add(2, { kind: 'uuid', value: Buffer.alloc(3) })).toThrow(EncodingError);
    builder.add(3, { kind: 'bool', value: true });
    expect(decodeRowValue(w.view())).toEqual([
      { columnId: 1, datum: { kind: 'int', value: 1n } },
      { columnId: 3, datum: { kind: 'bool', value: true } },
    ]);
  });
});
