/**
 * One-dimensional arrays of any element codec. Values are JS arrays whose
 * elements are the element codec's values or null (SQL NULL); a string
 * element is the element's text form, as everywhere.
 *
 * Text form: "{1,2,NULL}"; an element is double-quoted when it is empty,
 * spells NULL, or holds a brace, comma, quote, backslash or white space, and
 * inside quotes `"` and `\` are backslash-escaped. Input may carry explicit
 * bounds ("[0:1]={a,b}"; the bounds are dropped).
 *
 * Binary form (array_send): Int32 ndim (0 for an empty array), Int32 flags
 * (1 when any element is NULL), UInt32 element type OID, per dimension Int32
 * size and Int32 lower bound (1), then per element an Int32 length (-1 for
 * NULL) and the element's binary form.
 */
import { assert } from '../assert.ts';
import { SqlError } from '../errors.ts';
import { arrayElementsMax } from '../limits.ts';
import { datatypeMismatch, featureNotSupported, programLimitExceeded } from '../sqlstate.ts';
import type { BufferWriter } from '../writer.ts';
import type { Codec } from './codec.ts';
import { invalidBinary, invalidText, trimSpace, writeBinaryValue, writeTextValue } from './codec.ts';
import type { Oid } from './oids.ts';

/** Bytes that force an array element into quotes. */
function needsQuote(byte: number): boolean {
  return (
    byte === 0x7b || byte === 0x7d || byte === 0x2c || byte === 0x22 || byte === 0x5c ||
    byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0b || byte === 0x0c
  );
}

/** Quotes the element text written at `start` in place when the rules ask for it. */
function quoteElement(w: BufferWriter, start: number): void {
  const written = w.view(start);
  let quote = written.length === 0 || (written.length === 4 && written.toString('latin1').toLowerCase() === 'null');
  for (let i = 0; !quote && i < written.length; i++) quote = needsQuote(written[i]!);
  if (!quote) return;
  const copy = Buffer.from(written);
  w.truncate(start);
  w.u8(0x22);
  for (const byte of copy) {
    if (byte === 0x22 || byte === 0x5c) w.u8(0x5c);
    w.u8(byte);
  }
  w.u8(0x22);
}

/** White space as PostgreSQL's array_in sees it (C isspace: ASCII only). */
function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';
}

function tooMany(): SqlError {
  return new SqlError(programLimitExceeded, `array size exceeds the maximum allowed (${arrayElementsMax})`);
}

/** Splits array text into raw elements (null for an unquoted NULL), unescaped. */
function splitArrayText(text: string, typeName: string): (string | null)[] {
  let t = trimSpace(text);
  const bounds = /^\[\s*-?\d+\s*:\s*-?\d+\s*\]\s*=\s*/.exec(t);
  if (bounds !== null) t = t.slice(bounds[0].length);
  if (!t.startsWith('{') || !t.endsWith('}')) throw invalidText(typeName, text);
  const body = t.slice(1, -1);
  const out: (string | null)[] = [];
  if (trimSpace(body).length === 0) return out;
  let i = 0;
  for (;;) {
    while (i < body.length && isSpace(body[i]!)) i++;
    if (body[i] === '{') throw new SqlError(featureNotSupported, 'multidimensional arrays are not supported');
    let element = '';
    let quoted = false;
    let sawQuote = false;
    let trailingSpace = 0;
    for (; i < body.length; i++) {
      const c = body[i]!;
      if (c === '\\') {
        if (i + 1 >= body.length) throw invalidText(typeName, text);
        element += body[++i];
        trailingSpace = 0;
      } else if (c === '"') {
        if (sawQuote && !quoted) throw invalidText(typeName, text);
        quoted = !quoted;
        sawQuote = true;
        trailingSpace = 0;
      } else if (!quoted && c === ',') {
        break;
      } else if (!quoted && (c === '{' || c === '}')) {
        throw invalidText(typeName, text);
      } else {
        if (!quoted && sawQuote && !isSpace(c)) throw invalidText(typeName, text);
        element += c;
        trailingSpace = !quoted && isSpace(c) ? trailingSpace + 1 : 0;
      }
    }
    if (quoted) throw invalidText(typeName, text);
    if (trailingSpace > 0) element = element.slice(0, element.length - trailingSpace);
    if (!sawQuote && element.length === 0) throw invalidText(typeName, text);
    out.push(!sawQuote && element.toLowerCase() === 'null' ? null : element);
    if (out.length > arrayElementsMax) throw tooMany();
    if (i >= body.length) return out;
    i++; // the comma
  }
}

/** The codec of a one-dimensional array of `element` with type `arrayOid`. */
export function makeArrayCodec<T>(element: Codec<T>, arrayOid: Oid, name: string): Codec<readonly (T | string | null)[]> {
  const typeName = `${element.name}[]`;
  return {
    oid: arrayOid,
    name,
    typeSize: -1,
    writeText(w, values) {
      assert(Array.isArray(values), `a ${typeName} value is an array`);
      w.u8(0x7b);
      for (let i = 0; i < values.length; i++) {
        if (i > 0) w.u8(0x2c);
        const v = values[i];
        if (v === null || v === undefined) {
          w.ascii('NULL');
          continue;
        }
        const start = w.length;
        writeTextValue(element, w, v);
        quoteElement(w, start);
      }
      w.u8(0x7d);
    },
    writeBinary(w, values) {
      assert(Array.isArray(values), `a ${typeName} value is an array`);
      if (values.length === 0) {
        w.i32(0);
        w.i32(0);
        w.u32(element.oid);
        return;
      }
      w.i32(1);
      w.i32(values.some((v) => v === null || v === undefined) ? 1 : 0);
      w.u32(element.oid);
      w.i32(values.length);
      w.i32(1);
      for (const v of values) {
        if (v === null || v === undefined) {
          w.i32(-1);
          continue;
        }
        const at = w.beginLength();
        writeBinaryValue(element, w, v);
        w.endLength(at);
      }
    },
    parseText(text) {
      return splitArrayText(text, typeName).map((e) => (e === null ? null : element.parseText(e)));
    },
    parseBinary(bytes) {
      if (bytes.length < 12) throw invalidBinary(typeName, 'header truncated');
      const ndim = bytes.readInt32BE(0);
      const flags = bytes.readInt32BE(4);
      const elementOid = bytes.readUInt32BE(8);
      if (ndim < 0) throw invalidBinary(typeName, `invalid number of dimensions: ${ndim}`);
      if (ndim > 1) throw new SqlError(featureNotSupported, 'multidimensional arrays are not supported');
      if (flags !== 0 && flags !== 1) throw invalidBinary(typeName, 'invalid array flags');
      if (elementOid !== element.oid) {
        throw new SqlError(datatypeMismatch, `binary data has array element type ${elementOid} instead of expected ${element.oid}`);
      }
      if (ndim === 0) {
        if (bytes.length !== 12) throw invalidBinary(typeName, 'unexpected bytes after an empty array');
        return [];
      }
      if (bytes.length < 20) throw invalidBinary(typeName, 'dimensions truncated');
      const count = bytes.readInt32BE(12);
      if (count < 0) throw invalidBinary(typeName, `invalid array length ${count}`);
      if (count > arrayElementsMax) throw tooMany();
      const out: (T | null)[] = [];
      let at = 20;
      for (let i = 0; i < count; i++) {
        if (at + 4 > bytes.length) throw invalidBinary(typeName, 'element truncated');
        const length = bytes.readInt32BE(at);
        at += 4;
        if (length === -1) {
          out.push(null);
          continue;
        }
        if (length < 0 || at + length > bytes.length) throw invalidBinary(typeName, 'element truncated');
        out.push(element.parseBinary(bytes.subarray(at, at + length)));
        at += length;
      }
      if (at !== bytes.length) throw invalidBinary(typeName, 'unexpected bytes after the last element');
      return out;
    },
  };
}
