/**
 * String-like types: text, varchar, bpchar, name, unknown, void, json and
 * jsonb (values are `string`s; jsonb and json also take any other JS value,
 * written as `JSON.stringify` of it), bytea (`Uint8Array`) and uuid
 * (`Uint8Array` of 16 bytes when parsed; a 16-byte array or the text form
 * when written).
 */
import { assert } from '../assert.ts';
import { decodeUtf8 } from '../reader.ts';
import type { BufferWriter } from '../writer.ts';
import type { Codec } from './codec.ts';
import { expectBinarySize, invalidBinary, invalidText, trimSpace } from './codec.ts';
import type { Oid } from './oids.ts';
import {
  bpcharOid, byteaOid, jsonbOid, jsonOid, nameOid, textOid, unknownOid, uuidOid, varcharOid, voidOid,
} from './oids.ts';

/** jsonb's binary form starts with this version byte. */
const jsonbVersion = 1;

function writeString(w: BufferWriter, value: string): void {
  assert(typeof value === 'string', 'a text value is a string');
  w.utf8(value);
}

function makeStringCodec(oidValue: Oid, name: string, typeSize: number): Codec<string> {
  return {
    oid: oidValue,
    name,
    typeSize,
    writeText: writeString,
    writeBinary: writeString,
    parseText: (text) => text,
    parseBinary: (bytes) => decodeUtf8(bytes),
  };
}

export const textCodec = makeStringCodec(textOid, 'text', -1);
export const varcharCodec = makeStringCodec(varcharOid, 'character varying', -1);
export const bpcharCodec = makeStringCodec(bpcharOid, 'character', -1);
export const nameCodec = makeStringCodec(nameOid, 'name', 64);
export const unknownCodec = makeStringCodec(unknownOid, 'unknown', -2);
export const voidCodec = makeStringCodec(voidOid, 'void', 4);

function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  const text = JSON.stringify(value);
  assert(text !== undefined, 'a json value is JSON-serialisable');
  return text;
}

export const jsonCodec: Codec<unknown> = {
  oid: jsonOid,
  name: 'json',
  typeSize: -1,
  writeText: (w, value) => void w.utf8(jsonText(value)),
  writeBinary: (w, value) => void w.utf8(jsonText(value)),
  parseText: (text) => text,
  parseBinary: (bytes) => decodeUtf8(bytes),
};

export const jsonbCodec: Codec<unknown> = {
  oid: jsonbOid,
  name: 'jsonb',
  typeSize: -1,
  writeText: (w, value) => void w.utf8(jsonText(value)),
  writeBinary(w, value) {
    w.u8(jsonbVersion);
    w.utf8(jsonText(value));
  },
  parseText: (text) => text,
  parseBinary(bytes) {
    if (bytes.length < 1 || bytes[0] !== jsonbVersion) {
      throw invalidBinary('jsonb', `unsupported jsonb version number ${bytes[0] ?? 'missing'}`);
    }
    return decodeUtf8(bytes.subarray(1));
  },
};

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x61 && code <= 0x66) return code - 0x61 + 10;
  if (code >= 0x41 && code <= 0x46) return code - 0x41 + 10;
  return -1;
}

function parseByteaHex(text: string): Uint8Array {
  const out = Buffer.allocUnsafe((text.length - 2) >> 1);
  let n = 0;
  let i = 2;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    const high = hexValue(c);
    if (high < 0) throw invalidText('bytea', text);
    if (i + 1 >= text.length) throw invalidText('bytea', text);
    const low = hexValue(text.charCodeAt(i + 1));
    if (low < 0) throw invalidText('bytea', text);
    out[n++] = (high << 4) | low;
    i += 2;
  }
  return Buffer.from(out.subarray(0, n));
}

function parseByteaEscape(text: string): Uint8Array {
  const source = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(source.length);
  let n = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c !== 0x5c) {
      out[n++] = c;
      continue;
    }
    if (source[i + 1] === 0x5c) {
      out[n++] = 0x5c;
      i++;
      continue;
    }
    const d0 = source[i + 1] ?? 0;
    const d1 = source[i + 2] ?? 0;
    const d2 = source[i + 3] ?? 0;
    const octal = (d: number, max: number) => d >= 0x30 && d <= max;
    if (!octal(d0, 0x33) || !octal(d1, 0x37) || !octal(d2, 0x37)) throw invalidText('bytea', text);
    out[n++] = ((d0 - 0x30) << 6) | ((d1 - 0x30) << 3) | (d2 - 0x30);
    i += 3;
  }
  return Buffer.from(out.subarray(0, n));
}

export const byteaCodec: Codec<Uint8Array> = {
  oid: byteaOid,
  name: 'bytea',
  typeSize: -1,
  writeText(w, value) {
    assert(value instanceof Uint8Array, 'a bytea value is a Uint8Array');
    w.ascii('\\x');
    w.ascii(asBuffer(value).toString('hex'));
  },
  writeBinary(w, value) {
    assert(value instanceof Uint8Array, 'a bytea value is a Uint8Array');
    w.bytes(value);
  },
  parseText: (text) => (text.startsWith('\\x') ? parseByteaHex(text) : parseByteaEscape(text)),
  parseBinary: (bytes) => Buffer.from(bytes),
};

/** The canonical text form of 16 UUID bytes. */
export function formatUuid(bytes: Uint8Array): string {
  const hex = asBuffer(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Parses a UUID as PostgreSQL's uuid_in does: optional braces, a hyphen allowed after any group of four digits. */
export function parseUuid(text: string): Uint8Array {
  let t = trimSpace(text);
  if (t.startsWith('{')) {
    if (!t.endsWith('}')) throw invalidText('uuid', text);
    t = t.slice(1, -1);
  }
  const out = new Uint8Array(16);
  let digits = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x2d && digits > 0 && digits < 32 && digits % 4 === 0 && t.charCodeAt(i - 1) !== 0x2d) continue;
    const v = hexValue(c);
    if (v < 0 || digits >= 32) throw invalidText('uuid', text);
    out[digits >> 1] = out[digits >> 1]! | (digits % 2 === 0 ? v << 4 : v);
    digits++;
  }
  if (digits !== 32) throw invalidText('uuid', text);
  return out;
}

export const uuidCodec: Codec<Uint8Array> = {
  oid: uuidOid,
  name: 'uuid',
  typeSize: 16,
  writeText(w, value) {
    assert(value instanceof Uint8Array && value.length === 16, 'a uuid value is 16 bytes');
    w.ascii(formatUuid(value));
  },
  writeBinary(w, value) {
    assert(value instanceof Uint8Array && value.length === 16, 'a uuid value is 16 bytes');
    w.bytes(value);
  },
  parseText: parseUuid,
  parseBinary(bytes) {
    expectBinarySize('uuid', bytes, 16);
    return Buffer.from(bytes);
  },
};
