import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CopyCsvParser, CopyTextParser, formatCopyCsvRow, formatCopyTextRow, type CopyRow } from './copy.ts';
import { SqlError } from './errors.ts';

/** Feeds `data` to a parser in chunks cut at `cuts` (byte offsets). */
function parseChunked(parser: CopyTextParser | CopyCsvParser, data: Buffer, cuts: number[]): CopyRow[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const rows: CopyRow[] = [];
  let at = 0;
  for (const p of [...points, data.length]) {
    rows.push(...parser.push(data.subarray(at, p)));
    at = p;
  }
  rows.push(...parser.end());
  return rows;
}

const field = fc.option(fc.string({ unit: 'grapheme', maxLength: 12 }), { nil: null });
const rowsArb = fc.array(fc.array(field, { minLength: 1, maxLength: 5 }), { maxLength: 6 });

describe('COPY text format', () => {
  it('CopyTextParser decodes escapes and NULL', () => {
    const p = new CopyTextParser();
    const rows = p.push(Buffer.from('1\ta\\tb\t\\N\n2\t\\\\N\t\\101\\x41\\q\r\n'));
    expect(rows).toEqual([['1', 'a\tb', null], ['2', '\\N', 'AAq']]);
  });
  it('CopyTextParser stops at the end marker', () => {
    const p = new CopyTextParser();
    expect(p.push(Buffer.from('x\n\\.\nignored\n'))).toEqual([['x']]);
    expect(p.ended).toBe(true);
    expect(p.push(Buffer.from('more\n'))).toEqual([]);
  });
  it('CopyTextParser keeps a last line without newline', () => {
    const p = new CopyTextParser({ delimiter: '|' });
    expect(p.push(Buffer.from('a|b\nc|'))).toEqual([['a', 'b']]);
    expect(p.end()).toEqual([['c', '']]);
  });
  it('CopyTextParser rejects invalid UTF-8', () => {
    const p = new CopyTextParser();
    expect(() => p.push(Buffer.from([0xff, 0x0a]))).toThrow(SqlError);
  });
  it('text rows round-trip at any chunking', () => {
    fc.assert(
      fc.property(rowsArb, fc.array(fc.nat(), { maxLength: 6 }), (rows, cuts) => {
        const data = Buffer.from(rows.map((r) => formatCopyTextRow(r)).join(''));
        expect(parseChunked(new CopyTextParser(), data, cuts)).toEqual(rows);
      }),
    );
  });
  it('formatCopyTextRow escapes specials and the delimiter', () => {
    expect(formatCopyTextRow(['a\tb', null, 'c\\d', 'e\nf'])).toBe('a\\tb\t\\N\tc\\\\d\te\\nf\n');
    expect(formatCopyTextRow(['a|b'], { delimiter: '|' })).toBe('a\\|b\n');
  });
});

describe('COPY CSV format', () => {
  it('CopyCsvParser handles quotes, doubled quotes, NULL and multi-line fields', () => {
    const p = new CopyCsvParser({ header: true });
    const rows = p.push(Buffer.from('id,name\n1,"a,b"\n2,\n3,""\n4,"say ""hi"""\n5,"two\nlines"\r\n'));
    expect(rows).toEqual([['1', 'a,b'], ['2', null], ['3', ''], ['4', 'say "hi"'], ['5', 'two\nlines']]);
  });
  it('CopyCsvParser with a distinct escape character', () => {
    const p = new CopyCsvParser({ escape: '\\' });
    expect(p.push(Buffer.from('"a\\"b","c\\\\d"\n'))).toEqual([['a"b', 'c\\d']]);
  });
  it('CopyCsvParser rejects an unterminated quote', () => {
    const p = new CopyCsvParser();
    p.push(Buffer.from('"abc'));
    expect(() => p.end()).toThrow(SqlError);
  });
  it('CSV rows round-trip at any chunking', () => {
    fc.assert(
      fc.property(rowsArb, fc.array(fc.nat(), { maxLength: 6 }), (rows, cuts) => {
        // A single NULL field prints as an empty line, which is a row of one NULL: fine; but a row
        // whose only field is the empty string must stay quoted, which the formatter ensures.
        const data = Buffer.from(rows.map((r) => formatCopyCsvRow(r)).join(''));
        expect(parseChunked(new CopyCsvParser(), data, cuts)).toEqual(rows);
      }),
    );
  });
  it('formatCopyCsvRow quotes only when needed', () => {
    expect(formatCopyCsvRow(['a', 'b,c', '', null, 'x"y', '\\.'])).toBe('a,"b,c","",,"x""y","\\."\n');
    expect(formatCopyCsvRow(['a'], { forceQuote: true })).toBe('"a"\n');
  });
});
