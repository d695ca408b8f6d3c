/**
 * bool, int2, int4, int8 and oid.
 *
 * Values: bool is `boolean`; int2, int4 and oid are `number`; int8 is
 * `bigint` (parsed) or `bigint | number` (written; a number must be a safe
 * integer).
 */
import { assert } from '../assert.ts';
import type { BufferWriter } from '../writer.ts';
import type { Codec } from './codec.ts';
import { expectBinarySize, invalidBinary, invalidText, outOfRange, trimSpace } from './codec.ts';
import { boolOid, int2Oid, int4Oid, int8Oid, oidOid } from './oids.ts';

const integerPattern = /^[+-]?[0-9]+$/;
const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;
const two32 = 2 ** 32;

/** Accepted spellings of true and false, matched by unique prefix as PostgreSQL's boolin does. */
const boolWords: readonly (readonly [string, boolean, number])[] = [
  ['true', true, 1],
  ['false', false, 1],
  ['yes', true, 1],
  ['no', false, 1],
  ['on', true, 2],
  ['off', false, 2],
];

function parseBool(text: string): boolean {
  const t = trimSpace(text).toLowerCase();
  if (t === '1') return true;
  if (t === '0') return false;
  for (const [word, value, prefixMin] of boolWords) {
    if (t.length >= prefixMin && word.startsWith(t)) return value;
  }
  throw invalidText('boolean', text);
}

export const boolCodec: Codec<boolean> = {
  oid: boolOid,
  name: 'boolean',
  typeSize: 1,
  writeText(w, value) {
    assert(typeof value === 'boolean', 'a bool value is a boolean');
    w.u8(value ? 0x74 : 0x66);
  },
  writeBinary(w, value) {
    assert(typeof value === 'boolean', 'a bool value is a boolean');
    w.u8(value ? 1 : 0);
  },
  parseText: parseBool,
  parseBinary(bytes) {
    expectBinarySize('boolean', bytes, 1);
    return bytes[0] !== 0;
  },
};

function parseSmallInt(text: string, typeName: string, min: number, max: number): number {
  const t = trimSpace(text);
  if (!integerPattern.test(t)) throw invalidText(typeName, text);
  const value = Number(t);
  if (value < min || value > max) throw outOfRange(typeName, text);
  return value;
}

function checkInteger(value: number, typeName: string, min: number, max: number): void {
  assert(Number.isInteger(value), `a ${typeName} value is an integer number`);
  if (value < min || value > max) throw outOfRange(typeName, String(value));
}

function makeIntCodec(oidValue: typeof int2Oid, name: string, size: 2 | 4): Codec<number> {
  const min = size === 2 ? -32768 : -2147483648;
  const max = size === 2 ? 32767 : 2147483647;
  return {
    oid: oidValue,
    name,
    typeSize: size,
    writeText(w, value) {
      checkInteger(value, name, min, max);
      w.decimal(value);
    },
    writeBinary(w, value) {
      checkInteger(value, name, min, max);
      if (size === 2) w.i16(value);
      else w.i32(value);
    },
    parseText: (text) => parseSmallInt(text, name, min, max),
    parseBinary(bytes) {
      expectBinarySize(name, bytes, size);
      return size === 2 ? bytes.readInt16BE(0) : bytes.readInt32BE(0);
    },
  };
}

export const int2Codec = makeIntCodec(int2Oid, 'smallint', 2);
export const int4Codec = makeIntCodec(int4Oid, 'integer', 4);

function writeInt8Text(w: BufferWriter, value: bigint | number): void {
  if (typeof value === 'number') {
    assert(Number.isSafeInteger(value), 'an int8 number is a safe integer');
    w.decimal(value);
    return;
  }
  assert(typeof value === 'bigint', 'an int8 value is a bigint or a number');
  if (value < int64Min || value > int64Max) throw outOfRange('bigint', value.toString());
  w.ascii(value.toString());
}

function writeInt8Binary(w: BufferWriter, value: bigint | number): void {
  if (typeof value === 'number') {
    assert(Number.isSafeInteger(value), 'an int8 number is a safe integer');
    w.i64Number(value);
    return;
  }
  assert(typeof value === 'bigint', 'an int8 value is a bigint or a number');
  if (value < int64Min || value > int64Max) throw outOfRange('bigint', value.toString());
  w.i64(value);
}

export const int8Codec: Codec<bigint | number> = {
  oid: int8Oid,
  name: 'bigint',
  typeSize: 8,
  writeText: writeInt8Text,
  writeBinary: writeInt8Binary,
  parseText(text) {
    const t = trimSpace(text);
    if (!integerPattern.test(t)) throw invalidText('bigint', text);
    const value = BigInt(t);
    if (value < int64Min || value > int64Max) throw outOfRange('bigint', text);
    return value;
  },
  parseBinary(bytes) {
    expectBinarySize('bigint', bytes, 8);
    return bytes.readBigInt64BE(0);
  },
};

export const oidCodec: Codec<number> = {
  oid: oidOid,
  name: 'oid',
  typeSize: 4,
  writeText(w, value) {
    checkInteger(value, 'oid', 0, 0xffffffff);
    w.decimal(value);
  },
  writeBinary(w, value) {
    checkInteger(value, 'oid', 0, 0xffffffff);
    w.u32(value);
  },
  parseText(text) {
    // Like PostgreSQL's oidin, negative values wrap around (so -1 is 4294967295).
    const value = parseSmallInt(text, 'oid', -2147483648, 0xffffffff);
    return value < 0 ? value + two32 : value;
  },
  parseBinary(bytes) {
    if (bytes.length !== 4) throw invalidBinary('oid', `expected 4 bytes, got ${bytes.length}`);
    return bytes.readUInt32BE(0);
  },
};
