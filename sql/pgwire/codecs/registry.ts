/**
 * The codec registry: type OID → codec, for the built-in types and one-
 * dimensional arrays of each. Types without a codec still travel: a string
 * value is written as its text form and a `Uint8Array` as its pre-encoded
 * bytes (either format), and parameters of such types (or of unspecified
 * type, OID 0) arrive as text strings or raw bytes.
 */
import { assert } from '../assert.ts';
import { SqlError } from '../errors.ts';
import { featureNotSupported } from '../sqlstate.ts';
import { BufferWriter } from '../writer.ts';
import { makeArrayCodec } from './array.ts';
import type { Codec } from './codec.ts';
import { writeBinaryValue, writeTextValue } from './codec.ts';
import { dateCodec, timeCodec, timestampCodec, timestamptzCodec } from './datetime.ts';
import { float4Codec, float8Codec } from './float.ts';
import { boolCodec, int2Codec, int4Codec, int8Codec, oidCodec } from './int.ts';
import { intervalCodec } from './interval.ts';
import { numericCodec } from './numeric.ts';
import type { Oid } from './oids.ts';
import * as oids from './oids.ts';
import {
  bpcharCodec, byteaCodec, jsonbCodec, jsonCodec, nameCodec, textCodec, unknownCodec, uuidCodec, varcharCodec, voidCodec,
} from './text.ts';

/** Wire format of a value: 0 text, 1 binary (the protocol's format codes). */
export type FormatCode = 0 | 1;
export const textFormat: FormatCode = 0;
export const binaryFormat: FormatCode = 1;

/** Erases a codec's value type for the OID-keyed table (values arrive untyped from rows). */
function erase<T>(codec: Codec<T>): Codec {
  return codec as unknown as Codec;
}

const scalarCodecs: readonly (readonly [Codec, Oid | null])[] = [
  [erase(boolCodec), oids.boolArrayOid],
  [erase(byteaCodec), oids.byteaArrayOid],
  [erase(nameCodec), oids.nameArrayOid],
  [erase(int8Codec), oids.int8ArrayOid],
  [erase(int2Codec), oids.int2ArrayOid],
  [erase(int4Codec), oids.int4ArrayOid],
  [erase(textCodec), oids.textArrayOid],
  [erase(oidCodec), oids.oidArrayOid],
  [erase(jsonCodec), oids.jsonArrayOid],
  [erase(float4Codec), oids.float4ArrayOid],
  [erase(float8Codec), oids.float8ArrayOid],
  [erase(unknownCodec), null],
  [erase(bpcharCodec), oids.bpcharArrayOid],
  [erase(varcharCodec), oids.varcharArrayOid],
  [erase(dateCodec), oids.dateArrayOid],
  [erase(timeCodec), oids.timeArrayOid],
  [erase(timestampCodec), oids.timestampArrayOid],
  [erase(timestamptzCodec), oids.timestamptzArrayOid],
  [erase(intervalCodec), oids.intervalArrayOid],
  [erase(numericCodec), oids.numericArrayOid],
  [erase(voidCodec), null],
  [erase(uuidCodec), oids.uuidArrayOid],
  [erase(jsonbCodec), oids.jsonbArrayOid],
];

const codecsByOid = new Map<number, Codec>();
const arrayOidByElement = new Map<number, Oid>();
const elementOidByArray = new Map<number, Oid>();
for (const [codec, arrayOid] of scalarCodecs) {
  codecsByOid.set(codec.oid, codec);
  if (arrayOid === null) continue;
  codecsByOid.set(arrayOid, erase(makeArrayCodec(codec, arrayOid, `_${codec.name}`)));
  arrayOidByElement.set(codec.oid, arrayOid);
  elementOidByArray.set(arrayOid, codec.oid);
}

/** The codec of a type, or undefined when the type has none (see `fallbackCodec`). */
export function codecFor(typeOid: Oid): Codec | undefined {
  return codecsByOid.get(typeOid);
}

/** The codec of a type, or the fallback codec. */
export function codecOrFallback(typeOid: Oid): Codec {
  return codecsByOid.get(typeOid) ?? fallbackCodec(typeOid);
}

/** Every registered codec (scalars and arrays), e.g. to describe the types to a catalog. */
export function registeredCodecs(): readonly Codec[] {
  return [...codecsByOid.values()];
}

/** The array type of an element type with a codec. */
export function arrayOidOf(elementOid: Oid): Oid | undefined {
  return arrayOidByElement.get(elementOid);
}

/** The element type of a registered array type. */
export function elementOidOf(arrayOid: Oid): Oid | undefined {
  return elementOidByArray.get(arrayOid);
}

/** pg_type.typlen of a type: the codec's, or -1 (variable) when it has none. */
export function typeSizeOf(typeOid: Oid): number {
  return codecsByOid.get(typeOid)?.typeSize ?? -1;
}

/** A codec for a type without one: strings are text, `Uint8Array`s pre-encoded bytes. */
export function fallbackCodec(typeOid: Oid): Codec {
  const write = (w: BufferWriter, value: unknown) => {
    if (typeof value === 'string') w.utf8(value);
    else {
      assert(value instanceof Uint8Array, `a value of type ${typeOid} without a codec is a string or a Uint8Array`);
      w.bytes(value);
    }
  };
  return {
    oid: typeOid,
    name: `type ${typeOid}`,
    typeSize: -1,
    writeText: write,
    writeBinary(w, value) {
      if (typeof value === 'string') {
        throw new SqlError(featureNotSupported, `no binary output function available for type ${typeOid}`);
      }
      write(w, value);
    },
    parseText: (text) => text,
    parseBinary: (bytes) => Buffer.from(bytes),
  };
}

const scratch = new BufferWriter(256);

/** The text form of `value` of type `typeOid` as a string (COPY and tests; rows are written in place). */
export function formatText(typeOid: Oid, value: unknown): string {
  if (typeof value === 'string') return value;
  scratch.truncate(0);
  writeTextValue(codecOrFallback(typeOid), scratch, value);
  return scratch.view(0).toString('utf8');
}

/** The binary form of `value` of type `typeOid`, copied out. */
export function formatBinary(typeOid: Oid, value: unknown): Buffer {
  scratch.truncate(0);
  writeBinaryValue(codecOrFallback(typeOid), scratch, value);
  return Buffer.from(scratch.view(0));
}

/** Parses a value of type `typeOid` from its text form (strings for types without a codec). */
export function parseText(typeOid: Oid, text: string): unknown {
  return codecOrFallback(typeOid).parseText(text);
}

/** Parses a value of type `typeOid` from its binary form (raw bytes for types without a codec). */
export function parseBinary(typeOid: Oid, bytes: Uint8Array): unknown {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return codecOrFallback(typeOid).parseBinary(buf);
}
