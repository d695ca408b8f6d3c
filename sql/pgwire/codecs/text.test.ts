import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.ts';
import { int4ArrayOid, textArrayOid, int8ArrayOid, numericArrayOid, int4Oid, textOid } from './oids.ts';
import { codecFor, fallbackCodec, formatText, parseBinary, parseText } from './registry.ts';
import { byteaCodec, jsonbCodec, textCodec, uuidCodec } from './text.ts';
import { binaryOf, hex, textOf } from './test-helpers.test-helper.ts';
import { oid } from './oids.ts';
import type { Codec } from './codec.ts';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e.code;
    throw e;
  }
  return undefined;
}

function codec(typeOid: typeof int4Oid): Codec {
  const c = codecFor(typeOid);
  if (c === undefined) throw new Error(`no codec for ${typeOid}`);
  return c;
}

describe('text-like codecs', () => {
  it('textCodec writes UTF-8 and rejects invalid binary UTF-8', () => {
    expect(hex(binaryOf(textCodec, 'é'))).toBe('c3a9');
    expect(textCodec.parseBinary(Buffer.from('c3a9', 'hex'))).toBe('é');
    expect(codeOf(() => textCodec.parseBinary(Buffer.from('c3', 'hex')))).toBe('22021');
  });
  it('jsonbCodec prefixes the version byte', () => {
    expect(hex(binaryOf(jsonbCodec, '{}'))).toBe('017b7d');
    expect(textOf(jsonbCodec, { a: [1] })).toBe('{"a":[1]}');
    expect(jsonbCodec.parseBinary(Buffer.from('017b7d', 'hex'))).toBe('{}');
    expect(codeOf(() => jsonbCodec.parseBinary(Buffer.from('027b7d', 'hex')))).toBe('22P03');
  });
});

describe('bytea codec', () => {
  it('byteaCodec writes hex text', () => {
    expect(textOf(byteaCodec, Buffer.from([1, 2, 255]))).toBe('\\x0102ff');
    expect(textOf(byteaCodec, new Uint8Array(0))).toBe('\\x');
  });
  it('byteaCodec parses hex and escape formats', () => {
    expect(hex(byteaCodec.parseText('\\x01 02FF'))).toBe('0102ff');
    expect(hex(byteaCodec.parseText('a\\\\b\\001\\377'))).toBe('615c6201ff');
    expect(codeOf(() => byteaCodec.parseText('\\x0'))).toBe('22P02');
    expect(codeOf(() => byteaCodec.parseText('\\xzz'))).toBe('22P02');
    expect(codeOf(() => byteaCodec.parseText('\\9'))).toBe('22P02');
  });
  it('byteaCodec round-trips random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(hex(byteaCodec.parseText(textOf(byteaCodec, bytes)))).toBe(hex(bytes));
        expect(hex(byteaCodec.parseBinary(binaryOf(byteaCodec, bytes)))).toBe(hex(bytes));
      }),
    );
  });
});

describe('uuid codec', () => {
  it('uuidCodec accepts the spellings uuid_in accepts', () => {
    const canonical = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
    for (const t of [
      'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}', 'a0eebc999c0b4ef8bb6d6bb9bd380a11',
      'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11',
    ]) {
      expect(textOf(uuidCodec, uuidCodec.parseText(t))).toBe(canonical);
    }
    expect(hex(binaryOf(uuidCodec, canonical))).toBe('a0eebc999c0b4ef8bb6d6bb9bd380a11');
    for (const bad of ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11', '-a0eebc999c0b4ef8bb6d6bb9bd380a11']) {
      expect(codeOf(() => uuidCodec.parseText(bad))).toBe('22P02');
    }
  });
});

describe('array codecs', () => {
  it('text arrays quote what must be quoted', () => {
    const c = codec(textArrayOid);
    expect(textOf(c, ['a', 'b c', '', 'NULL', 'null', 'q"x', 'b\\s', null, '{', 'é'])).toBe(
      '{a,"b c","","NULL","null","q\\"x","b\\\\s",NULL,"{",é}',
    );
    expect(textOf(c, [])).toBe('{}');
  });
  it('array text input handles quotes, NULL, spaces and bounds', () => {
    const c = codec(textArrayOid);
    expect(c.parseText('{a, "b c" ,"",NULL,"NULL", x y ,"q\\"x"}')).toEqual(['a', 'b c', '', null, 'NULL', 'x y', 'q"x']);
    expect(c.parseText('[0:1]={a,b}')).toEqual(['a', 'b']);
    expect(c.parseText('{}')).toEqual([]);
    expect(codec(int4ArrayOid).parseText('{1, 2,NULL}')).toEqual([1, 2, null]);
    expect(codeOf(() => c.parseText('{{a},{b}}'))).toBe('0A000');
    expect(codeOf(() => c.parseText('{a,}'))).toBe('22P02');
    expect(codeOf(() => c.parseText('{"a"b}'))).toBe('22P02');
    expect(codeOf(() => c.parseText('a,b'))).toBe('22P02');
  });
  it('text arrays round-trip arbitrary strings', () => {
    const c = codec(textArrayOid);
    fc.assert(
      fc.property(fc.array(fc.option(fc.string({ unit: 'grapheme' }), { nil: null }), { maxLength: 8 }), (values) => {
        expect(c.parseText(textOf(c, values))).toEqual(values);
        expect(c.parseBinary(binaryOf(c, values))).toEqual(values);
      }),
    );
  });
  it('int4 array binary matches array_send', () => {
    expect(hex(binaryOf(codec(int4ArrayOid), [1, null]))).toBe(
      '00000001' + '00000001' + '00000017' + '00000002' + '00000001' + '00000004' + '00000001' + 'ffffffff',
    );
    expect(hex(binaryOf(codec(int4ArrayOid), []))).toBe('000000000000000000000017');
  });
  it('array binary input checks the element type and shape', () => {
    const c = codec(int4ArrayOid);
    expect(codeOf(() => c.parseBinary(Buffer.from('000000010000000000000019' + '0000000100000001', 'hex')))).toBe('42804');
    expect(codeOf(() => c.parseBinary(Buffer.from('000000020000000000000017', 'hex')))).toBe('0A000');
    expect(codeOf(() => c.parseBinary(Buffer.from('000000010000000000000017' + '0000000200000001' + '00000004', 'hex')))).toBe('22P03');
  });
  it('int8 and numeric arrays round-trip through binary', () => {
    expect(codec(int8ArrayOid).parseBinary(binaryOf(codec(int8ArrayOid), [1n, -2n, null]))).toEqual([1n, -2n, null]);
    const n = codec(numericArrayOid);
    expect(textOf(n, n.parseBinary(binaryOf(n, '{1.50,NaN,-3}')))).toBe('{1.50,NaN,-3}');
  });
});

describe('codec registry', () => {
  it('formatText and parseText go by OID', () => {
    expect(formatText(int4Oid, 7)).toBe('7');
    expect(parseText(int4Oid, '7')).toBe(7);
    expect(parseBinary(textOid, Buffer.from('hi'))).toBe('hi');
  });
  it('types without a codec pass strings and bytes through', () => {
    const unknownType = oid(999_999);
    expect(codecFor(unknownType)).toBeUndefined();
    const c = fallbackCodec(unknownType);
    expect(textOf(c, 'x')).toBe('x');
    expect(hex(binaryOf(c, Buffer.from([1])))).toBe('01');
    expect(parseText(unknownType, 'abc')).toBe('abc');
  });
});
